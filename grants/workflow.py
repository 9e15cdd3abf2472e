"""The application state machine as a plain table.

draft → submitted → (supplement_requested → submitted)* → in_assessment → approved | rejected,
and withdrawn from any state before a decision. Officers may also ask for a supplement while
assessing. Transitions are keyed by enum values, never by translated labels.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("supplement requested")
    IN_ASSESSMENT = "in_assessment", _("in assessment")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")
    WITHDRAWN = "withdrawn", _("withdrawn")


class Actor(StrEnum):
    """Who may perform a transition."""

    APPLICANT = "applicant"  # a member of the applying organisation
    CASE_OFFICER = "case_officer"
    DECISION_MAKER = "decision_maker"


@dataclass(frozen=True)
class Transition:
    source: ApplicationStatus
    target: ApplicationStatus
    action: str
    actors: frozenset[Actor]


S = ApplicationStatus
_APPLICANT = frozenset({Actor.APPLICANT})
_OFFICER = frozenset({Actor.CASE_OFFICER})
_DECIDER = frozenset({Actor.DECISION_MAKER})

TRANSITIONS: tuple[Transition, ...] = (
    Transition(S.DRAFT, S.SUBMITTED, "application.submitted", _APPLICANT),
    Transition(S.SUBMITTED, S.SUPPLEMENT_REQUESTED, "application.supplement_requested", _OFFICER),
    Transition(
        S.IN_ASSESSMENT, S.SUPPLEMENT_REQUESTED, "application.supplement_requested", _OFFICER
    ),
    Transition(S.SUPPLEMENT_REQUESTED, S.SUBMITTED, "application.supplement_answered", _APPLICANT),
    Transition(S.SUBMITTED, S.IN_ASSESSMENT, "application.assessment_started", _OFFICER),
    Transition(S.IN_ASSESSMENT, S.APPROVED, "application.approved", _DECIDER),
    Transition(S.IN_ASSESSMENT, S.REJECTED, "application.rejected", _DECIDER),
    Transition(S.DRAFT, S.WITHDRAWN, "application.withdrawn", _APPLICANT),
    Transition(S.SUBMITTED, S.WITHDRAWN, "application.withdrawn", _APPLICANT),
    Transition(S.SUPPLEMENT_REQUESTED, S.WITHDRAWN, "application.withdrawn", _APPLICANT),
    Transition(S.IN_ASSESSMENT, S.WITHDRAWN, "application.withdrawn", _APPLICANT),
)

_BY_PAIR = {(t.source, t.target): t for t in TRANSITIONS}

FINAL_STATUSES = frozenset({S.APPROVED, S.REJECTED, S.WITHDRAWN})
EDITABLE_STATUSES = frozenset({S.DRAFT})


def find_transition(source: str, target: str) -> Transition | None:
    return _BY_PAIR.get((ApplicationStatus(source), ApplicationStatus(target)))


def allowed_targets(source: str) -> list[ApplicationStatus]:
    return [t.target for t in TRANSITIONS if t.source == source]
