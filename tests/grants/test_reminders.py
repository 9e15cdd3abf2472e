"""Reminders and the officers' digest (issue 9, item 6): each e-mail once, whatever repeats it;
in the recipient's language; on the case's timeline; the same lists in the workspace. Each is an
outbox job (issue 10): written with its Reminder row, sent, retried, failed and swept like every
other kind, and the beat task only schedules."""

import datetime as dt
import html
import importlib
import smtplib

import pytest
import time_machine
from django.apps import apps
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from grants import outbox
from grants.models import Application, Event, Grant, OutboxJob, Reminder, SupplementRequest
from grants.services import reminders as services
from grants.tasks.reminder_beat import reminders_run
from grants.tasks.reminders import reminder_job
from tests import factories
from tests.grants.ledger.helpers import award, ledger_track

pytestmark = pytest.mark.django_db

K = Reminder.Kind


def _morning(day=None, hour=8):
    day = day or timezone.localdate()
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _supplement(applicant, organisation, *, due_in: int):
    application = factories.make_application(
        organisation=organisation,
        created_by=applicant,
        status=Application.Status.SUPPLEMENT_REQUESTED,
        case_number="DELMOS 2030/7",
        case_sequence=7,
        submitted_at=timezone.now() - dt.timedelta(days=10),
    )
    return SupplementRequest.objects.create(
        application=application,
        message="Skicka budgeten igen.",
        due_date=timezone.localdate() + dt.timedelta(days=due_in),
        requested_by=factories.make_officer(),
    )


