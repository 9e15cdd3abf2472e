import datetime as dt
import threading

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from grants.models import Application, DecisionMeeting, Payment, Report, SupplementRequest
from grants.services.applications import application_transition
from grants.services.portal import application_submit
from tests import factories
from tests.grants.portal.conftest import PDF_BYTES, complete


def _submitted(draft, applicant):
    draft = complete(draft, applicant)
    application, _ = application_submit(application=draft, user=applicant, expected_version=None)
    return application


@pytest.mark.django_db
def test_the_status_page_shows_the_history_visible_to_the_applicant(client, applicant, draft):
    application = _submitted(draft, applicant)
    client.force_login(applicant)
    html = client.get(f"/portal/ansokningar/{application.pk}/").content.decode()
    assert "Historik" in html and "Ansökan skickades in." in html
    assert "application.draft_saved" not in html


@pytest.mark.django_db
def test_a_supplement_request_is_answered_with_text_and_a_file_before_its_due_date(
    client, applicant, draft, case_officer
):
    application = _submitted(draft, applicant)
    application_transition(
        application=application, to_status="supplement_requested", user=case_officer
    )
    request = SupplementRequest.objects.create(
        application=application,
        message="Skicka budgeten per månad.",
        due_date=timezone.localdate() + dt.timedelta(days=7),
        requested_by=case_officer,
    )
    client.force_login(applicant)
    html = client.get(f"/portal/ansokningar/{application.pk}/").content.decode()
    assert "Skicka budgeten per månad." in html
    response = client.post(
        f"/portal/ansokningar/{application.pk}/komplettering/{request.pk}/",
        {"answer": "Här är den.", "file": SimpleUploadedFile("budget.pdf", PDF_BYTES)},
    )
    assert response.status_code == 302
    request.refresh_from_db()
    application.refresh_from_db()
    assert request.answer == "Här är den." and request.answered_by == applicant
    assert request.attachments.get().original_name == "budget.pdf"
    assert application.status == "submitted"
    assert application.case_number == f"DELMOS {application.round.year}/1"


@pytest.mark.django_db
def test_a_supplement_request_past_its_due_date_cannot_be_answered(
    client, applicant, draft, case_officer
):
    application = _submitted(draft, applicant)
    application_transition(
        application=application, to_status="supplement_requested", user=case_officer
    )
    request = SupplementRequest.objects.create(
        application=application,
        message="Sent.",
        due_date=timezone.localdate() - dt.timedelta(days=1),
        requested_by=case_officer,
    )
    client.force_login(applicant)
    response = client.post(
        f"/portal/ansokningar/{application.pk}/komplettering/{request.pk}/", {"answer": "x"}
    )
    assert response.status_code == 404
    request.refresh_from_db()
    assert request.answered_at is None


def _approved_with_grant(application):
    Application.objects.filter(pk=application.pk).update(status="approved")
    application.refresh_from_db()
    meeting = DecisionMeeting.objects.create(round=application.round, date=timezone.localdate())
    grant = factories.make_grant(application=application, amount=400_000, meeting=meeting)
    decision = application.decisions.get()
    decision.letter_pdf.save("beslut.pdf", ContentFile(PDF_BYTES))
    Payment.objects.create(grant=grant, number=1, due_date=timezone.localdate(), amount=200_000)
    return grant, decision


@pytest.mark.django_db
def test_the_decision_letter_and_payments_are_shown_and_the_letter_downloads(
    client, applicant, draft, other_applicant
):
    application = _submitted(draft, applicant)
    grant, decision = _approved_with_grant(application)
    client.force_login(applicant)
    html = client.get(f"/portal/ansokningar/{application.pk}/").content.decode()
    assert "Beviljad" in html or "beviljad" in html
    assert "200\xa0000\xa0kr" in html
    response = client.get(f"/portal/ansokningar/{application.pk}/beslut/{decision.pk}/brev/")
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="beslut-{decision.pk}.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    # A letter whose file the storage no longer has is not found, not a server error.
    decision.letter_pdf.storage.delete(decision.letter_pdf.name)
    response = client.get(f"/portal/ansokningar/{application.pk}/beslut/{decision.pk}/brev/")
    assert response.status_code == 404
    client.force_login(other_applicant)
    response = client.get(f"/portal/ansokningar/{application.pk}/beslut/{decision.pk}/brev/")
    assert response.status_code == 404


@pytest.mark.django_db
def test_reports_record_money_used_and_the_unused_amount(client, applicant, draft):
    application = _submitted(draft, applicant)
    grant, _decision = _approved_with_grant(application)
    # 200 000 kr of the 400 000 kr is paid: what is not used is counted from what was paid.
    grant.payments.update(status="paid", paid_at=timezone.now())
    client.force_login(applicant)
    response = client.post(
        f"/portal/ansokningar/{application.pk}/rapport/final/",
        {"results": "Vi nådde 200 unga.", "money_used": 150_000},
    )
    assert response.status_code == 302
    report = Report.objects.get(grant=grant, kind="final")
    assert report.money_used == 150_000 and report.review_status == "pending"
    assert report.due_date == application.round.final_report_due
    event = application.events.get(action="report.final_submitted")
    assert event.data["unused"] == 50_000
    html = client.get(f"/portal/ansokningar/{application.pk}/").content.decode()
    assert "inte använt: 50\xa0000\xa0kr" in html
    # Submitted once; a second report of the same kind is refused until it is returned.
    client.post(
        f"/portal/ansokningar/{application.pk}/rapport/final/",
        {"results": "Igen", "money_used": 1},
    )
    report.refresh_from_db()
    assert report.money_used == 150_000


@pytest.mark.django_db
def test_staff_may_download_attachments_of_submitted_applications_but_not_drafts(
    client, applicant, draft, case_officer
):
    draft = complete(draft, applicant)
    attachment = draft.attachments.get()
    client.force_login(case_officer)
    url = f"/portal/ansokningar/{draft.pk}/bilagor/{attachment.pk}/"
    assert client.get(url).status_code == 404
    application_submit(application=draft, user=applicant, expected_version=None)
    assert client.get(url).status_code == 200


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_parallel_submissions_get_unique_gap_free_case_numbers(civil_track):
    """Six submissions at once, in threads with their own database connections: on PostgreSQL
    the round's row lock orders them, on SQLite the immediate transactions do."""
    count = 6
    drafts = []
    for _ in range(count):
        user = factories.make_user()
        organisation = factories.make_organisation(members=[user])
        draft = factories.make_application(track=civil_track, organisation=organisation)
        drafts.append((complete(draft, user), user))
    errors = []
    barrier = threading.Barrier(count)

    def submit(draft, user):
        from django.db import connection as thread_connection

        try:
            barrier.wait(timeout=10)
            application_submit(application=draft, user=user, expected_version=None)
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=submit, args=pair) for pair in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    sequences = sorted(
        Application.objects.filter(round=civil_track.round).values_list("case_sequence", flat=True)
    )
    assert sequences == list(range(1, count + 1))
    numbers = set(
        Application.objects.filter(round=civil_track.round).values_list("case_number", flat=True)
    )
    assert len(numbers) == count
    civil_track.round.refresh_from_db()
    assert civil_track.round.last_case_sequence == count
