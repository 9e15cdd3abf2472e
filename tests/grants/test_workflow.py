import itertools

import pytest

from grants.models import Application, Event
from grants.services import ServiceError
from grants.services.applications import application_transition
from grants.workflow import TRANSITIONS, Actor, ApplicationStatus, find_transition
from tests import factories

ALL_PAIRS = list(itertools.permutations(ApplicationStatus.values, 2))
ALLOWED = {(t.source.value, t.target.value) for t in TRANSITIONS}
FORBIDDEN = [pair for pair in ALL_PAIRS if pair not in ALLOWED]


@pytest.fixture
def people(db):
    member = factories.make_user()
    org = factories.make_organisation(members=[member])
    return {
        "org": org,
        Actor.APPLICANT: member,
        Actor.CASE_OFFICER: factories.make_officer(),
        Actor.DECISION_MAKER: factories.make_decision_maker(),
    }


def _application_in(status, org):
    app = factories.make_application(organisation=org)
    # Put it straight into the starting state: this test is about the step after it.
    Application.objects.filter(pk=app.pk).update(status=status)
    app.refresh_from_db()
    return app


@pytest.mark.parametrize(("source", "target"), sorted(ALLOWED))
def test_every_allowed_transition_works_for_its_actor_and_is_logged(people, source, target):
    transition = find_transition(source, target)
    actor = people[next(iter(sorted(transition.actors)))]
    app = _application_in(source, people["org"])

    result = application_transition(application=app, to_status=target, user=actor)

    assert result.status == target
    assert result.version == app.version + 1
    event = Event.objects.get(application=app)
    assert event.action == transition.action
    assert event.actor == actor
    assert event.data["from"] == source and event.data["to"] == target


@pytest.mark.parametrize(("source", "target"), sorted(ALLOWED))
def test_every_allowed_transition_is_refused_to_other_actors(people, source, target):
    transition = find_transition(source, target)
    app = _application_in(source, people["org"])
    for actor in set(Actor) - transition.actors:
        with pytest.raises(ServiceError) as exc:
            application_transition(application=app, to_status=target, user=people[actor])
        assert exc.value.code == "permission_denied"
    stranger = factories.make_user()
    with pytest.raises(ServiceError):
        application_transition(application=app, to_status=target, user=stranger)
    app.refresh_from_db()
    assert app.status == source
    assert not Event.objects.filter(application=app).exists()


@pytest.mark.parametrize(("source", "target"), FORBIDDEN)
def test_every_forbidden_transition_is_refused_with_a_clear_error(people, source, target):
    app = _application_in(source, people["org"])

    with pytest.raises(ServiceError) as exc:
        application_transition(application=app, to_status=target, user=None)

    assert exc.value.code == "transition_not_allowed"
    assert str(ApplicationStatus(source).label) in str(exc.value)
    app.refresh_from_db()
    assert app.status == source
    assert not Event.objects.filter(application=app).exists()


def test_submission_gives_case_numbers_in_order_without_gaps(people):
    track = factories.make_track()
    numbers = []
    for _ in range(3):
        app = factories.make_application(track=track, organisation=people["org"])
        app = application_transition(
            application=app, to_status="submitted", user=people[Actor.APPLICANT]
        )
        numbers.append(app.case_number)
    year = track.round.year
    assert numbers == [f"DELMOS {year}/1", f"DELMOS {year}/2", f"DELMOS {year}/3"]


def test_resubmission_after_a_supplement_keeps_the_case_number(people):
    app = factories.make_application(organisation=people["org"])
    app = application_transition(
        application=app, to_status="submitted", user=people[Actor.APPLICANT]
    )
    number = app.case_number
    app = application_transition(
        application=app, to_status="supplement_requested", user=people[Actor.CASE_OFFICER]
    )
    app = application_transition(
        application=app, to_status="submitted", user=people[Actor.APPLICANT]
    )
    assert app.case_number == number
    assert app.round.applications.exclude(case_number=None).count() == 1


def test_a_stale_version_is_refused(people):
    app = factories.make_application(organisation=people["org"])
    with pytest.raises(ServiceError) as exc:
        application_transition(
            application=app,
            to_status="submitted",
            user=people[Actor.APPLICANT],
            expected_version=app.version - 1,
        )
    assert exc.value.code == "stale_version"
