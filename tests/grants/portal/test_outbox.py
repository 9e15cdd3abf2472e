"""The outbox (issue 10): side effects are rows written with the change, run by one dispatcher,
idempotent, retried with a back-off, failed visibly after the last attempt, retried by officers;
e-mail with a recorded Message-ID, text and HTML in the recipient's language; commands that do
one thing when repeated."""

import datetime as dt
import html
import smtplib
from pathlib import Path

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from grants import outbox
from grants.models import Event, OutboxJob
from grants.selectors import operations
from grants.services import ServiceError
from grants.services.portal import application_submit
from tests.grants.portal.conftest import complete

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(draft, applicant, django_capture_on_commit_callbacks):
    draft = complete(draft, applicant)
    with django_capture_on_commit_callbacks(execute=True):
        application, done = application_submit(
            application=draft, user=applicant, expected_version=None
        )
    assert done
    return application


class RefusingBackend:
    """An SMTP server that refuses: the backend raises as smtplib does."""

    calls = 0

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        RefusingBackend.calls += 1
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def test_a_rolled_back_transaction_leaves_no_job(draft):
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox.enqueue("email", payload={"to": "a@example.org"})
        raise RuntimeError("the change fails")
    assert not OutboxJob.objects.exists()


def test_submitting_writes_the_receipt_email_and_pdf_as_jobs_and_runs_each_once(
    submitted, settings
):
    jobs = {job.kind: job for job in OutboxJob.objects.filter(application=submitted)}
    assert set(jobs) == {"email", "receipt"}
    assert all(job.status == "done" and job.attempts == 1 for job in jobs.values())
    (message,) = mail.outbox
    assert message.extra_headers["Message-ID"] == jobs["email"].message_id
    assert jobs["email"].finished_at is not None
    assert [kind for _content, kind in message.alternatives] == ["text/html"]
    assert message.body and "text/plain" in message.message().as_string()
    submitted.refresh_from_db()
    assert jobs["receipt"].result["file"] == submitted.receipt_pdf.name
    # Run twice: one e-mail, one file.
    for job in jobs.values():
        assert outbox.run(job.pk) == "skipped"
    assert len(mail.outbox) == 1
    assert len(list((Path(settings.PRIVATE_MEDIA_ROOT) / "receipts").iterdir())) == 1


def test_a_receipt_job_cut_short_runs_again_into_the_same_single_file(submitted, settings):
    job = OutboxJob.objects.get(application=submitted, kind="receipt")
    type(submitted).objects.filter(pk=submitted.pk).update(receipt_pdf="")
    OutboxJob.objects.filter(pk=job.pk).update(status="running")  # its worker died
    assert outbox.run(job.pk) == "done"
    job.refresh_from_db()
    assert job.attempts == 2
    assert len(list((Path(settings.PRIVATE_MEDIA_ROOT) / "receipts").iterdir())) == 1


def test_the_email_is_in_the_recipients_language(
    draft, applicant, django_capture_on_commit_callbacks
):
    applicant.language = "en"
    applicant.save(update_fields=["language"])
    draft = complete(draft, applicant)
    with django_capture_on_commit_callbacks(execute=True):
        application_submit(application=draft, user=applicant, expected_version=None)
    (message,) = mail.outbox
    assert message.extra_headers["Content-Language"] == "en"
    assert "application" in message.subject.lower()


