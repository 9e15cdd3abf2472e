"""Reminders by a real beat and worker (issue 9, item 6; issue 10): the beat task only schedules
(a Reminder row and its outbox job), the outbox's dispatcher sends; every reminder and digest is
e-mailed exactly once, through a kill -9 of the worker, its restart, a lost message brought back
by the outbox's sweeper, and duplicate dispatcher messages.

The worker's e-mail backend is Django's console backend, so every message sent is in the
worker's log; the test counts them there."""

import datetime as dt
import re
from email.header import decode_header, make_header

import pytest
from django.db import transaction
from django.utils import timezone

from grants.models import Application, OutboxJob, Reminder, SupplementRequest
from grants.outbox import outbox_run
from tests import factories
from tests.worker.conftest import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def short_beat(monkeypatch):
    """The worker (which copies this process's environment) runs the scheduler every second."""
    for name, value in {
        "REMINDER_SWEEP_SECONDS": "1",
        "REMINDER_DIGEST_HOUR": "0",
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        "PUBLICATION_SWEEP_SECONDS": "30",
    }.items():
        monkeypatch.setenv(name, value)


def _world():
    """A supplement request due in three days, a grant whose progress report is overdue and
    whose next instalment waits for it, and a submission yesterday for the officers' digest."""
    today = timezone.localdate()
    applicant = factories.make_user(email="sokande@example.org")
    english = factories.make_user(email="applicant@example.org", language="en")
    officer = factories.make_officer(email="handlaggare@example.org")
    organisation = factories.make_organisation(members=[applicant, english])
    application = factories.make_application(
        organisation=organisation,
        created_by=applicant,
        status=Application.Status.SUPPLEMENT_REQUESTED,
        case_number="DELMOS 2030/1",
        case_sequence=1,
        submitted_at=timezone.now() - dt.timedelta(days=1),
    )
    SupplementRequest.objects.create(
        application=application,
        message="Skicka budgeten igen.",
        due_date=today + dt.timedelta(days=3),
        requested_by=officer,
    )
    round_ = factories.make_round(
        progress_report_due=today - dt.timedelta(days=2),
        final_report_due=today + dt.timedelta(days=300),
    )
    granted = factories.make_application(
        track=factories.make_track(round_=round_),
        organisation=organisation,
        created_by=english,
        status=Application.Status.APPROVED,
        case_number="DELMOS 2030/2",
        case_sequence=2,
    )
    grant = factories.make_grant(application=granted, amount=300_000)
    # The reports as a grant's plan makes them (grants.services.decisions.grant_plan_rows):
    # reminders follow each report's own due date.
    grant.reports.create(
        kind="progress", grant_year=round_.year, due_date=round_.progress_report_due
    )
    grant.reports.create(kind="final", grant_year=round_.year, due_date=round_.final_report_due)
    grant.payments.create(
        number=2,
        due_date=today + dt.timedelta(days=5),
        amount=150_000,
        requires_progress_report=True,
    )


def _sent_subjects(worker) -> list[str]:
    logs = b"".join(
        path.read_bytes() for path in sorted(worker.folder.glob("worker-*.log"))
    ).decode("utf-8", "replace")
    raw = re.findall(r"^Subject: ?(.*(?:\n[ \t].+)*)", logs, flags=re.MULTILINE)
    return [str(make_header(decode_header(re.sub(r"\n[ \t]", " ", s)))) for s in raw]


def _worker_log(worker) -> bytes:
    return b"".join(path.read_bytes() for path in sorted(worker.folder.glob("worker-*.log")))


def test_each_reminder_is_sent_once_through_a_killed_worker_and_duplicate_messages(
    short_beat, worker
):
    _world()
    expected = 4  # supplement due, progress report overdue, instalment due, one digest
    worker.start()
    wait_for(
        lambda: Reminder.objects.filter(sent_at__isnull=False).count() == expected,
        timeout=90,
        what="the four reminders to be sent",
    )
    # Each is an outbox job of kind "reminder", done once, its Message-ID on the row.
    jobs = OutboxJob.objects.filter(kind="reminder")
    assert jobs.count() == expected and set(jobs.values_list("status", flat=True)) == {"done"}
    assert all(r.message_id == r.job.message_id for r in Reminder.objects.select_related("job"))
    # The beat task only schedules: it enqueues no send of its own.
    assert b"reminders.reminder_send" not in _worker_log(worker)

    # A killed worker and beat, started again, schedule nothing new and send nothing twice;
    # duplicate dispatcher messages (a redelivery) send nothing either.
    worker.kill()
    worker.start()
    job_ids = list(jobs.values_list("pk", flat=True))
    for job_id in job_ids:
        outbox_run.delay(job_id)
    wait_for(
        lambda: (
            worker.log().count(b"reminder_beat.reminders_run") >= 3 and b"succeeded" in worker.log()
        ),
        timeout=60,
        what="three more beat runs after the restart",
    )
    wait_for(
        lambda: worker.log().count(b"'skipped'") >= expected,
        timeout=60,
        what="the duplicate messages to be handled",
    )

    # A reminder whose message was lost (scheduled, never handed to the broker: the scheduler's
    # process died after its commit) is sent once by the outbox's sweeper.
    worker.kill()
    officer = factories.make_officer(email="ny.handlaggare@example.org")
    with transaction.atomic():  # what _schedule writes, without the message after commit
        late = Reminder.objects.create(
            kind=Reminder.Kind.OFFICER_DIGEST,
            object_id=officer.pk,
            occasion=timezone.localdate(),
            recipient=officer,
            email=officer.email,
            language="sv",
        )
        late.job = OutboxJob.objects.create(
            kind="reminder", payload={"reminder": late.pk}, description="digest"
        )
        late.save(update_fields=["job"])
    worker.start()
    wait_for(
        lambda: Reminder.objects.filter(pk=late.pk, sent_at__isnull=False).exists(),
        timeout=60,
        what="the sweeper to send the lost reminder",
    )
    assert b"Outbox sweeper re-enqueued" in worker.log()

    reminders = list(Reminder.objects.order_by("kind"))
    assert len(reminders) == expected + 1 and all(r.sent_at for r in reminders)
    assert set(OutboxJob.objects.values_list("status", flat=True)) == {"done"}
    assert OutboxJob.objects.filter(kind="reminder", attempts=1).count() == expected + 1
    subjects = _sent_subjects(worker)
    assert len(subjects) == expected + 1, subjects
    assert len(set(subjects)) == expected  # the two digests of the day say the same
    # In each recipient's language.
    assert any(s.startswith("Reminder: the next instalment for DELMOS 2030/2") for s in subjects)
    assert any(s.startswith("Påminnelse: kompletteringen för DELMOS 2030/1") for s in subjects)
    assert any(s.startswith("Delmos: dagens handläggning") for s in subjects)
