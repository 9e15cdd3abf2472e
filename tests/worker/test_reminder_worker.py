"""Reminders by a real beat and worker (issue 9, item 6): every reminder and digest is e-mailed
exactly once, through a kill -9 of the worker, its restart and duplicate task messages.

The worker's e-mail backend is Django's console backend, so every message sent is in the
worker's log; the test counts them there."""

import datetime as dt
import re
from email.header import decode_header, make_header

import pytest
from django.utils import timezone

from grants.models import Application, Reminder, SupplementRequest
from grants.tasks.reminders import reminder_send
from tests import factories
from tests.worker.conftest import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def short_beat(monkeypatch):
    """The worker (which copies this process's environment) runs the scheduler every second."""
    for name, value in {
        "REMINDER_SWEEP_SECONDS": "1",
        "REMINDER_PENDING_GRACE": "3",
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
    # A killed worker and beat, started again, schedule nothing new and send nothing twice;
    # duplicate task messages (a redelivery) send nothing either.
    worker.kill()
    worker.start()
    for reminder_id in Reminder.objects.values_list("pk", flat=True):
        reminder_send.delay(reminder_id=reminder_id)
    wait_for(
        lambda: (
            worker.log().count(b"reminder_beat.reminders_run") >= 3 and b"succeeded" in worker.log()
        ),
        timeout=60,
        what="three more beat runs after the restart",
    )
    wait_for(
        lambda: worker.log().count(b"reminders.reminder_send[") >= 2 * expected,
        timeout=60,
        what="the duplicate sends to be handled",
    )
    reminders = list(Reminder.objects.order_by("kind"))
    assert len(reminders) == expected and all(r.sent_at for r in reminders)
    subjects = _sent_subjects(worker)
    assert len(subjects) == expected, subjects
    assert len(set(subjects)) == expected
    # In each recipient's language.
    assert any(s.startswith("Reminder: the next instalment for DELMOS 2030/2") for s in subjects)
    assert any(s.startswith("Påminnelse: kompletteringen för DELMOS 2030/1") for s in subjects)
    assert any(s.startswith("Delmos: dagens handläggning") for s in subjects)
