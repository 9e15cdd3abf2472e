import csv
import datetime as dt
import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from grants.models import DecisionMeeting, Event, Grant, Payment, RecoveryClaim, Report
from grants.services.decisions import (
    decision_record,
    meeting_add_applications,
    meeting_close,
    meeting_create,
)
from grants.services.payments import payments_release_due
from tests import factories

from .conftest import submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def grant(track, organisation, decision_maker, django_capture_on_commit_callbacks):
    track.round.progress_report_due = dt.date(2030, 12, 1)
    track.round.save()
    application = submit(
        factories.make_application(track=track, organisation=organisation), assess=True
    )
    meeting = meeting_create(round_=track.round, user=decision_maker, date=dt.date(2030, 6, 12))
    meeting_add_applications(meeting=meeting, applications=[application], user=decision_maker)
    decision_record(
        meeting=meeting,
        application=application,
        user=decision_maker,
        outcome="approved",
        amount=600_001,
    )
    with django_capture_on_commit_callbacks(execute=True):
        meeting_close(meeting=meeting, user=decision_maker)
    # The project period starts: the first instalment is released (the beat's daily run).
    payments_release_due(today=track.round.grant_period_start)
    return Grant.objects.get()


def _submit_report(grant, kind, money_used=None):
    report = grant.reports.get(kind=kind)
    report.review_status = Report.Review.PENDING
    report.submitted_at = timezone.now()
    report.money_used = money_used
    report.answers = {"results": "Tre mötesplatser"}
    report.save()
    return report


def test_grant_gets_instalments_per_round_and_the_reports_due(grant):
    payments = list(grant.payments.all())
    assert [(p.number, p.amount, p.status) for p in payments] == [
        (1, 300_001, "released"),
        (2, 300_000, "planned"),
    ]
    assert sorted(grant.reports.values_list("kind", flat=True)) == ["final", "progress"]


def test_three_instalments_when_the_round_says_so(
    track, decision_maker, django_capture_on_commit_callbacks
):
    track.round.instalments = 3
    track.round.save()
    application = submit(factories.make_application(track=track), assess=True)
    meeting = DecisionMeeting.objects.create(round=track.round, date=dt.date(2030, 6, 1))
    meeting.agenda.add(application)
    decision_record(
        meeting=meeting,
        application=application,
        user=decision_maker,
        outcome="approved",
        amount=90_000,
    )
    with django_capture_on_commit_callbacks(execute=True):
        meeting_close(meeting=meeting, user=decision_maker)
    assert list(Payment.objects.values_list("amount", flat=True)) == [30_000, 30_000, 30_000]


def test_second_instalment_is_released_only_by_an_approved_progress_report(
    client, case_officer, grant
):
    client.force_login(case_officer)
    second = grant.payments.get(number=2)
    response = client.post(f"/handlaggning/utbetalningar/{second.pk}/betald/", follow=True)
    second.refresh_from_db()
    assert second.status == "planned"
    assert "frigiven" in response.content.decode()
    report = _submit_report(grant, "progress")
    client.post(
        f"/handlaggning/rapporter/{report.pk}/granskning/",
        {"decision": "return", "notes": "Saknar siffror"},
    )
    second.refresh_from_db()
    assert second.status == "planned"
    report.review_status = Report.Review.PENDING
    report.save()
    client.post(f"/handlaggning/rapporter/{report.pk}/granskning/", {"decision": "approve"})
    second.refresh_from_db()
    # The test's grant period lies ahead of today: no longer waiting for the report, the
    # instalment is released by the beat on its grant year's first day.
    assert (second.status, second.requires_progress_report) == ("planned", False)
    payments_release_due(today=second.due_date)
    second.refresh_from_db()
    assert second.status == "released"
    client.post(f"/handlaggning/utbetalningar/{second.pk}/betald/")
    second.refresh_from_db()
    assert second.status == "paid" and second.paid_at is not None
    assert Event.objects.filter(action="payment.paid", grant=grant, actor=case_officer).exists()


