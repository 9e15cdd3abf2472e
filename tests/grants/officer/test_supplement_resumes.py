"""Issue 15, item 3: an answered supplement request takes the case back to where it was, as the
workflow table says, and the officer and the decision maker read the answer and its file."""

import dataclasses
import datetime as dt
import importlib
from pathlib import Path

import pytest
from django.apps import apps as global_apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from grants import workflow
from grants.models import Application, DecisionMeeting, Event, SupplementRequest
from grants.services import ServiceError
from grants.services.decisions import decision_record, meeting_close
from grants.services.officer import supplement_request
from grants.services.portal import supplement_answer
from grants.workflow import APPLICATION, ApplicationStatus
from tests import factories
from tests.grants.portal.conftest import PDF_BYTES

from .conftest import submit

pytestmark = pytest.mark.django_db

INTO_A_PAUSE = [
    pytest.param(step, id=f"{step.source}->{step.target}")
    for step in APPLICATION.transitions
    if step.target in APPLICATION.pauses
]


def _request(application, officer):
    return supplement_request(
        application=application,
        user=officer,
        message="Skicka budgeten per månad.",
        due_date=timezone.localdate() + dt.timedelta(days=7),
    )


def test_the_table_has_a_pause_and_a_way_back_for_every_way_in():
    assert APPLICATION.pauses == {ApplicationStatus.SUPPLEMENT_REQUESTED}
    assert len(INTO_A_PAUSE) == 2
    for param in INTO_A_PAUSE:
        (step,) = param.values
        back = APPLICATION.find(step.target, step.source)
        assert back is not None and back.resumes
        assert APPLICATION.resumed(step.target, step.source) == step.source


def test_a_table_whose_pause_does_not_lead_back_everywhere_is_refused():
    transitions = tuple(
        t
        for t in APPLICATION.transitions
        if not (t.resumes and t.target == ApplicationStatus.IN_ASSESSMENT)
    )
    with pytest.raises(ValueError, match="does not lead back"):
        dataclasses.replace(APPLICATION, transitions=transitions)
    with pytest.raises(ValueError, match="does not go back"):
        APPLICATION.resumed(ApplicationStatus.SUPPLEMENT_REQUESTED, ApplicationStatus.APPROVED)


@pytest.mark.parametrize("step", INTO_A_PAUSE)
def test_an_answered_supplement_returns_the_case_to_where_it_was(
    step, track, organisation, applicant, case_officer
):
    application = submit(
        factories.make_application(track=track, organisation=organisation),
        assess=step.source == ApplicationStatus.IN_ASSESSMENT,
    )
    assert application.status == step.source
    request = _request(application, case_officer)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUPPLEMENT_REQUESTED
    assert request.resumes_to == step.source

    supplement_answer(supplement=request, user=applicant, answer="Här är den.")

    application.refresh_from_db()
    assert application.status == step.source
    event = Event.objects.filter(action="application.supplement_answered").get()
    assert (event.data["from"], event.data["to"]) == (step.target, step.source)
    assert event.actor == applicant


def test_a_case_under_assessment_goes_to_its_meeting_after_the_answer(
    client, track, organisation, applicant, case_officer, decision_maker
):
    application = submit(
        factories.make_application(track=track, organisation=organisation), assess=True
    )
    meeting = DecisionMeeting.objects.create(round=track.round, date=dt.date(2030, 6, 12))
    meeting.agenda.add(application)
    request = _request(application, case_officer)
    supplement_answer(
        supplement=request,
        user=applicant,
        answer="Budgeten per månad bifogas.",
        upload=SimpleUploadedFile("budget-per-manad.pdf", PDF_BYTES),
        content_type="application/pdf",
    )
    attachment = SupplementRequest.objects.get().attachments.get()

    # Without an officer touching the assessment, the meeting decides and closes.
    decision_record(
        meeting=meeting,
        application=application,
        user=decision_maker,
        outcome="approved",
        amount=100_000,
    )
    meeting_close(meeting=meeting, user=decision_maker)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED

    # The decision maker reads the answer and opens its file, on the meeting and the case.
    client.force_login(decision_maker)
    link = f"/handlaggning/ansokan/{application.pk}/bilaga/{attachment.pk}/"
    for page in (f"/handlaggning/moten/{meeting.pk}/", f"/handlaggning/ansokan/{application.pk}/"):
        html = client.get(page).content.decode()
        assert "Budgeten per månad bifogas." in html, page
        assert link in html and "budget-per-manad.pdf" in html, page
    assert client.get(link).status_code == 200


def test_the_officer_reads_the_answer_and_its_file_on_the_case(
    client, submitted, applicant, case_officer
):
    request = _request(submitted, case_officer)
    supplement_answer(
        supplement=request,
        user=applicant,
        answer="Se bilagan.",
        upload=SimpleUploadedFile("intyg.pdf", PDF_BYTES),
        content_type="application/pdf",
    )
    attachment = request.attachments.get()
    client.force_login(case_officer)
    html = client.get(f"/handlaggning/ansokan/{submitted.pk}/").content.decode()
    assert 'id="supplements"' in html and "Se bilagan." in html
    assert f"/handlaggning/ansokan/{submitted.pk}/bilaga/{attachment.pk}/" in html


def test_the_migration_remembers_what_an_open_request_paused(track, organisation, case_officer):
    # The request row as the old code left it: no memory of the status it paused.
    application = submit(
        factories.make_application(track=track, organisation=organisation), assess=True
    )
    request = _request(application, case_officer)
    SupplementRequest.objects.filter(pk=request.pk).update(resumes_to="submitted")
    # Found by what it does: the lead renumbers migrations at merge.
    (path,) = [
        p
        for p in (Path(__file__).parents[3] / "grants" / "migrations").glob("0*.py")
        if "def remember_paused_status" in p.read_text()
    ]
    migration = importlib.import_module(f"grants.migrations.{path.stem}")
    migration.remember_paused_status(global_apps, None)
    request.refresh_from_db()
    assert request.resumes_to == ApplicationStatus.IN_ASSESSMENT
    assert Application.objects.get().status == ApplicationStatus.SUPPLEMENT_REQUESTED
    assert (
        workflow.APPLICATION.resumed(ApplicationStatus.SUPPLEMENT_REQUESTED, request.resumes_to)
        == ApplicationStatus.IN_ASSESSMENT
    )


def test_a_meeting_waits_for_an_open_supplement_then_closes_after_the_answer(
    client, track, organisation, applicant, case_officer, decision_maker
):
    application = submit(
        factories.make_application(track=track, organisation=organisation), assess=True
    )
    meeting = DecisionMeeting.objects.create(round=track.round, date=dt.date(2030, 6, 12))
    meeting.agenda.add(application)
    decision_record(
        meeting=meeting,
        application=application,
        user=decision_maker,
        outcome="approved",
        amount=100_000,
    )
    request = _request(application, case_officer)

    client.force_login(decision_maker)
    html = client.get(f"/handlaggning/moten/{meeting.pk}/stang/").content.decode()
    assert "Väntar på komplettering" in html and 'name="confirm"' not in html
    with pytest.raises(ServiceError) as refused:
        meeting_close(meeting=meeting, user=decision_maker)
    assert refused.value.code == "awaiting_supplement"
    assert str(application) in refused.value.message

    supplement_answer(supplement=request, user=applicant, answer="Här.")
    meeting_close(meeting=meeting, user=decision_maker)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