def _run_schedule(django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        return services.reminders_schedule(**kwargs)


def test_a_supplement_due_soon_is_reminded_once_in_the_recipients_language(
    applicant, organisation, mailoutbox, django_capture_on_commit_callbacks
):
    applicant.language = "en"
    applicant.save(update_fields=["language"])
    request = _supplement(applicant, organisation, due_in=3)

    first = _run_schedule(django_capture_on_commit_callbacks, now=_morning(hour=5))
    again = _run_schedule(django_capture_on_commit_callbacks, now=_morning(hour=6))

    assert [(r.kind, r.object_id) for r in first] == [(K.SUPPLEMENT_DUE, request.pk)]
    assert again == []
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["applicant@example.org"]
    assert message.subject.startswith("Reminder: supplementary information for DELMOS 2030/7")
    assert "/en/portal/" in message.body
    assert message.alternatives[0][1] == "text/html"
    assert message.extra_headers["Content-Language"] == "en"
    reminder = Reminder.objects.get()
    assert reminder.sent_at is not None and reminder.language == "en"
    # Sent as an outbox job of the case, whose Message-ID the reminder records as e-mails do.
    job = OutboxJob.objects.get()
    assert (job.kind, job.status, job.attempts) == ("reminder", "done", 1)
    assert job.application_id == request.application_id and reminder.job_id == job.pk
    assert reminder.message_id == job.message_id == message.extra_headers["Message-ID"]
    assert reminder.sent_at.isoformat() == job.result["sent_at"]
    # Run twice (a repeated message, the sweeper's second enqueue): one e-mail.
    assert outbox.run(job.pk) == "skipped"
    assert reminder_job(job)["already_sent"] is True
    assert len(mailoutbox) == 1
    event = Event.objects.get(action="reminder.sent")
    assert event.application_id == request.application_id and event.visible_to_applicant
    assert event.data["kind"] == K.SUPPLEMENT_DUE
    assert event.data["message_id"] == reminder.message_id


def test_a_swedish_applicant_gets_it_in_swedish_and_an_overdue_one_separately(
    applicant, organisation, mailoutbox, django_capture_on_commit_callbacks
):
    _supplement(applicant, organisation, due_in=-2)
    _run_schedule(django_capture_on_commit_callbacks, now=_morning(hour=5))
    assert [m.subject for m in mailoutbox] == ["Försenat: kompletteringen för DELMOS 2030/7"]
    assert Reminder.objects.get().kind == K.SUPPLEMENT_OVERDUE


def test_reports_and_instalments_waiting_for_them_are_reminded(
    applicant, organisation, mailoutbox, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    round_ = factories.make_round(
        progress_report_due=today + dt.timedelta(days=5),
        final_report_due=today - dt.timedelta(days=1),
    )
    track = factories.make_track(round_=round_)
    application = factories.make_application(
        track=track,
        organisation=organisation,
        created_by=applicant,
        status=Application.Status.APPROVED,
        case_number="DELMOS 2030/9",
        case_sequence=9,
    )
    grant = factories.make_grant(application=application, amount=300_000)
    # The reports as a grant's plan makes them (grants.services.decisions.grant_plan_rows).
    grant.reports.create(
        kind="progress", grant_year=round_.year, due_date=round_.progress_report_due
    )
    grant.reports.create(kind="final", grant_year=round_.year, due_date=round_.final_report_due)
    payment = grant.payments.create(
        number=2,
        due_date=today + dt.timedelta(days=6),
        amount=150_000,
        requires_progress_report=True,
    )
    _run_schedule(django_capture_on_commit_callbacks, now=_morning(hour=5))
    kinds = sorted(Reminder.objects.values_list("kind", "object_id"))
    assert kinds == sorted(
        [
            (K.PROGRESS_REPORT_DUE, grant.pk),
            (K.FINAL_REPORT_OVERDUE, grant.pk),
            (K.PAYMENT_DUE, payment.pk),
        ]
    )
    assert len(mailoutbox) == 3
    # A closed grant is reminded of nothing.
    Reminder.objects.all().delete()
    Grant.objects.filter(pk=grant.pk).update(status=Grant.Status.CLOSED)
    assert _run_schedule(django_capture_on_commit_callbacks, now=_morning(hour=5)) == []


def test_each_grant_years_report_is_reminded_by_its_own_due_date(
    applicant, organisation, decision_maker, mailoutbox, django_capture_on_commit_callbacks
):
    # A multi-year grant: progress reports for 2031 (due 30 September 2031) and 2032 (due
    # 30 September 2032). The round's own date is 2031's only; the 2032 report is reminded by
    # its own date, and a final report a correction moved by the moved date.
    grant = award(
        track=ledger_track(),
        organisation=organisation,
        decision_maker=decision_maker,
        per_year={"2031": 400_000, "2032": 300_000},
    )
    Application.objects.filter(pk=grant.application_id).update(created_by=applicant)
    assert grant.round.progress_report_due == dt.date(2031, 9, 30)
    scheduled = _run_schedule(
        django_capture_on_commit_callbacks, now=_morning(dt.date(2032, 9, 25), hour=5)
    )
    assert [(r.kind, r.object_id, r.occasion) for r in scheduled] == [
        (K.PROGRESS_REPORT_DUE, grant.pk, dt.date(2032, 9, 30))
    ]
    final = grant.reports.get(kind="final")
    final.due_date = dt.date(2034, 3, 31)
    final.save(update_fields=["due_date"])
    scheduled = _run_schedule(
        django_capture_on_commit_callbacks, now=_morning(dt.date(2034, 3, 28), hour=5)
    )
    assert [(r.kind, r.occasion) for r in scheduled] == [(K.FINAL_REPORT_DUE, dt.date(2034, 3, 31))]


def test_officers_get_one_digest_a_day_after_the_digest_hour(
    applicant, organisation, case_officer, mailoutbox, django_capture_on_commit_callbacks
):
    factories.make_application(
        organisation=organisation,
        status=Application.Status.SUBMITTED,
        case_number="DELMOS 2030/3",
        case_sequence=3,
        project_title="Läxhjälp",
        submitted_at=_morning(timezone.localdate() - dt.timedelta(days=1), hour=12),
    )
    assert _run_schedule(django_capture_on_commit_callbacks, now=_morning(hour=5)) == []
    _run_schedule(django_capture_on_commit_callbacks, now=_morning(hour=8))
    _run_schedule(django_capture_on_commit_callbacks, now=_morning(hour=9))
    digests = [m for m in mailoutbox if m.to == ["officer@example.org"]]
    assert len(digests) == 1
    assert "DELMOS 2030/3" in digests[0].body and "Nya ansökningar: 1" in digests[0].body
    digest = Reminder.objects.get()
    assert digest.kind == K.OFFICER_DIGEST
    # The digest is an outbox job too (of no case): done, with its Message-ID.
    assert digest.job.kind == "reminder" and digest.job.status == "done"
    assert digest.job.application_id is None
    assert digest.message_id == digests[0].extra_headers["Message-ID"] == digest.job.message_id


class RefusingBackend:
    """An SMTP server that refuses: the backend raises as smtplib does."""

    calls = 0

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        RefusingBackend.calls += 1
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def test_the_reminder_and_its_outbox_job_are_written_in_one_transaction(applicant, organisation):
    _supplement(applicant, organisation, due_in=2)
    with pytest.raises(RuntimeError), transaction.atomic():
        (reminder,) = services.reminders_schedule(now=_morning(hour=5))
        assert reminder.job.kind == "reminder" and reminder.job.payload == {"reminder": reminder.pk}
        raise RuntimeError("the scheduler's transaction fails")
    assert not Reminder.objects.exists() and not OutboxJob.objects.exists()


def test_a_refused_send_is_retried_by_the_outbox_and_the_beat_only_schedules(
    applicant,
    organisation,
    mailoutbox,
    django_capture_on_commit_callbacks,
    settings,
):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    settings.OUTBOX_RETRY_BASE_SECONDS = 30
    RefusingBackend.calls = 0
    _supplement(applicant, organisation, due_in=2)
    _run_schedule(django_capture_on_commit_callbacks, now=_morning(hour=5))
    reminder = Reminder.objects.select_related("job").get()
    job = reminder.job
    assert reminder.sent_at is None and "unexpectedly closed" in reminder.last_error
    assert reminder.attempts == 1
    assert (job.status, job.attempts) == ("pending", 1) and "SMTPServerDisconnected" in job.error
    assert (job.due_at - timezone.now()).total_seconds() > 20  # backing off
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # The beat task schedules nothing new and sends nothing itself, however often it runs, even
    # long after the reminder was scheduled.
    with (
        time_machine.travel(dt.timedelta(hours=1)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert reminders_run() == {"scheduled": 0, "released": 0}
        assert reminders_run() == {"scheduled": 0, "released": 0}
    assert len(mailoutbox) == 0 and OutboxJob.objects.count() == 1
    # The outbox's sweeper sends it, once, when the back-off is over.
    assert outbox.outbox_sweep() == []
    with time_machine.travel(job.due_at + dt.timedelta(seconds=1)):
        assert outbox.outbox_sweep() == []  # due, but its retry message is on its way
    with time_machine.travel(job.due_at + dt.timedelta(minutes=5)):
        assert outbox.outbox_sweep() == [job.pk]
        assert outbox.outbox_sweep() == []
    assert len(mailoutbox) == 1 and RefusingBackend.calls == 1
    reminder.refresh_from_db()
    job.refresh_from_db()
    assert job.status == "done" and job.attempts == 2
    assert reminder.sent_at and reminder.message_id == job.message_id and not reminder.last_error
    assert reminder.attempts == 2


def test_a_lost_message_is_brought_back_by_the_outbox_sweeper_not_the_beat(
    applicant, organisation, mailoutbox
):
    _supplement(applicant, organisation, due_in=2)
    services.reminders_schedule(now=_morning(hour=5))  # no on_commit: the message is "lost"
    job = OutboxJob.objects.get(kind="reminder")
    assert job.status == "pending"
    with time_machine.travel(dt.timedelta(minutes=10)):
        assert reminders_run() == {"scheduled": 0, "released": 0}
        assert len(mailoutbox) == 0
        assert outbox.outbox_sweep() == [job.pk]
    assert len(mailoutbox) == 1
    assert Reminder.objects.get().sent_at is not None


def test_after_the_last_attempt_the_reminder_fails_visibly_and_an_officer_retry_sends_it_once(
    applicant,
    organisation,
    case_officer,
    client,
    mailoutbox,
    django_capture_on_commit_callbacks,
    settings,
):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    settings.OUTBOX_MAX_ATTEMPTS = 2
    RefusingBackend.calls = 0
    request = _supplement(applicant, organisation, due_in=-1)
    _run_schedule(django_capture_on_commit_callbacks, now=_morning(hour=5))
    job = OutboxJob.objects.get(kind="reminder")
    with time_machine.travel(job.due_at + dt.timedelta(seconds=1)):
        assert outbox.run(job.pk) == "failed"
    job.refresh_from_db()
    assert job.status == "failed" and RefusingBackend.calls == 2
    failed = Event.objects.get(action="outbox.failed")
    assert failed.application_id == request.application_id and failed.data["kind"] == "reminder"
    client.force_login(case_officer)
    page = client.get(reverse("officer:outbox")).content.decode()
    assert f'data-job="{job.pk}"' in page and "SMTPServerDisconnected" in page
    case = client.get(reverse("officer:application", args=[request.application_id]))
    assert f'data-job="{job.pk}" data-status="failed"' in case.content.decode()
    reminders_page = client.get(reverse("officer:reminders")).content.decode()
    assert "misslyckad (SMTPServerDisconnected" in reminders_page

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("officer:outbox_retry", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    reminder = Reminder.objects.get()
    assert job.status == "done" and reminder.sent_at and reminder.message_id == job.message_id
    assert len(mailoutbox) == 1 and mailoutbox[0].subject.startswith("Försenat: kompletteringen")
    case = client.get(reverse("officer:application", args=[request.application_id]))
    assert html.escape(reminder.message_id) in case.content.decode()
    assert Event.objects.filter(action="reminder.sent").count() == 1


def test_reminders_written_before_the_outbox_took_them_get_their_job(
    applicant, organisation, mailoutbox, django_capture_on_commit_callbacks
):
    request = _supplement(applicant, organisation, due_in=2)
    sent = Reminder.objects.create(
        kind=K.SUPPLEMENT_DUE,
        object_id=request.pk,
        occasion=request.due_date - dt.timedelta(days=7),
        recipient=applicant,
        email=applicant.email,
        language="sv",
        application=request.application,
        sent_at=timezone.now(),
    )
    unsent = Reminder.objects.create(
        kind=K.SUPPLEMENT_DUE,
        object_id=request.pk,
        occasion=request.due_date,
        recipient=applicant,
        email=applicant.email,
        language="sv",
        application=request.application,
    )
    migration = importlib.import_module("grants.migrations.0006_reminders")
    migration.jobs_for_unsent_reminders(apps, None)
    unsent.refresh_from_db()
    sent.refresh_from_db()
    assert sent.job_id is None and unsent.job.payload == {"reminder": unsent.pk}
    assert unsent.job.application_id == request.application_id
    assert outbox.outbox_sweep() == [unsent.job_id]  # never handed to the broker: due at once
    unsent.refresh_from_db()
    assert unsent.sent_at and unsent.message_id and len(mailoutbox) == 1


def test_the_workspace_lists_the_digest_and_the_reminders_sent(
    client,
    applicant,
    organisation,
    case_officer,
    django_capture_on_commit_callbacks,
    django_assert_max_num_queries,
):
    _supplement(applicant, organisation, due_in=-1)
    _run_schedule(django_capture_on_commit_callbacks, now=_morning(hour=5))
    client.force_login(case_officer)
    with django_assert_max_num_queries(20):
        html = client.get("/handlaggning/paminnelser/").content.decode()
    assert "Försenade (1)" in html
    assert "DELMOS 2030/7" in html and "applicant@example.org" in html
    client.force_login(applicant)
    assert client.get("/handlaggning/paminnelser/").status_code in (403, 404)