def test_payments_export_for_finance_lists_released_instalments(client, case_officer, grant):
    client.force_login(case_officer)
    response = client.get("/handlaggning/utbetalningar/export.csv")
    rows = list(
        csv.reader(
            io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")), delimiter=";"
        )
    )
    assert rows[0][:2] == ["payment_id", "case_number"]
    assert [(r[1], r[6], r[7]) for r in rows[1:]] == [
        (grant.application.case_number, "1", "300001")
    ]


def test_final_report_with_unused_money_creates_a_claim_with_a_letter_until_settled(
    client, case_officer, applicant, grant, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(case_officer)
    # The first instalment is paid and the progress report approved; the second is released.
    first, second = grant.payments.order_by("number")
    client.post(f"/handlaggning/utbetalningar/{first.pk}/betald/")
    progress = _submit_report(grant, "progress")
    client.post(f"/handlaggning/rapporter/{progress.pk}/granskning/", {"decision": "approve"})
    report = _submit_report(grant, "final", money_used=200_001)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/handlaggning/rapporter/{report.pk}/granskning/", {"decision": "approve"})
    claim = RecoveryClaim.objects.get()
    # Paid 300 001 kr, used 200 001 kr: 100 000 kr back; the unpaid instalment is cancelled.
    assert claim.amount == 100_000 and claim.report == report
    second.refresh_from_db()
    assert second.status == "cancelled"
    text = PdfReader(io.BytesIO(claim.letter_pdf.open("rb").read())).pages[0].extract_text()
    assert "100" in text and grant.application.case_number in text
    assert [m.to for m in mailoutbox] == [[applicant.email]]
    grant.refresh_from_db()
    assert grant.status == "reported"
    html = client.get("/handlaggning/uppfoljning/").content.decode()
    assert "100\xa0000\xa0kr" in html
    client.post(f"/handlaggning/aterkrav/{claim.pk}/reglerat/")
    claim.refresh_from_db()
    grant.refresh_from_db()
    assert claim.settled_at is not None and grant.status == "recovered"
    officer_timeline = client.get(f"/handlaggning/bidrag/{grant.pk}/").content.decode()
    assert "Pengarna återbetalda; bidraget återkrävt" in officer_timeline
    client.force_login(applicant)
    history = client.get(f"/portal/ansokningar/{grant.application.pk}/").content.decode()
    assert "Slutrapporten är godkänd; de pengar som inte använts ska betalas tillbaka." in history
    assert "De pengar som inte använts är återbetalda." in history
    assert "grant.re" not in history


def test_final_report_using_everything_closes_the_grant(client, case_officer, grant):
    client.force_login(case_officer)
    progress = _submit_report(grant, "progress")
    client.post(f"/handlaggning/rapporter/{progress.pk}/granskning/", {"decision": "approve"})
    for payment in grant.payments.all():
        client.post(f"/handlaggning/utbetalningar/{payment.pk}/betald/")
    report = _submit_report(grant, "final", money_used=600_001)
    client.post(f"/handlaggning/rapporter/{report.pk}/granskning/", {"decision": "approve"})
    grant.refresh_from_db()
    assert grant.status == "closed" and not RecoveryClaim.objects.exists()


def test_grant_page_shows_the_timeline_of_application_and_grant(client, case_officer, grant):
    client.force_login(case_officer)
    html = client.get(f"/handlaggning/bidrag/{grant.pk}/").content.decode()
    for action in ("application.submitted", "application.approved", "grant.created"):
        assert action in html


def test_timeline_names_actions_in_the_users_language(client, case_officer, grant):
    client.force_login(case_officer)
    html = client.get(f"/handlaggning/bidrag/{grant.pk}/").content.decode()
    assert "Beslutsbrev skickat" in html
    html = client.get(f"/en/handlaggning/bidrag/{grant.pk}/").content.decode()
    assert "Decision letter sent" in html
