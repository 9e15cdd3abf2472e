"""Every stateful model's life as a plain table, and the one function that changes a state.

A table lists, for one model, the states a row may be created in and each transition: from which
state to which, who may make it (actor roles; `system` for jobs and loaders) and the Event verb
it writes. Transitions are keyed by enum values, never by translated labels.

`transition()` is the only code that assigns a status (a guard test greps for any other): it
checks the table and the user's roles, sets the state, saves, and writes the Event in the
caller's transaction. Services lock the row, apply their own rules, then call it. `new()` builds
a row in an initial state, or (for loaders of past rounds) at the end of a walk through the
table. The status groups that selectors, services and views use are derived here, once.

    application  draft → submitted → in_assessment → approved | rejected; a supplement request
                 pauses submitted or in_assessment and its answer resumes the state it paused
                 (`resumes`); withdrawn from any state before a decision
    grant        active → closed (all money used) | reported (claim sent) → recovered;
                 closed | recovered → reported (a later claim)
    payment      planned → released → paid (an instalment may be created released);
                 planned | released → cancelled (the grant settled, or a correction lowered it)
    report       not_submitted → pending → approved | returned → pending …
    meeting      open → closed
    publication  pending → rendering → done | failed (→ pending: retried); rendering → pending
                 on a transient error, rendering → rendering when a dead worker's claim is taken
    claim        open → settled (read from settled_at)
    outbox job   pending → running → done | pending (a failed attempt, due again after a back-off)
                 | failed (the last attempt; → pending: an officer's retry); running → running
                 when a dead worker's job is taken over. Only failing and retrying write Events.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.db import models, transaction
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy

from grants import roles
from grants.models import (
    Application,
    ApplicationStatus,
    DecisionMeeting,
    Grant,
    Membership,
    OutboxJob,
    Payment,
    Publication,
    RecoveryClaim,
    Report,
)
from grants.roles import Actor
from grants.services import ServiceError
from grants.services.events import event_record


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    action: str  # the Event verb; "{obj.<field>}" is filled from the row
    actors: frozenset[Actor]
    stamp: str = ""  # a timestamp field set to now with the change
    # Ends a pause: the row goes back to the state it was in when the pause began, so the table
    # lists one such step back for every step into the pause (Workflow.resumed).
    resumes: bool = False

    def verb(self, obj) -> str:
        return self.action.format(obj=obj)


@dataclass(frozen=True)
class Workflow:
    """One model's table."""

    model: type[models.Model]
    states: type[models.TextChoices]
    initial: frozenset[str]
    transitions: tuple[Transition, ...]
    # The column that holds the state; empty when the state is read from other fields.
    column: str = "status"
    # Where the Event of a transition belongs: Event fields from the row.
    context: Callable[[models.Model], dict] = lambda obj: {}
    visible_to_applicant: bool = True
    # Whose members act as the applicant: the organisation's id, from the row.
    organisation_id: Callable[[models.Model], int | None] = lambda obj: None
    # Clearer refusals than the generic one, per target state: (message, code).
    refusals: dict = field(default_factory=dict)
    forbidden: str = gettext_lazy("You may not make this change.")

    def __post_init__(self):
        values = set(self.states.values)
        steps = [(t.source, t.target) for t in self.transitions]
        if not self.initial <= values or not {s for step in steps for s in step} <= values:
            raise ValueError(f"The {self.model.__name__} table names a state it does not have.")
        if len(set(steps)) != len(steps):
            raise ValueError(f"The {self.model.__name__} table lists a transition twice.")
        for paused in {t.source for t in self.transitions if t.resumes}:
            back = {t.target for t in self.transitions if t.source == paused and t.resumes}
            if back != self.sources(paused):
                raise ValueError(
                    f"The {self.model.__name__} table's pause {paused} does not lead back to "
                    "every state it is entered from."
                )

    @property
    def name(self) -> str:
        return self.model._meta.model_name

    def state_of(self, obj) -> str:
        return getattr(obj, self.column or "status")

    def find(self, source: str, target: str) -> Transition | None:
        return next(
            (t for t in self.transitions if t.source == source and t.target == target), None
        )

    def targets(self, source: str) -> list[str]:
        return [t.target for t in self.transitions if t.source == source]

    def sources(self, target: str) -> frozenset[str]:
        """The states from which `target` is one step away."""
        return frozenset(t.source for t in self.transitions if t.target == target)

    @property
    def final(self) -> frozenset[str]:
        """States nothing leads out of."""
        return frozenset(self.states.values) - {t.source for t in self.transitions}

    @property
    def active(self) -> frozenset[str]:
        """States something may still follow."""
        return frozenset(self.states.values) - self.final

    @property
    def pauses(self) -> frozenset[str]:
        """States a row leaves by going back to where it was (e.g. a supplement request)."""
        return frozenset(t.source for t in self.transitions if t.resumes)

    def resumed(self, paused: str, came_from: str) -> str:
        """The state a row in the pause `paused`, entered from `came_from`, goes back to: the
        one it came from. A ValueError if the table has no such way back."""
        step = self.find(paused, came_from)
        if step is None or not step.resumes:
            raise ValueError(f"A {self.name} in {paused} does not go back to {came_from}.")
        return step.target

    def walk(self, path: Sequence[str]) -> list[Transition]:
        """The transitions along `path`, which must start in an initial state."""
        if not path or path[0] not in self.initial:
            raise ValueError(f"A {self.name} cannot start in {path[:1]}.")
        steps = []
        for source, target in zip(path, path[1:], strict=False):
            step = self.find(source, target)
            if step is None:
                raise ValueError(f"A {self.name} cannot go from {source} to {target}.")
            steps.append(step)
        return steps

    def refusal(self, current: str, target: str) -> ServiceError:
        labels = {
            "current": self.states(current).label,
            "status": self.states(current).label,
            "target": self.states(target).label,
            "kind": capfirst(self.model._meta.verbose_name),
        }
        message, code = self.refusals.get(
            target,
            (
                gettext_lazy("%(kind)s: “%(current)s” cannot become “%(target)s”."),
                "transition_not_allowed",
            ),
        )
        return ServiceError(str(message) % labels, code=code)


