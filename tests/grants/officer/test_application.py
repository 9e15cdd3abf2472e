import datetime as dt

import pytest
import time_machine
from django.core.files.base import ContentFile

from grants.models import (
    Application,
    Assessment,
    Attachment,
    Event,
    InternalComment,
    SupplementRequest,
)
from grants.selectors.officer import eligibility_checks
from tests import factories

from .conftest import submit

pytestmark = pytest.mark.django_db

ASSESSMENT = {
    "formal_requirements_met": "true",
    "formal_notes": "",
    "score_relevance": "4",
    "score_goal_fulfilment": "3",
    "score_efficiency": "4",
    "score_long_term": "2",
    "recommendation": "approve",
    "proposed_amount": "400000",
    "notes": "Stark lokal förankring.",
}


def test_page_shows_answers_attachments_and_earlier_grants(client, case_officer, submitted):
    submitted.purpose_and_plan = "Läxhjälp och mötesplatser"
    submitted.save()
    Attachment.objects.create(
        application=submitted,
        file=ContentFile(b"%PDF-1.4 stadgar", name="stadgar.pdf"),
        original_name="stadgar.pdf",
        content_type="application/pdf",
        size=16,
    )
    earlier = factories.make_application(
        organisation=submitted.organisation, status="approved", project_title="Förra projektet"
    )
    factories.make_grant(application=earlier, amount=250_000)
    client.force_login(case_officer)
    html = client.get(f"/handlaggning/ansokan/{submitted.pk}/").content.decode()
    assert "Läxhjälp och mötesplatser" in html
    assert "stadgar.pdf" in html
    assert "Förra projektet" in html and "250\xa0000\xa0kr" in html


def test_attachment_downloads_only_through_the_checked_view(
    client, case_officer, applicant, submitted
):
    attachment = Attachment.objects.create(
        application=submitted,
        file=ContentFile(b"statutes", name="s.pdf"),
        original_name="stadgar.pdf",
        content_type="application/pdf",
        size=8,
    )
    url = f"/handlaggning/ansokan/{submitted.pk}/bilaga/{attachment.pk}/"
    client.force_login(case_officer)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"statutes"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="stadgar.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    client.force_login(applicant)
    assert client.get(url).status_code == 404
    other = submit(
        factories.make_application(
            track=factories.make_track(round_=factories.make_round(case_number_prefix="ANNAN"))
        )
    )
    client.force_login(case_officer)
    assert (
        client.get(f"/handlaggning/ansokan/{other.pk}/bilaga/{attachment.pk}/").status_code == 404
    )


@time_machine.travel(dt.datetime(2030, 3, 1, 12, tzinfo=dt.UTC))
def test_eligibility_checks_pass_and_fail_with_reasons():
    track = factories.make_track(eligible_types=["ideell_forening"])
    track.eligible_kommuner.set([factories.kommun("Bollnäs")])
    young = factories.make_organisation(
        founded_on=dt.date(2029, 1, 1), seat=factories.kommun("Malmö")
    )
    application = submit(factories.make_application(track=track, organisation=young))
    application.areas.set([factories.kommun("Malmö")])
    checks = {c.code: c for c in eligibility_checks(application)}
    assert checks["org_type"].passed is True
    assert checks["legal_form"].passed is True
    assert checks["municipalities"].passed is False
    assert "Malmö" in checks["municipalities"].detail
    assert checks["two_years"].passed is False
    old = factories.make_organisation(founded_on=dt.date(2020, 1, 1), org_type="stiftelse")
    application = submit(factories.make_application(track=track, organisation=old))
    application.refresh_from_db()
    application.areas.set([factories.kommun("Bollnäs")])
    checks = {c.code: c for c in eligibility_checks(application)}
    assert checks["org_type"].passed is False
    assert checks["municipalities"].passed is True
    assert checks["two_years"].passed is True


def test_saving_the_assessment_starts_assessment_and_logs_it(client, case_officer, submitted):
    client.force_login(case_officer)
    response = client.post(f"/handlaggning/ansokan/{submitted.pk}/bedomning/", ASSESSMENT)
    assert response.status_code == 302
    assessment = Assessment.objects.get(application=submitted)
    assert (assessment.score_relevance, assessment.proposed_amount, assessment.version) == (
        4,
        400_000,
        1,
    )
    assert assessment.formal_requirements_met is True
    submitted.refresh_from_db()
    assert submitted.status == "in_assessment"
    assert Event.objects.filter(action="assessment.saved", actor=case_officer).exists()