def test_a_refusing_smtp_server_means_retries_with_backoff_then_failed_and_an_officer_retry(
    draft, applicant, case_officer, settings, django_capture_on_commit_callbacks, client
):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    settings.OUTBOX_MAX_ATTEMPTS = 3
    settings.OUTBOX_RETRY_BASE_SECONDS = 30
    RefusingBackend.calls = 0
    draft = complete(draft, applicant)
    with django_capture_on_commit_callbacks(execute=True):
        application, _ = application_submit(
            application=draft, user=applicant, expected_version=None
        )
    job = OutboxJob.objects.get(application=application, kind="email")
    assert job.status == "pending" and job.attempts == 1
    assert "SMTPServerDisconnected" in job.error
    first_due = job.due_at
    assert outbox.run(job.pk) == "skipped"  # not due yet: backing off
    with time_machine.travel(first_due + dt.timedelta(seconds=1)):
        assert outbox.run(job.pk) == "retry"
    job.refresh_from_db()
    assert (job.due_at - first_due).total_seconds() >= 59  # the pause doubles
    with time_machine.travel(job.due_at + dt.timedelta(seconds=1)):
        assert outbox.run(job.pk) == "failed"
    job.refresh_from_db()
    assert job.status == "failed" and job.attempts == 3 and RefusingBackend.calls == 3
    assert Event.objects.filter(action="outbox.failed", application=application).count() == 1

    # Officers see it on the workspace page and on the case, and try again once SMTP is back.
    client.force_login(case_officer)
    page = client.get(reverse("officer:outbox")).content.decode()
    assert f'data-job="{job.pk}"' in page and "SMTPServerDisconnected" in page
    case = client.get(reverse("officer:application", args=[application.pk])).content.decode()
    assert 'data-status="failed"' in case
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("officer:outbox_retry", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == "done" and job.message_id
    assert len(mail.outbox) == 1
    assert Event.objects.filter(action="outbox.retried", actor=case_officer).count() == 1
    with pytest.raises(ServiceError):
        outbox.retry(job=job, user=case_officer)
    case = client.get(reverse("officer:application", args=[application.pk])).content.decode()
    assert html.escape(job.message_id) in case


def test_the_sweeper_brings_back_a_job_whose_message_was_lost(draft, applicant):
    draft = complete(draft, applicant)
    # No on_commit callbacks run here: the message is "lost".
    application, _ = application_submit(application=draft, user=applicant, expected_version=None)
    jobs = OutboxJob.objects.filter(application=application)
    assert set(jobs.values_list("status", flat=True)) == {"pending"}
    assert outbox.outbox_sweep() == []  # just written: its message is on its way
    with time_machine.travel(dt.timedelta(minutes=5)):
        assert sorted(outbox.outbox_sweep()) == sorted(jobs.values_list("pk", flat=True))
    assert set(jobs.values_list("status", flat=True)) == {"done"}
    assert len(mail.outbox) == 1


def test_a_job_due_later_waits_for_the_sweeper(db):
    later = dt.datetime(2040, 1, 1, tzinfo=dt.UTC)
    job = outbox.enqueue(
        "email",
        payload={"to": "a@example.org", "subject": "s", "text": "t", "html": "<p>h</p>"},
        due_at=later,
    )
    assert outbox.outbox_sweep() == []
    with time_machine.travel(later + dt.timedelta(seconds=1)):
        assert outbox.outbox_sweep() == [job.pk]
    job.refresh_from_db()
    assert job.status == "done" and len(mail.outbox) == 1


def test_a_double_clicked_submit_makes_one_receipt_and_one_email(submitted, applicant):
    again, done = application_submit(application=submitted, user=applicant, expected_version=None)
    assert not done
    assert OutboxJob.objects.filter(application=submitted).count() == 2
    assert len(mail.outbox) == 1


def test_a_password_reset_job_run_twice_sends_one_link(
    applicant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = outbox.enqueue("password_reset", payload={"email": applicant.email, "language": "sv"})
    job.refresh_from_db()
    assert job.status == "done"
    assert outbox.run(job.pk) == "skipped"
    assert len(mail.outbox) == 1


def test_the_outbox_queue_is_watched_by_readyz_and_status(db):
    now = timezone.now()
    OutboxJob.objects.create(kind="email", due_at=now - dt.timedelta(hours=3))
    figures = {queue.name: queue for queue in operations.queue_figures(now)}
    assert figures["outbox"].pending == 1 and figures["outbox"].stuck(now)