def _via_grant(obj) -> dict:
    return {"application": obj.grant.application, "grant": obj.grant}


def _grant_organisation(obj) -> int:
    return obj.grant.application.organisation_id


_A = ApplicationStatus
_APPLICANT = frozenset({Actor.APPLICANT})
_OFFICER = frozenset({Actor.CASE_OFFICER})
_DECIDER = frozenset({Actor.DECISION_MAKER})
_SYSTEM = frozenset({Actor.SYSTEM})
_OFFICER_OR_DECIDER = frozenset({Actor.CASE_OFFICER, Actor.DECISION_MAKER})

APPLICATION = Workflow(
    model=Application,
    states=ApplicationStatus,
    initial=frozenset({_A.DRAFT}),
    transitions=(
        Transition(_A.DRAFT, _A.SUBMITTED, "application.submitted", _APPLICANT),
        Transition(
            _A.SUBMITTED, _A.SUPPLEMENT_REQUESTED, "application.supplement_requested", _OFFICER
        ),
        Transition(
            _A.IN_ASSESSMENT, _A.SUPPLEMENT_REQUESTED, "application.supplement_requested", _OFFICER
        ),
        # The answer to a supplement request takes the case back to where it was: still waiting
        # for its assessment, or under assessment (and so ready for a meeting again).
        Transition(
            _A.SUPPLEMENT_REQUESTED,
            _A.SUBMITTED,
            "application.supplement_answered",
            _APPLICANT,
            resumes=True,
        ),
        Transition(
            _A.SUPPLEMENT_REQUESTED,
            _A.IN_ASSESSMENT,
            "application.supplement_answered",
            _APPLICANT,
            resumes=True,
        ),
        Transition(_A.SUBMITTED, _A.IN_ASSESSMENT, "application.assessment_started", _OFFICER),
        Transition(_A.IN_ASSESSMENT, _A.APPROVED, "application.approved", _DECIDER),
        Transition(_A.IN_ASSESSMENT, _A.REJECTED, "application.rejected", _DECIDER),
        Transition(_A.DRAFT, _A.WITHDRAWN, "application.withdrawn", _APPLICANT),
        Transition(_A.SUBMITTED, _A.WITHDRAWN, "application.withdrawn", _APPLICANT),
        Transition(_A.SUPPLEMENT_REQUESTED, _A.WITHDRAWN, "application.withdrawn", _APPLICANT),
        Transition(_A.IN_ASSESSMENT, _A.WITHDRAWN, "application.withdrawn", _APPLICANT),
    ),
    context=lambda obj: {"application": obj},
    organisation_id=lambda obj: obj.organisation_id,
    forbidden=gettext_lazy("You may not make this change to the application."),
    refusals={
        target: (
            gettext_lazy("An application that is %(current)s cannot become %(target)s."),
            "transition_not_allowed",
        )
        for target in ApplicationStatus.values
    },
)

