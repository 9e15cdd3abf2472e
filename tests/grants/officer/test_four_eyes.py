"""The second assessment (four-eyes) a track requires above an amount, and conflicts of interest
declared at a meeting: the rules live in the services, so these tests call them directly."""

import datetime as dt

import pytest

from grants.models import Decision, DecisionMeeting, Event, MeetingConflict, SecondAssessment
from grants.services import ServiceError
from grants.services.decisions import (
    decision_record,
    meeting_add_applications,
    meeting_close,
    meeting_conflict_declare,
)
from grants.services.officer import (
    assessment_save,
    second_assessment_missing,
    second_assessment_required,
    second_assessment_save,
)
from tests import factories

from .conftest import submit

pytestmark = pytest.mark.django_db

SCORES = {
    "formal_requirements_met": True,
    "score_relevance": 4,
    "score_goal_fulfilment": 4,
    "score_efficiency": 3,
    "score_long_term": 3,
    "recommendation": "approve",
    "proposed_amount": 400_000,
}


@pytest.fixture
def four_eyes_track(db):
    return factories.make_track(budget_cap=5_000_000, second_assessment_above=300_000)


@pytest.fixture
def second_officer(db):
    return factories.make_officer(email="second@example.org", full_name="Sam Andra")


@pytest.fixture
def meeting(four_eyes_track):
    return DecisionMeeting.objects.create(round=four_eyes_track.round, date=dt.date(2030, 6, 12))


def _assessed(track, officer, **extra):
    application = submit(factories.make_application(track=track, **extra))
    assessment_save(application=application, user=officer, data=SCORES, expected_version=None)
    application.refresh_from_db()
    return application


def test_a_track_requires_a_second_assessment_only_above_its_amount(four_eyes_track):
    big = factories.make_application(track=four_eyes_track, requested_amount=300_001)
    at_limit = factories.make_application(track=four_eyes_track, requested_amount=300_000)
    other = factories.make_application(requested_amount=9_000_000)  # a track with no limit
    assert second_assessment_required(big)
    assert not second_assessment_required(at_limit)
    assert not second_assessment_required(other)
    assert second_assessment_missing([big.pk, at_limit.pk, other.pk]) == [big]


def test_the_second_assessor_must_be_another_officer(four_eyes_track, case_officer):
    application = _assessed(four_eyes_track, case_officer)
    with pytest.raises(ServiceError) as refused:
        second_assessment_save(
            application=application, user=case_officer, data=SCORES, expected_version=None
        )
    assert refused.value.code == "same_officer"
    assert not SecondAssessment.objects.exists()


def test_the_second_assessor_cannot_then_rewrite_the_first(
    four_eyes_track, case_officer, second_officer
):
    application = _assessed(four_eyes_track, case_officer)
    second_assessment_save(
        application=application, user=second_officer, data=SCORES, expected_version=None
    )
    with pytest.raises(ServiceError) as refused:
        assessment_save(
            application=application, user=second_officer, data=SCORES, expected_version=1
        )
    assert refused.value.code == "same_officer"


def test_a_second_assessment_needs_the_first(four_eyes_track, second_officer):
    application = submit(factories.make_application(track=four_eyes_track))
    with pytest.raises(ServiceError) as refused:
        second_assessment_save(
            application=application, user=second_officer, data=SCORES, expected_version=None
        )
    assert refused.value.code == "no_first_assessment"


def test_the_meeting_refuses_a_case_whose_second_assessment_is_missing(
    four_eyes_track, meeting, case_officer, second_officer, decision_maker
):
    small = _assessed(four_eyes_track, case_officer, requested_amount=200_000)
    big = _assessed(four_eyes_track, case_officer, requested_amount=800_000)
    with pytest.raises(ServiceError) as refused:
        meeting_add_applications(meeting=meeting, applications=[small, big], user=case_officer)
    assert refused.value.code == "second_assessment_missing"
    assert str(big) in refused.value.message and str(small) not in refused.value.message
    assert not meeting.agenda.exists()

    saved = second_assessment_save(
        application=big,
        user=second_officer,
        data={**SCORES, "score_relevance": 2, "recommendation": "reject"},
        expected_version=None,
    )
    assert saved.version == 1 and saved.officer == second_officer
    assert Event.objects.filter(action="assessment.second_saved", application=big).exists()
    n = meeting_add_applications(meeting=meeting, applications=[small, big], user=case_officer)
    assert n == 2


def test_closing_refuses_an_agenda_item_whose_second_assessment_went_missing(
    four_eyes_track, meeting, case_officer, decision_maker
):
    """The limit may be lowered after the case was put on the agenda: the close checks again."""
    application = _assessed(four_eyes_track, case_officer, requested_amount=250_000)
    meeting_add_applications(meeting=meeting, applications=[application], user=case_officer)
    decision_record(
        meeting=meeting,
        application=application,
        user=decision_maker,
        outcome="approved",
        amount=250_000,
    )
    four_eyes_track.second_assessment_above = 100_000
    four_eyes_track.save()
    with pytest.raises(ServiceError) as refused:
        meeting_close(meeting=meeting, user=decision_maker)
    assert refused.value.code == "second_assessment_missing"
    meeting.refresh_from_db()
    assert meeting.status == DecisionMeeting.Status.OPEN


def test_a_conflicted_decision_maker_may_not_decide_the_case_or_close_the_meeting(
    four_eyes_track, meeting, case_officer, decision_maker
):
    colleague = factories.make_decision_maker(email="colleague@example.org")
    application = _assessed(four_eyes_track, case_officer, requested_amount=200_000)
    other = _assessed(four_eyes_track, case_officer, requested_amount=100_000)
    meeting_add_applications(meeting=meeting, applications=[application, other], user=case_officer)
    meeting_conflict_declare(
        meeting=meeting, application=application, user=decision_maker, reason="Min bror"
    )
    assert MeetingConflict.objects.get().reason == "Min bror"
    assert Event.objects.filter(action="meeting.conflict_declared").count() == 1
    # Declaring twice records it once.
    meeting_conflict_declare(meeting=meeting, application=application, user=decision_maker)
    assert MeetingConflict.objects.count() == 1

    with pytest.raises(ServiceError) as refused:
        decision_record(
            meeting=meeting,
            application=application,
            user=decision_maker,
            outcome="approved",
            amount=200_000,
        )
    assert refused.value.code == "conflict_of_interest"
    decision_record(
        meeting=meeting, application=other, user=decision_maker, outcome="approved", amount=1
    )
    decision_record(
        meeting=meeting, application=application, user=colleague, outcome="approved", amount=2
    )
    with pytest.raises(ServiceError) as refused:
        meeting_close(meeting=meeting, user=decision_maker)
    assert refused.value.code == "conflict_of_interest"
    assert str(application) in refused.value.message and str(other) not in refused.value.message
    meeting.refresh_from_db()
    assert meeting.status == DecisionMeeting.Status.OPEN

    meeting_close(meeting=meeting, user=colleague)
    meeting.refresh_from_db()
    assert meeting.status == DecisionMeeting.Status.CLOSED
    assert Decision.objects.filter(meeting=meeting).count() == 2


def test_a_conflict_is_declared_only_on_an_open_meetings_agenda(
    four_eyes_track, meeting, case_officer, decision_maker
):
    application = _assessed(four_eyes_track, case_officer, requested_amount=100_000)
    with pytest.raises(ServiceError):
        meeting_conflict_declare(meeting=meeting, application=application, user=decision_maker)
    with pytest.raises(ServiceError) as refused:
        meeting_conflict_declare(meeting=meeting, application=application, user=case_officer)
    assert refused.value.code == "permission_denied"
