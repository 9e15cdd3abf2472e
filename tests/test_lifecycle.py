"""One application through its whole life, only through the real views: the applicant portal
(/portal/) and the case officers' workspace (/handlaggning/)."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pypdf import PdfReader

from grants.models import (
    Application,
    Assessment,
    Decision,
    DecisionMeeting,
    Grant,
    RecoveryClaim,
    Report,
    SupplementRequest,
)
from grants.services.payments import payments_release_due
from tests import factories
from tests.grants.officer.conftest import close_meeting

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _html(response) -> str:
    return response.content.decode()


def _fill_and_submit(client, application, year):
    """Every required section of a civil-society application, as the browser posts them."""
    base = f"/portal/ansokningar/{application.pk}"
    version = application.version

    def post(section, data):
        nonlocal version
        response = client.post(f"{base}/{section}/", {**data, "version": version})
        assert response.status_code == 302, (section, _html(response))
        version += 1

    post(
        "project",
        {
            "project_title": "Mötesplatser i Bollnäs",
            "project_summary": "Läxhjälp och föreningsliv för unga.",
            "purpose_and_plan": "Tre mötesplatser, öppna fyra kvällar i veckan.",
            "target_groups": "Unga 13–19 år.",
            "areas": ["2183"],
            "area_details": "Centrum",
            "start_date": f"{year}-02-01",
            "end_date": f"{year}-11-30",
        },
    )
    post(
        "effect",
        {
            "collaboration": "Med kommunens fritidsgårdar.",
            "long_term_effect": "Varaktiga nätverk.",
            "follow_up": "Enkäter varje termin.",
        },
    )
    budget = {"form-TOTAL_FORMS": "2", "form-INITIAL_FORMS": "0"}
    for i, (category, description, amount) in enumerate(
        [("staff", "Projektledare", 300_000), ("premises", "Lokal", 200_000)]
    ):
        budget |= {
            f"form-{i}-category": category,
            f"form-{i}-description": description,
            f"form-{i}-year": "",
            f"form-{i}-amount": amount,
        }
    post("budget", budget)
    post(
        "certifications",
        {
            "legal_form_eligible": "yes",
            "non_profit_in_sweden": "yes",
            "active_two_years": "yes",
            "respects_democracy": "yes",
            "tax_debts": "no",
            "in_liquidation": "no",
            "state_aid": "no",
            "local_roots": "yes",
            "local_roots_description": "Verksamma i Bollnäs sedan 1990.",
        },
    )
    post("funding", {"other_state_grants": "no", "co_funding": ""})
    response = client.post(
        f"{base}/attachments/",
        {"kind": "statutes", "file": SimpleUploadedFile("stadgar.pdf", PDF_BYTES)},
    )
    assert response.status_code == 302, _html(response)

    review = _html(client.get(f"{base}/granska/"))
    assert "Mötesplatser i Bollnäs" in review
    application.refresh_from_db()
    assert application.requested_amount == 500_000
    return client.post(f"{base}/skicka-in/", {"version": application.version}, follow=True)


@pytest.mark.django_db
def test_one_application_goes_from_the_portal_through_decision_to_a_recovery_claim(
    client,
    applicant,
    organisation,
    other_applicant,
    case_officer,
    decision_maker,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    now = timezone.now()
    year = now.year
    round_ = factories.make_round(
        year=year,
        opens_at=now - dt.timedelta(days=10),
        closes_at=now + dt.timedelta(days=30),
        grant_period_start=dt.date(year + 1, 1, 1),
        grant_period_end=dt.date(year + 1, 12, 31),
        last_use_date=dt.date(year + 1, 12, 31),
        progress_report_due=dt.date(year + 1, 6, 30),
        final_report_due=dt.date(year + 2, 3, 31),
    )
    track = factories.make_track(round_=round_, civil=True, budget_cap=5_000_000)
    factories.make_application(
        track=track,
        organisation=factories.make_organisation(seat=factories.kommun("Malmö")),
        project_title="Utanför länet",
    )  # a draft elsewhere, never in the queue

    # 1. The applicant starts, fills and submits the application in the portal. ----------------
    client.force_login(applicant)
    html = _html(client.get(f"/portal/organisationer/{organisation.pk}/"))
    assert f"/portal/organisationer/{organisation.pk}/ansok/{track.pk}/" in html
    response = client.post(f"/portal/organisationer/{organisation.pk}/ansok/{track.pk}/")
    application = Application.objects.get(organisation=organisation)
    assert response["Location"] == f"/portal/ansokningar/{application.pk}/project/"
    assert application.status == "draft" and application.created_by == applicant

    with django_capture_on_commit_callbacks(execute=True):
        response = _fill_and_submit(client, application, year + 1)
    application.refresh_from_db()
    case_number = f"DELMOS {year}/1"
    assert application.status == "submitted"
    assert application.case_number == case_number
    assert application.submitted_at is not None
    html = _html(response)
    assert case_number in html and "Ansökan skickades in." in html
    [receipt] = mailoutbox
    assert receipt.to == [applicant.email] and case_number in receipt.subject
    assert application.receipt_pdf
    response = client.get(f"/portal/ansokningar/{application.pk}/kvitto/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"

    # 2. A case officer finds it, assesses it and asks for a supplement. ----------------------
    client.force_login(case_officer)
    lan = organisation.seat.lan
    html = _html(client.get(f"/handlaggning/ko/?county={lan.pk}"))
    assert case_number in html and organisation.name in html
    assert html.count('name="application" value=') == 1
    html = _html(client.get(f"/handlaggning/ko/?county={factories.kommun('Malmö').lan.pk}"))
    assert case_number not in html

    html = _html(client.get(f"/handlaggning/ansokan/{application.pk}/"))
    assert "Tre mötesplatser, öppna fyra kvällar i veckan." in html and "stadgar.pdf" in html
    response = client.post(
        f"/handlaggning/ansokan/{application.pk}/bedomning/",
        {
            "formal_requirements_met": "true",
            "formal_notes": "",
            "score_relevance": "4",
            "score_goal_fulfilment": "4",
            "score_efficiency": "3",
            "score_long_term": "4",
            "recommendation": "approve",
            "proposed_amount": "450000",
            "notes": "Stark lokal förankring.",
        },
    )
    assert response.status_code == 302
    assessment = Assessment.objects.get(application=application)
    assert assessment.proposed_amount == 450_000 and assessment.officer == case_officer
    application.refresh_from_db()
    assert application.status == "in_assessment"

    due = timezone.localdate() + dt.timedelta(days=14)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/handlaggning/ansokan/{application.pk}/komplettering/",
            {"message": "Skicka budgeten per månad.", "due_date": due.isoformat()},
        )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == "supplement_requested"
    supplement = SupplementRequest.objects.get(application=application)
    [request_mail] = mailoutbox
    assert request_mail.to == [applicant.email] and case_number in request_mail.subject
    assert "Skicka budgeten per månad." in request_mail.body

    # The applicant answers it through the portal.
    client.force_login(applicant)
    html = _html(client.get(f"/portal/ansokningar/{application.pk}/"))
    assert "Skicka budgeten per månad." in html
    assert f"/portal/ansokningar/{application.pk}/komplettering/{supplement.pk}/" in html
    response = client.post(
        f"/portal/ansokningar/{application.pk}/komplettering/{supplement.pk}/",
        {
            "answer": "Här är budgeten per månad.",
            "file": SimpleUploadedFile("budget.pdf", PDF_BYTES),
        },
    )
    assert response.status_code == 302
    supplement.refresh_from_db()
    assert supplement.answer == "Här är budgeten per månad." and supplement.answered_by == applicant
    application.refresh_from_db()
    assert application.status == "in_assessment"  # back where it was when the request was made

    # The officer sees the answer and its file; the case is under assessment again.
    client.force_login(case_officer)
    html = _html(client.get(f"/handlaggning/ansokan/{application.pk}/"))
    assert "Här är budgeten per månad." in html and "budget.pdf" in html
    html = _html(client.get("/handlaggning/ko/?status=in_assessment"))
    assert case_number in html
    html = _html(client.get("/handlaggning/ko/?status=supplement_requested"))
    assert case_number not in html
    response = client.post(
        f"/handlaggning/ansokan/{application.pk}/bedomning/",
        {
            "formal_requirements_met": "true",
            "formal_notes": "",
            "score_relevance": "4",
            "score_goal_fulfilment": "4",
            "score_efficiency": "4",
            "score_long_term": "4",
            "recommendation": "approve",
            "proposed_amount": "450000",
            "notes": "Kompletteringen räcker.",
            "version": str(assessment.version),
        },
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == "in_assessment"

    # 3. A decision maker holds the meeting: agenda, approval, closing. ------------------------
    client.force_login(decision_maker)
    response = client.post(
        f"/handlaggning/omgang/{round_.pk}/nytt-mote/",
        {"date": timezone.localdate().isoformat(), "title": "Beslutsmöte"},
    )
    assert response.status_code == 302
    meeting = DecisionMeeting.objects.get(round=round_)
    response = client.post(
        "/handlaggning/ko/atgard/",
        {"application": [application.pk], "action": "meeting", "meeting": meeting.pk},
    )
    assert response.status_code == 302
    assert list(meeting.agenda.all()) == [application]
    html = _html(client.get(f"/handlaggning/moten/{meeting.pk}/"))
    assert case_number in html and 'value="450000"' in html

    prefix = f"a{application.pk}-"
    response = client.post(
        f"/handlaggning/moten/{meeting.pk}/beslut/{application.pk}/",
        {prefix + "outcome": "approved", prefix + "amount": "450000"},
    )
    assert response.status_code == 302
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = close_meeting(client, meeting, follow=True)
    assert response.status_code == 200
    meeting.refresh_from_db()
    application.refresh_from_db()
    assert meeting.status == "closed" and application.status == "approved"
    grant = Grant.objects.get(application=application)
    assert grant.amount_total == 450_000
    decision = Decision.objects.get(application=application)
    assert decision.outcome == "approved" and decision.amount == 450_000
    assert decision.letter_pdf and decision.letter_pdf.size > 0
    letter = PdfReader(io.BytesIO(decision.letter_pdf.open("rb").read()))
    letter_text = letter.pages[0].extract_text()
    assert case_number in letter_text and "450" in letter_text
    [decision_mail] = mailoutbox
    assert decision_mail.to == [applicant.email] and case_number in decision_mail.subject
    payments = list(grant.payments.order_by("number"))
    # Decided before the project period starts: the first instalment waits for its first day,
    # when the beat's daily run releases it; the second waits for the progress report.
    assert [(p.amount, p.status) for p in payments] == [
        (225_000, "planned"),
        (225_000, "planned"),
    ]
    assert payments_release_due(today=grant.application.round.grant_period_start) == 1
    payments[0].refresh_from_db()
    assert payments[0].status == "released"

    # 4. The applicant sees the decision and downloads the letter; others get 404. -------------
    status_url = f"/portal/ansokningar/{application.pk}/"
    letter_url = f"/portal/ansokningar/{application.pk}/beslut/{decision.pk}/brev/"
    client.force_login(applicant)
    html = _html(client.get(status_url))
    assert "beviljad" in html.lower() and "450\xa0000\xa0kr" in html
    assert letter_url in html
    response = client.get(letter_url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    client.force_login(other_applicant)
    assert client.get(status_url).status_code == 404
    assert client.get(letter_url).status_code == 404
    assert client.get(f"/portal/ansokningar/{application.pk}/rapport/progress/").status_code == 404

    # 5. Follow-up: progress report, second instalment, payments, final report, claim. ----------
    client.force_login(applicant)
    html = _html(client.get(f"/portal/ansokningar/{application.pk}/rapport/progress/"))
    assert 'name="results"' in html and 'name="money_used"' in html
    response = client.post(
        f"/portal/ansokningar/{application.pk}/rapport/progress/",
        {"results": "Två mötesplatser är igång.", "money_used": 200_000},
    )
    assert response.status_code == 302
    progress = Report.objects.get(grant=grant, kind="progress")
    assert progress.review_status == "pending" and progress.submitted_by == applicant

    client.force_login(case_officer)
    html = _html(client.get(f"/handlaggning/bidrag/{grant.pk}/"))
    assert "Två mötesplatser är igång." in html
    response = client.post(
        f"/handlaggning/rapporter/{progress.pk}/granskning/", {"decision": "approve"}
    )
    assert response.status_code == 302
    progress.refresh_from_db()
    assert progress.review_status == "approved" and progress.reviewed_by == case_officer
    # The round's grant period lies ahead of today: the beat releases on the year's first day.
    payments_release_due(today=max(p.due_date for p in grant.payments.all()))
    for payment in payments:
        payment.refresh_from_db()
        assert payment.status == "released"
        response = client.post(f"/handlaggning/utbetalningar/{payment.pk}/betald/")
        assert response.status_code == 302
        payment.refresh_from_db()
        assert payment.status == "paid" and payment.paid_at is not None

    client.force_login(applicant)
    html = _html(client.get(status_url))
    assert "225\xa0000\xa0kr" in html
    response = client.post(
        f"/portal/ansokningar/{application.pk}/rapport/final/",
        {"results": "Tre mötesplatser, 180 unga.", "money_used": 380_000},
    )
    assert response.status_code == 302
    final = Report.objects.get(grant=grant, kind="final")
    assert final.money_used == 380_000 and final.review_status == "pending"

    client.force_login(case_officer)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/handlaggning/rapporter/{final.pk}/granskning/", {"decision": "approve"}
        )
    assert response.status_code == 302
    claim = RecoveryClaim.objects.get(grant=grant)
    assert claim.amount == 70_000 and claim.report == final
    assert claim.letter_pdf
    grant.refresh_from_db()
    assert grant.status == "reported"
    [claim_mail] = mailoutbox
    assert claim_mail.to == [applicant.email]
    html = _html(client.get("/handlaggning/uppfoljning/"))
    assert case_number in html and "70\xa0000\xa0kr" in html