_G = Grant.Status
GRANT = Workflow(
    model=Grant,
    states=_G,
    initial=frozenset({_G.ACTIVE}),
    transitions=(
        Transition(_G.ACTIVE, _G.CLOSED, "grant.closed", _OFFICER),
        Transition(_G.ACTIVE, _G.REPORTED, "grant.reported", _OFFICER),
        Transition(_G.REPORTED, _G.RECOVERED, "grant.recovered", _OFFICER),
        # A later claim (misuse, a missing report, broken conditions) on a settled grant.
        Transition(_G.CLOSED, _G.REPORTED, "grant.reported", _OFFICER),
        Transition(_G.RECOVERED, _G.REPORTED, "grant.reported", _OFFICER),
    ),
    context=lambda obj: {"application": obj.application, "grant": obj},
    organisation_id=lambda obj: obj.application.organisation_id,
)

_P = Payment.Status
PAYMENT = Workflow(
    model=Payment,
    states=_P,
    # The first instalment, and a supplementary grant's, are released when the grant is made.
    initial=frozenset({_P.PLANNED, _P.RELEASED}),
    transitions=(
        Transition(_P.PLANNED, _P.RELEASED, "payment.released", _OFFICER, stamp="released_at"),
        Transition(_P.RELEASED, _P.PAID, "payment.paid", _OFFICER, stamp="paid_at"),
        Transition(
            _P.PLANNED, _P.CANCELLED, "payment.cancelled", _OFFICER_OR_DECIDER, "cancelled_at"
        ),
        Transition(
            _P.RELEASED, _P.CANCELLED, "payment.cancelled", _OFFICER_OR_DECIDER, "cancelled_at"
        ),
    ),
    context=_via_grant,
    organisation_id=_grant_organisation,
    refusals={
        _P.PAID: (
            gettext_lazy("Only a released instalment can be marked paid; this one is %(status)s."),
            "transition_not_allowed",
        )
    },
)

_R = Report.Review
_REVIEW_REFUSAL = (
    gettext_lazy(
        "Only a submitted report awaiting review can be reviewed; this one is %(status)s."
    ),
    "transition_not_allowed",
)
REPORT = Workflow(
    model=Report,
    states=_R,
    column="review_status",
    initial=frozenset({_R.NOT_SUBMITTED}),
    transitions=(
        Transition(
            _R.NOT_SUBMITTED, _R.PENDING, "report.{obj.kind}_submitted", _APPLICANT, "submitted_at"
        ),
        Transition(
            _R.RETURNED, _R.PENDING, "report.{obj.kind}_submitted", _APPLICANT, "submitted_at"
        ),
        Transition(_R.PENDING, _R.APPROVED, "report.approved", _OFFICER, stamp="reviewed_at"),
        Transition(_R.PENDING, _R.RETURNED, "report.returned", _OFFICER, stamp="reviewed_at"),
    ),
    context=_via_grant,
    organisation_id=_grant_organisation,
    refusals={
        _R.PENDING: (gettext_lazy("The report has already been submitted."), "submitted"),
        _R.APPROVED: _REVIEW_REFUSAL,
        _R.RETURNED: _REVIEW_REFUSAL,
    },
)

_M = DecisionMeeting.Status
MEETING = Workflow(
    model=DecisionMeeting,
    states=_M,
    initial=frozenset({_M.OPEN}),
    transitions=(Transition(_M.OPEN, _M.CLOSED, "meeting.closed", _DECIDER, stamp="closed_at"),),
    context=lambda obj: {"round": obj.round, "target": str(obj)},
    visible_to_applicant=False,
    refusals={
        _M.CLOSED: (
            gettext_lazy(
                "The meeting is closed: its decisions are final. A correction is a new decision."
            ),
            "meeting_closed",
        )
    },
)

