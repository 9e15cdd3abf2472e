"""The decisions of the two June 2020 meetings, Landskrona kommun's supplementary grant of
25 June, and the grant each approval creates."""

import datetime as dt

from grants import workflow
from grants.demo.facts import MEETING_2, REJECTION_REASONS, at
from grants.demo.plan import Planned
from grants.models import Application, Decision, DecisionMeeting, Grant


def record(
    app: Application,
    p: Planned,
    *,
    meeting: DecisionMeeting,
    meetings: dict[dt.date, DecisionMeeting],
    history=(Grant.Status.ACTIVE, Grant.Status.CLOSED),
) -> Grant | None:
    """Decide the application at its meeting; an approval (with its supplement, if any) makes
    a grant, closed by now. Returns the grant, or None for a rejection."""
    approved = p.granted > 0
    Decision.objects.create(
        application=app,
        meeting=meeting,
        outcome=Decision.Outcome.APPROVED if approved else Decision.Outcome.REJECTED,
        amount=p.granted,
        reasons="" if approved else REJECTION_REASONS,
        created_at=at(meeting.date, 14),
        is_demo=not p.fact,
    )
    if not approved:
        return None
    total = p.granted
    if p.supplement:
        Decision.objects.create(
            application=app,
            meeting=meetings[MEETING_2],
            outcome=Decision.Outcome.APPROVED,
            kind=Decision.Kind.SUPPLEMENTARY,
            amount=p.supplement,
            reasons="Tilläggsbidrag efter omfördelningen den 25 juni 2020.",
            created_at=at(MEETING_2, 14),
            is_demo=False,
        )
        total += p.supplement
    grant = workflow.new(
        Grant,
        history=history,
        application=app,
        public_title=p.title,
        public_summary=p.summary,
        amount_total=total,
        awarded_on=meeting.date,
        last_decided_on=MEETING_2 if p.supplement else meeting.date,
        has_supplementary=bool(p.supplement),
        is_demo=True,
    )
    grant.save()
    grant.beneficiary_kommuner.set(p.areas)
    return grant
