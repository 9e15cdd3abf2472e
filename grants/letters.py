"""What a decision or recovery letter says, gathered from the decision (read only).

A letter an officer would sign: the agency and its contact details, the case number and date,
the decision (approved, partly approved, refused) with reasons, the amount per grant year and per
instalment with dates, the conditions, the report due dates, how to request payment, whether and
how the decision may be appealed (as the ordinance says), the contact person, the decision maker
and the presenting officer."""

import datetime as dt

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from grants import roles
from grants.models import Decision, Grant, RecoveryClaim, User

AGENCY = {
    "name": "Delegationen mot segregation (Delmos)",
    "address": "Box 000, 211 00 Malmö",
    "email": "registrator@delmos.example",
    "phone": "040-000 00 00",
    "bankgiro": "000-0000",
}

# Ordinances under which the programme's decisions are made, and whether their decisions may be
# appealed. Both 2020 ordinances say: "Beslut enligt denna förordning får inte överklagas."
NOT_APPEALABLE = {
    "SFS 2018:118": _(
        "Under the Ordinance (2018:118) on state grants to municipalities and regions to reduce "
        "and counteract segregation, this decision may not be appealed."
    ),
    "SFS 2018:119": _(
        "Under the Ordinance (2018:119) on state grants to non-profit associations and "
        "foundations to reduce and counteract segregation, this decision may not be appealed."
    ),
}


def _staff(role: str):
    return (
        User.objects.filter(groups__name=role, is_active=True)
        .order_by("pk")
        .only("full_name", "email")
        .first()
    )


def signatories(decision: Decision) -> tuple[User | None, User | None]:
    """The decision maker (who closed the meeting, else the round's decision maker) and the
    presenting officer (the application's case officer, else who recorded the decision)."""
    maker = decision.meeting.closed_by or _staff(roles.DECISION_MAKER)
    presenter = (
        decision.application.assigned_officer
        or (decision.created_by if decision.created_by_id != getattr(maker, "pk", None) else None)
        or _staff(roles.CASE_OFFICER)
    )
    return maker, presenter


def outcome_of(decision: Decision) -> str:
    """approved, partly_approved or refused."""
    if decision.outcome == Decision.Outcome.REJECTED:
        return "refused"
    requested = decision.application.requested_amount or 0
    if decision.kind == Decision.Kind.ORIGINAL and 0 < decision.amount < requested:
        return "partly_approved"
    return "approved"


def amounts_per_year(decision: Decision) -> list[tuple[str, int]]:
    """The decided amount per grant year: as decided, else the whole amount in the year the
    round's grant period starts."""
    if decision.amount_per_year:
        return [
            (str(year), int(amount)) for year, amount in sorted(decision.amount_per_year.items())
        ]
    if not decision.amount:
        return []
    return [(str(decision.application.round.grant_period_start.year), decision.amount)]


def instalments(decision: Decision) -> list[dict]:
    """The payment plan: the grant's instalments when they exist, else the round's plan (equal
    parts, the first at the start of the grant period)."""
    grant = getattr(decision.application, "grant", None) if decision.amount else None
    if grant is not None:
        payments = list(grant.payments.exclude(status="cancelled").order_by("number"))
        if payments:
            return [
                {
                    "number": p.number,
                    "due": p.due_date,
                    "amount": p.amount,
                    "after_report": p.requires_progress_report,
                }
                for p in payments
            ]
    if not decision.amount:
        return []
    round_ = decision.application.round
    count = max(round_.instalments, 1)
    share, rest = divmod(decision.amount, count)
    dates = [round_.grant_period_start] + [
        round_.progress_report_due or round_.grant_period_start
    ] * (count - 1)
    return [
        {
            "number": i + 1,
            "due": dates[i],
            "amount": share + (rest if i == 0 else 0),
            "after_report": i > 0,
        }
        for i in range(count)
    ]


def report_dates(decision: Decision) -> list[tuple[str, dt.date]]:
    grant = getattr(decision.application, "grant", None) if decision.amount else None
    if grant is not None:
        reports = list(grant.reports.order_by("due_date"))
        if reports:
            return [(r.get_kind_display(), r.due_date) for r in reports]
    round_ = decision.application.round
    dates = []
    if round_.progress_report_due:
        dates.append((str(_("progress report")), round_.progress_report_due))
    dates.append((str(_("final report")), round_.final_report_due))
    return dates


def contact_for(presenter: User | None) -> dict:
    if presenter is not None:
        return {"name": presenter.get_full_name(), "email": presenter.email}
    return {"name": AGENCY["name"], "email": AGENCY["email"]}


def decision_letter_context(decision: Decision) -> dict:
    application = decision.application
    maker, presenter = signatories(decision)
    return {
        "agency": AGENCY,
        "decision": decision,
        "application": application,
        "organisation": application.organisation,
        "round": application.round,
        "track": application.track,
        "outcome": outcome_of(decision),
        "per_year": amounts_per_year(decision),
        "instalments": instalments(decision),
        "reports": report_dates(decision),
        "not_appealable": NOT_APPEALABLE.get(application.track.ordinance.strip()),
        "decision_maker": maker,
        "presenter": presenter,
        "contact": contact_for(presenter),
        "letter_date": decision.meeting.date,
        "grant": Grant.objects.filter(application=application).first(),
    }


def recovery_letter_context(claim: RecoveryClaim) -> dict:
    grant = claim.grant
    application = grant.application
    decision = (
        application.decisions.filter(Q(outcome=Decision.Outcome.APPROVED))
        .select_related("meeting")
        .order_by("-meeting__date")
        .first()
    )
    maker = (decision.meeting.closed_by if decision else None) or _staff(roles.DECISION_MAKER)
    presenter = application.assigned_officer or _staff(roles.CASE_OFFICER)
    return {
        "agency": AGENCY,
        "claim": claim,
        "grant": grant,
        "application": application,
        "organisation": application.organisation,
        "round": application.round,
        "track": application.track,
        "not_appealable": NOT_APPEALABLE.get(application.track.ordinance.strip()),
        "decision_maker": maker,
        "presenter": presenter,
        "contact": contact_for(presenter),
        "letter_date": (claim.created_at or dt.datetime.now(dt.UTC)).date(),
    }