_PUB = Publication.Status
PUBLICATION = Workflow(
    model=Publication,
    states=_PUB,
    initial=frozenset({_PUB.PENDING}),
    transitions=(
        Transition(_PUB.PENDING, _PUB.RENDERING, "publication.rendering", _SYSTEM, "started_at"),
        # A worker died while rendering: the sweeper's new job takes the row over.
        Transition(_PUB.RENDERING, _PUB.RENDERING, "publication.rendering", _SYSTEM, "started_at"),
        # A transient error: the job retries later.
        Transition(_PUB.RENDERING, _PUB.PENDING, "publication.requeued", _SYSTEM),
        Transition(_PUB.RENDERING, _PUB.DONE, "publication.rendered", _SYSTEM, "finished_at"),
        Transition(_PUB.RENDERING, _PUB.FAILED, "publication.failed", _SYSTEM, "finished_at"),
        Transition(
            _PUB.FAILED,
            _PUB.PENDING,
            "publication.retried",
            frozenset({Actor.DECISION_MAKER, Actor.SYSTEM}),
        ),
    ),
    context=lambda obj: {"round": obj.round, "target": str(obj)},
    visible_to_applicant=False,
    refusals={
        _PUB.PENDING: (gettext_lazy("Only a failed publication can be retried."), "not_failed")
    },
)

_C = RecoveryClaim.Status
CLAIM = Workflow(
    model=RecoveryClaim,
    states=_C,
    column="",  # read from settled_at
    initial=frozenset({_C.OPEN}),
    transitions=(
        Transition(_C.OPEN, _C.SETTLED, "recovery.settled", _OFFICER, stamp="settled_at"),
    ),
    context=_via_grant,
    organisation_id=_grant_organisation,
    refusals={_C.SETTLED: (gettext_lazy("The claim is settled already."), "settled")},
)

_O = OutboxJob.Status
_OUTBOX_RETRIERS = frozenset({Actor.CASE_OFFICER, Actor.DECISION_MAKER, Actor.SYSTEM})
# A job's steps are the system's own and leave no Event (an empty action): the job row is their
# record. A job that failed for good, and an officer's retry of it, are in the audit log.
OUTBOX = Workflow(
    model=OutboxJob,
    states=_O,
    initial=frozenset({_O.PENDING}),
    transitions=(
        Transition(_O.PENDING, _O.RUNNING, "", _SYSTEM, "started_at"),
        # A worker died while running the job: the sweeper's new message takes it over.
        Transition(_O.RUNNING, _O.RUNNING, "", _SYSTEM, "started_at"),
        # A failed attempt with attempts left: due again after a back-off.
        Transition(_O.RUNNING, _O.PENDING, "", _SYSTEM),
        Transition(_O.RUNNING, _O.DONE, "", _SYSTEM, "finished_at"),
        Transition(_O.RUNNING, _O.FAILED, "outbox.failed", _SYSTEM, "finished_at"),
        Transition(_O.FAILED, _O.PENDING, "outbox.retried", _OUTBOX_RETRIERS),
    ),
    context=lambda obj: {
        "application": obj.application,
        "round": obj.round,
        "target": obj.description or obj.kind,
    },
    visible_to_applicant=False,
    refusals={_O.PENDING: (gettext_lazy("Only a failed job can be retried."), "not_failed")},
)

WORKFLOWS: dict[type[models.Model], Workflow] = {
    w.model: w for w in (APPLICATION, GRANT, PAYMENT, REPORT, MEETING, PUBLICATION, CLAIM, OUTBOX)
}

# -- status groups, derived from the tables --------------------------------------------------------

# Applications: a draft is the applicant's alone; staff see everything after it.
EDITABLE_STATUSES = APPLICATION.initial
SUBMITTED_STATUSES = frozenset(_A.values) - APPLICATION.initial
FINAL_STATUSES = APPLICATION.final  # approved, rejected, withdrawn
# In the officers' hands: submitted and not yet decided or withdrawn.
OPEN_STATUSES = SUBMITTED_STATUSES - FINAL_STATUSES
# What a decision meeting decides, and from what.
DECIDED_STATUSES = frozenset(
    t.target for t in APPLICATION.transitions if Actor.DECISION_MAKER in t.actors
)
# On a meeting's agenda: ready for a decision, or approved already (for a supplementary grant).
AGENDA_STATUSES = frozenset().union(*(APPLICATION.sources(s) for s in DECIDED_STATUSES)) | {
    _A.APPROVED
}
WITHDRAWABLE_STATUSES = APPLICATION.sources(_A.WITHDRAWN)

