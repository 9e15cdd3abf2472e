"""Every transition of every workflow table: allowed for its actors and logged, refused to the
others, and every pair the table leaves out refused with a translated reason."""

import datetime as dt
import itertools

import pytest
from django.db import transaction
from django.utils import timezone

from grants import workflow
from grants.models import (
    Application,
    DecisionMeeting,
    Event,
    Grant,
    OutboxJob,
    Payment,
    Publication,
    RecoveryClaim,
    Report,
)
from grants.services import ServiceError
from grants.services.applications import application_transition
from grants.workflow import Actor, ApplicationStatus
from tests import factories

TRANSITIONS = [
    pytest.param(w, t, id=f"{w.name}:{t.source}->{t.target}")
    for w in workflow.WORKFLOWS.values()
    for t in w.transitions
]
HUMANS = (Actor.APPLICANT, Actor.CASE_OFFICER, Actor.DECISION_MAKER)


@pytest.fixture
def people(db):
    member = factories.make_user()
    org = factories.make_organisation(members=[member])
    return {
        "org": org,
        Actor.APPLICANT: member,
        Actor.CASE_OFFICER: factories.make_officer(),
        Actor.DECISION_MAKER: factories.make_decision_maker(),
        Actor.SYSTEM: None,
    }


def _row(model, org):
    """A row of `model` belonging to `org`."""
    application = factories.make_application(organisation=org)
    if model is Application:
        return application
    if model is DecisionMeeting:
        return DecisionMeeting.objects.create(round=application.round, date=dt.date(2030, 6, 1))
    if model is OutboxJob:
        return OutboxJob.objects.create(
            kind="email", application=application, round=application.round
        )
    if model is Publication:
        return Publication.objects.create(
            round=application.round,
            version=1,
            as_of=dt.date(2030, 6, 1),
            published_at=timezone.now(),
        )
    grant = factories.make_grant(application=application)
    if model is Grant:
        return grant
    if model is Payment:
        return Payment.objects.create(grant=grant, number=1, due_date=dt.date(2030, 7, 1), amount=1)
    if model is Report:
        return Report.objects.create(
            grant=grant, kind=Report.Kind.FINAL, due_date=dt.date(2031, 6, 1)
        )
    if model is RecoveryClaim:
        return RecoveryClaim.objects.create(
            grant=grant, amount=1, paid_basis=1, reason="Unused.", due_date=dt.date(2031, 9, 1)
        )
    raise AssertionError(model)


def _put(row, state):
    """Put a row straight into a state: these tests are about the step after it."""
    w = workflow.for_model(row)
    values = {}
    if w.column:
        values[w.column] = state
    if row.__class__ is Payment:
        values["paid_at"] = timezone.now() if state == Payment.Status.PAID else None
    if row.__class__ is RecoveryClaim:
        values["settled_at"] = timezone.now() if state == RecoveryClaim.Status.SETTLED else None
    type(row).objects.filter(pk=row.pk).update(**values)
    row.refresh_from_db()
    assert w.state_of(row) == state
    return row


def _move(row, target, user):
    with transaction.atomic():
        locked = type(row).objects.select_for_update().get(pk=row.pk)
        return workflow.transition(locked, target, user=user)


@pytest.mark.parametrize(("table", "step"), TRANSITIONS)
def test_every_transition_works_for_each_of_its_actors_and_writes_its_event(people, table, step):
    for actor in step.actors:
        row = _put(_row(table.model, people["org"]), step.source)
        before = Event.objects.count()

        moved = _move(row, step.target, people[actor])

        assert table.state_of(moved) == step.target
        if step.stamp:
            assert getattr(moved, step.stamp) is not None
        moved.refresh_from_db()
        assert table.state_of(moved) == step.target
        if not step.action:  # a step recorded on the row alone (an outbox job's progress)
            assert Event.objects.count() == before
            continue
        event = Event.objects.latest("pk")
        assert Event.objects.count() == before + 1
        assert event.action == step.verb(moved) and "{" not in event.action
        assert event.actor == people[actor]
        assert event.data["from"] == step.source and event.data["to"] == step.target
        assert event.visible_to_applicant == table.visible_to_applicant
        for name, value in table.context(moved).items():
            assert getattr(event, name) == value


@pytest.mark.parametrize(("table", "step"), TRANSITIONS)
def test_every_transition_is_refused_to_people_it_does_not_list(people, table, step):
    stranger = factories.make_user()
    row = _put(_row(table.model, people["org"]), step.source)
    others = [people[a] for a in HUMANS if a not in step.actors]
    for user in [*others, stranger]:
        with pytest.raises(ServiceError) as refused:
            _move(row, step.target, user)
        assert refused.value.code == "permission_denied"
    row.refresh_from_db()
    assert table.state_of(row) == step.source
    assert not Event.objects.exists()


