"""Rules of the workspace services that refuse: the agenda, assignments under a declared conflict,
report reviews, and deleting an applicant's attachment."""

import datetime as dt

import pytest
from django.core.files.base import ContentFile

from grants.models import Application, Attachment, DecisionMeeting, Event, Report
from grants.services import ServiceError
from grants.services.decisions import meeting_add_applications
from grants.services.officer import applications_assign, conflict_declare
from grants.services.portal import attachment_delete
from grants.services.reports import report_review
from tests import factories

from .conftest import submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(track):
    return DecisionMeeting.objects.create(round=track.round, date=dt.date(2030, 6, 12))


def test_agenda_refuses_an_application_not_yet_assessed(meeting, track, case_officer):
    application = submit(factories.make_application(track=track))
    with pytest.raises(ServiceError):
        meeting_add_applications(meeting=meeting, applications=[application], user=case_officer)
    assert meeting.agenda.count() == 0


def test_agenda_refuses_an_application_of_another_round(meeting, case_officer):
    elsewhere = factories.make_track(round_=factories.make_round(year=2031, slug="annan"))
    application = submit(factories.make_application(track=elsewhere), assess=True)
    with pytest.raises(ServiceError):
        meeting_add_applications(meeting=meeting, applications=[application], user=case_officer)
    assert meeting.agenda.count() == 0


def test_agenda_refuses_a_closed_meeting(meeting, track, case_officer):
    application = submit(factories.make_application(track=track), assess=True)
    DecisionMeeting.objects.filter(pk=meeting.pk).update(status=DecisionMeeting.Status.CLOSED)
    with pytest.raises(ServiceError) as refused:
        meeting_add_applications(meeting=meeting, applications=[application], user=case_officer)
    assert refused.value.code == "meeting_closed"


def test_agenda_refuses_applicants(meeting, track, applicant):
    application = submit(factories.make_application(track=track), assess=True)
    with pytest.raises(ServiceError) as refused:
        meeting_add_applications(meeting=meeting, applications=[application], user=applicant)
    assert refused.value.code == "permission_denied"


def test_agenda_adds_an_application_once(meeting, track, case_officer):
    application = submit(factories.make_application(track=track), assess=True)
    added = [
        meeting_add_applications(meeting=meeting, applications=[application], user=case_officer)
        for _ in range(2)
    ]
    assert added == [1, 0]
    assert list(meeting.agenda.all()) == [application]


def test_an_officer_with_a_declared_conflict_cannot_be_assigned(track, case_officer):
    application = submit(factories.make_application(track=track))
    conflict_declare(application=application, user=case_officer, reason="Styrelseledamot")
    with pytest.raises(ServiceError):
        applications_assign(applications=[application], officer=case_officer, user=case_officer)
    application.refresh_from_db()
    assert application.assigned_officer is None
    assert not Event.objects.filter(action="application.assigned").exists()


@pytest.fixture
def final_report(track):
    grant = factories.make_grant(
        application=submit(factories.make_application(track=track), assess=True)
    )
    return grant.reports.create(
        kind=Report.Kind.FINAL,
        due_date=dt.date(2031, 6, 30),
        review_status=Report.Review.PENDING,
        money_used=400_000,
    )


def test_a_report_is_returned_only_with_notes(final_report, case_officer):
    with pytest.raises(ServiceError):
        report_review(report=final_report, user=case_officer, approve=False, notes="  ")
    final_report.refresh_from_db()
    assert final_report.review_status == Report.Review.PENDING


def test_a_reviewed_report_cannot_be_reviewed_again(final_report, case_officer):
    report_review(report=final_report, user=case_officer, approve=True)
    with pytest.raises(ServiceError):
        report_review(report=final_report, user=case_officer, approve=False, notes="Nej")


def test_a_final_report_without_money_used_cannot_be_approved(final_report, case_officer):
    Report.objects.filter(pk=final_report.pk).update(money_used=None)
    with pytest.raises(ServiceError):
        report_review(report=final_report, user=case_officer, approve=True)


def test_only_case_officers_review_reports(final_report, decision_maker):
    with pytest.raises(ServiceError) as refused:
        report_review(report=final_report, user=decision_maker, approve=True)
    assert refused.value.code == "permission_denied"


def _attachment(application, user):
    return Attachment.objects.create(
        application=application,
        file=ContentFile(b"%PDF-1.4", name="plan.pdf"),
        original_name="plan.pdf",
        content_type="application/pdf",
        size=8,
        uploaded_by=user,
    )


def test_deleting_an_attachment_of_a_draft_removes_row_and_file(
    applicant, organisation, track, django_capture_on_commit_callbacks
):
    draft = factories.make_application(track=track, organisation=organisation)
    attachment = _attachment(draft, applicant)
    storage, name = attachment.file.storage, attachment.file.name
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        attachment_delete(application=draft, attachment_id=attachment.pk, user=applicant)
    assert not Attachment.objects.filter(pk=attachment.pk).exists()
    assert not storage.exists(name)
    assert Event.objects.filter(action="application.attachment_deleted").count() == 1


def test_an_attachment_of_a_submitted_application_cannot_be_deleted(applicant, organisation, track):
    application = factories.make_application(track=track, organisation=organisation)
    attachment = _attachment(application, applicant)
    submit(application)
    with pytest.raises(ServiceError):
        attachment_delete(application=application, attachment_id=attachment.pk, user=applicant)
    assert Attachment.objects.filter(pk=attachment.pk).exists()
    assert Application.objects.get(pk=application.pk).attachments.count() == 1


def test_deleting_another_applications_attachment_is_not_found(applicant, organisation, track):
    mine = factories.make_application(track=track, organisation=organisation)
    theirs = factories.make_application(track=track)
    attachment = _attachment(theirs, applicant)
    with pytest.raises(ServiceError) as refused:
        attachment_delete(application=mine, attachment_id=attachment.pk, user=applicant)
    assert refused.value.code == "not_found"
    assert Attachment.objects.filter(pk=attachment.pk).exists()
