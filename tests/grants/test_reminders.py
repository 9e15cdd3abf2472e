"""Reminders and the officers' digest (issue 9, item 6): each e-mail once, whatever repeats it;
in the recipient's language; on the case's timeline; the same lists in the workspace."""

import datetime as dt
import smtplib

import pytest
from celery.exceptions import Retry
from django.utils import timezone

from grants.models import Application, Event, Grant, Reminder, SupplementRequest
from grants.services import reminders as services
from grants.tasks.reminder_beat import reminders_run
from grants.tasks.reminders import reminder_send
from tests import factories

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
    reminder = Reminder.objects.get()
    assert reminder.sent_at is not None and reminder.language == "en"
    # A repeated message or retry of the send sends nothing more.
    assert reminder_send(reminder_id=reminder.pk) is False
    assert len(mailoutbox) == 1
    event = Event.objects.get(action="reminder.sent")
    assert event.application_id == request.application_id and event.visible_to_applicant
    assert event.data["kind"] == K.SUPPLEMENT_DUE


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
    assert Reminder.objects.get().kind == K.OFFICER_DIGEST


def test_a_refused_send_stays_unsent_with_its_error_and_the_sweeper_sends_it_once(
    applicant,
    organisation,
    mailoutbox,
    django_capture_on_commit_callbacks,
    monkeypatch,
    settings,
):
    settings.REMINDER_PENDING_GRACE = 0
    _supplement(applicant, organisation, due_in=2)

    def refuse(self, *args, **kwargs):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
    with pytest.raises((smtplib.SMTPServerDisconnected, Retry)):  # eager: the retry is raised
        _run_schedule(django_capture_on_commit_callbacks, now=_morning(hour=5))
    reminder = Reminder.objects.get()
    assert reminder.sent_at is None and "unexpectedly closed" in reminder.last_error
    assert reminder.attempts >= 1
    monkeypatch.undo()
    assert reminders_run() == {"scheduled": 0, "resent": 1, "released": 0}
    assert reminders_run() == {"scheduled": 0, "resent": 0, "released": 0}
    assert len(mailoutbox) == 1


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