def test_assessment_refuses_a_score_outside_1_to_5_and_failed_formalities_without_reasons(
    client, case_officer, submitted
):
    client.force_login(case_officer)
    response = client.post(
        f"/handlaggning/ansokan/{submitted.pk}/bedomning/",
        {**ASSESSMENT, "score_relevance": "6", "formal_requirements_met": "false"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_score_relevance_error"' in html
    assert 'id="id_formal_notes_error"' in html
    assert not Assessment.objects.exists()


def test_second_officer_saving_a_stale_assessment_sees_a_conflict_and_keeps_their_text(
    client, case_officer, submitted
):
    other = factories.make_officer(email="second@example.org")
    client.force_login(case_officer)
    client.post(f"/handlaggning/ansokan/{submitted.pk}/bedomning/", ASSESSMENT)
    # Both open version 1.
    first, second = dict(ASSESSMENT, version="1"), dict(ASSESSMENT, version="1")
    first["notes"] = "Första handläggarens text"
    second["notes"] = "Andra handläggarens text"
    assert client.post(f"/handlaggning/ansokan/{submitted.pk}/bedomning/", first).status_code == 302
    client.force_login(other)
    response = client.post(f"/handlaggning/ansokan/{submitted.pk}/bedomning/", second)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Första handläggarens text" in html  # theirs, shown to merge
    assert "Andra handläggarens text</textarea>" in html  # mine, kept in the form
    assert 'name="version" value="2"' in html
    assessment = Assessment.objects.get(application=submitted)
    assert assessment.notes == "Första handläggarens text" and assessment.version == 2
    merged = dict(second, version="2", notes="Första + andra")
    assert (
        client.post(f"/handlaggning/ansokan/{submitted.pk}/bedomning/", merged).status_code == 302
    )
    assessment.refresh_from_db()
    assert (assessment.notes, assessment.version, assessment.officer) == (
        "Första + andra",
        3,
        other,
    )


@time_machine.travel(dt.datetime(2030, 4, 10, 9, tzinfo=dt.UTC))
def test_supplement_request_moves_the_application_and_emails_the_applicant(
    client, case_officer, applicant, submitted, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(case_officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/handlaggning/ansokan/{submitted.pk}/komplettering/",
            {"message": "Skicka era stadgar.", "due_date": "2030-04-24"},
        )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == "supplement_requested"
    request = SupplementRequest.objects.get(application=submitted)
    assert request.due_date == dt.date(2030, 4, 24)
    [mail] = mailoutbox
    assert mail.to == [applicant.email]
    assert submitted.case_number in mail.subject
    assert "Skicka era stadgar." in mail.body and "2030-04-24" in mail.body
    assert Event.objects.filter(action="supplement.requested", visible_to_applicant=True).exists()


@time_machine.travel(dt.datetime(2030, 4, 10, 9, tzinfo=dt.UTC))
def test_supplement_request_refuses_a_past_due_date(client, case_officer, submitted, mailoutbox):
    client.force_login(case_officer)
    response = client.post(
        f"/handlaggning/ansokan/{submitted.pk}/komplettering/",
        {"message": "Skicka era stadgar.", "due_date": "2030-04-01"},
    )
    assert response.status_code == 400
    submitted.refresh_from_db()
    assert submitted.status == "submitted" and not mailoutbox


def test_conflict_declaration_removes_the_application_from_the_officers_view(
    client, case_officer, submitted
):
    submitted.assigned_officer = case_officer
    submitted.save()
    client.force_login(case_officer)
    response = client.post(
        f"/handlaggning/ansokan/{submitted.pk}/jav/", {"reason": "Min syster är ordförande"}
    )
    assert response.status_code == 302
    assert client.get(f"/handlaggning/ansokan/{submitted.pk}/").status_code == 404
    submitted.refresh_from_db()
    assert submitted.assigned_officer is None
    colleague = factories.make_officer(email="colleague@example.org")
    client.force_login(colleague)
    assert client.get(f"/handlaggning/ansokan/{submitted.pk}/").status_code == 200


def test_internal_comments_are_saved_and_never_logged_for_the_applicant(
    client, case_officer, submitted
):
    client.force_login(case_officer)
    client.post(f"/handlaggning/ansokan/{submitted.pk}/kommentar/", {"text": "Ring ordföranden"})
    assert InternalComment.objects.get(application=submitted).text == "Ring ordföranden"
    html = client.get(f"/handlaggning/ansokan/{submitted.pk}/").content.decode()
    assert "Ring ordföranden" in html
    event = Event.objects.get(action="comment.added")
    assert event.visible_to_applicant is False
    assert "Ring ordföranden" not in str(event.data)


def test_a_decided_application_can_no_longer_be_assessed(client, case_officer, track):
    decided = submit(factories.make_application(track=track), assess=True)
    Application.objects.filter(pk=decided.pk).update(status="approved")
    client.force_login(case_officer)
    response = client.post(f"/handlaggning/ansokan/{decided.pk}/bedomning/", ASSESSMENT)
    assert response.status_code == 400
    assert not Assessment.objects.exists()