@pytest.mark.parametrize("table", workflow.WORKFLOWS.values(), ids=lambda w: w.name)
def test_every_step_the_table_leaves_out_is_refused_with_a_translated_reason(people, table):
    row = _row(table.model, people["org"])
    pairs = [
        (source, target)
        for source, target in itertools.product(table.states.values, repeat=2)
        if table.find(source, target) is None
    ]
    assert pairs
    for source, target in pairs:
        row = _put(row, source)
        with pytest.raises(ServiceError) as refused:
            _move(row, target, None)  # not even the system
        message, code = table.refusals.get(target, (None, "transition_not_allowed"))
        assert refused.value.code == code
        if message is None or "%(current)s" in str(message) or "%(status)s" in str(message):
            assert str(table.states(source).label) in str(refused.value)
        row.refresh_from_db()
        assert table.state_of(row) == source
    assert not Event.objects.exists()


def test_a_transition_outside_a_transaction_is_refused(people, monkeypatch):
    application = factories.make_application(organisation=people["org"])

    class Autocommit:
        in_atomic_block = False

    monkeypatch.setattr(workflow.transaction, "get_connection", lambda: Autocommit())
    with pytest.raises(RuntimeError, match="inside the transaction"):
        workflow.apply(application, workflow.APPLICATION.find("draft", "submitted"), user=None)
    monkeypatch.undo()
    application.refresh_from_db()
    assert application.status == "draft" and not Event.objects.exists()


# -- the groups the rest of the code uses are read off the tables -----------------------------------


def test_status_groups_follow_from_the_tables():
    a = ApplicationStatus
    assert {a.APPROVED, a.REJECTED, a.WITHDRAWN} == workflow.FINAL_STATUSES
    assert {a.DRAFT} == workflow.EDITABLE_STATUSES
    assert {a.SUBMITTED, a.SUPPLEMENT_REQUESTED, a.IN_ASSESSMENT} == workflow.OPEN_STATUSES
    assert set(a.values) - {a.DRAFT} == workflow.SUBMITTED_STATUSES
    assert {a.APPROVED, a.REJECTED} == workflow.DECIDED_STATUSES
    assert {a.IN_ASSESSMENT, a.APPROVED} == workflow.AGENDA_STATUSES
    assert set(a.values) - workflow.FINAL_STATUSES == workflow.WITHDRAWABLE_STATUSES
    assert {DecisionMeeting.Status.OPEN} == workflow.MEETING_OPEN_STATUSES
    assert {DecisionMeeting.Status.CLOSED} == workflow.MEETING_CLOSED_STATUSES
    assert {
        Publication.Status.PENDING,
        Publication.Status.RENDERING,
    } == workflow.PUBLICATION_CLAIMABLE_STATUSES
    assert {Payment.Status.PLANNED} == workflow.PAYMENT_WAITING_STATUSES


def test_every_state_of_every_table_is_reachable_from_an_initial_state():
    for table in workflow.WORKFLOWS.values():
        reached = set(table.initial)
        frontier = list(reached)
        while frontier:
            for target in table.targets(frontier.pop()):
                if target not in reached:
                    reached.add(target)
                    frontier.append(target)
        assert reached == set(table.states.values), table.name


def test_new_rows_start_in_an_initial_state_or_at_the_end_of_a_walk():
    assert workflow.new(Payment, status=Payment.Status.RELEASED).status == "released"
    with pytest.raises(ValueError, match="cannot be created"):
        workflow.new(Payment, status=Payment.Status.PAID)
    path = ("draft", "submitted", "in_assessment", "approved")
    assert workflow.new(Application, history=path).status == "approved"
    with pytest.raises(ValueError, match="cannot go from draft to approved"):
        workflow.new(Application, history=("draft", "approved"))
    with pytest.raises(ValueError, match="cannot start"):
        workflow.new(Application, history=("submitted", "in_assessment"))


# -- applications: what the service adds to the table -------------------------------------------


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


def test_two_rounds_of_one_year_share_one_series_of_case_numbers(people):
    """A spring and an autumn call (or the open demonstration round beside a real one of the
    same year) number their cases in one series per prefix and year: never the same number
    twice."""
    spring = factories.make_track(round_=factories.make_round(year=2031))
    autumn = factories.make_track(round_=factories.make_round(year=2031))
    other_year = factories.make_track(round_=factories.make_round(year=2032))
    numbers = []
    for track in (spring, autumn, spring, other_year):
        app = factories.make_application(track=track, organisation=people["org"])
        app = application_transition(
            application=app, to_status="submitted", user=people[Actor.APPLICANT]
        )
        numbers.append(app.case_number)
    assert numbers == ["DELMOS 2031/1", "DELMOS 2031/2", "DELMOS 2031/3", "DELMOS 2032/1"]


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


def test_a_refused_submission_gives_no_case_number(people):
    app = factories.make_application(organisation=people["org"])
    with pytest.raises(ServiceError):
        application_transition(
            application=app, to_status="submitted", user=people[Actor.CASE_OFFICER]
        )
    app.refresh_from_db()
    assert app.case_number is None and app.round.last_case_sequence == 0


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