MEETING_OPEN_STATUSES = MEETING.active  # decisions may still change
MEETING_CLOSED_STATUSES = MEETING.final  # its decisions are final
PUBLICATION_CLAIMABLE_STATUSES = PUBLICATION.sources(_PUB.RENDERING)  # a render job may take it
PAYMENT_WAITING_STATUSES = PAYMENT.sources(_P.RELEASED)  # planned, not yet released
PAYMENT_UNPAID_STATUSES = PAYMENT.sources(_P.CANCELLED)  # planned or released: may be cancelled
PAYMENT_LIVE_STATUSES = frozenset(_P.values) - {_P.CANCELLED}  # count against the grant


# -- performing -----------------------------------------------------------------------------------


def for_model(model_or_obj) -> Workflow:
    model = model_or_obj if isinstance(model_or_obj, type) else type(model_or_obj)
    return WORKFLOWS[model]


def actors_for(user, obj, *, needed: Iterable[Actor] = tuple(Actor)) -> set[Actor]:
    """The roles `user` holds towards `obj`. None is the system (jobs, loaders, set-up code),
    trusted with every transition; a person never acts as the system. Asks the database about
    membership only when the applicant's role is one that is needed."""
    if user is None:
        return set(Actor)
    actors = roles.staff_actors(user)
    if Actor.APPLICANT in needed and user.is_authenticated:
        organisation_id = for_model(obj).organisation_id(obj)
        if (
            organisation_id is not None
            and Membership.objects.filter(user=user, organisation_id=organisation_id).exists()
        ):
            actors.add(Actor.APPLICANT)
    return actors


def check(obj, target: str, *, user=None) -> Transition:
    """The transition of `obj` to `target` if the table allows it and `user` may make it;
    otherwise a ServiceError with a translated reason."""
    workflow = for_model(obj)
    current = workflow.state_of(obj)
    step = workflow.find(current, target)
    if step is None:
        raise workflow.refusal(current, target)
    if not (step.actors & actors_for(user, obj, needed=step.actors)):
        raise ServiceError(str(workflow.forbidden), code="permission_denied")
    return step


def apply(obj, step: Transition, *, user=None, data: dict | None = None, fields=()) -> None:
    """Make a checked transition: set the state (and its timestamp), save it with `fields`, and
    write its Event. Call inside the transaction that locked the row."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("A transition runs inside the transaction that locked the row.")
    workflow = for_model(obj)
    update = list(fields)
    if workflow.column:
        setattr(obj, workflow.column, step.target)
        update.append(workflow.column)
    if step.stamp:
        setattr(obj, step.stamp, timezone.now())
        update.append(step.stamp)
    obj.save(update_fields=list(dict.fromkeys(update)))
    if not step.action:  # a step that is recorded on the row alone (an outbox job's progress)
        return
    event_record(
        action=step.verb(obj),
        actor=user,
        data={"from": step.source, "to": step.target, **(data or {})},
        visible_to_applicant=workflow.visible_to_applicant,
        **workflow.context(obj),
    )


def transition(obj, target: str, *, user=None, data: dict | None = None, fields=()):
    """Check and make the transition of `obj` (a row the caller has locked) to `target`."""
    step = check(obj, target, user=user)
    apply(obj, step, user=user, data=data, fields=fields)
    return obj


def new(model: type[models.Model], *, status: str | None = None, history=None, **values):
    """An unsaved row in an initial state (default: the model's default), or, for loaders of
    past rounds, at the end of `history`, a walk through the table from an initial state."""
    workflow = for_model(model)
    if history is not None:
        workflow.walk(history)
        status = history[-1]
    obj = model(**values)
    if status is not None:
        if history is None and status not in workflow.initial:
            raise ValueError(f"A {workflow.name} cannot be created {status}.")
        if not workflow.column:
            raise ValueError(f"A {workflow.name}'s state is read from other fields.")
        setattr(obj, workflow.column, status)
    return obj
