"""Correction decisions (ändringsbeslut): change a granted amount, move money between grant
years, or extend the project period. A correction is a decision of its own, taken by a decision
maker on the grant's page and recorded at its own (closed) decision meeting, so the ledger, the
public lists at their next publication and the open data follow it like any decision; its letter
is rendered after commit."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grants import roles, workflow
from grants.models import Decision, DecisionMeeting, Grant, Payment, Report
from grants.outbox import enqueue
from grants.selectors.officer import current_caps, decided_totals
from grants.services import ServiceError
from grants.services.events import event_record
from grants.services.ledger import base_year, grant_ledger
from grants.services.payments import instalment_add
from grants.services.reports import grant_lock
from grants.templatetags.delmos import format_sek

_P = Payment.Status


def _replan_year(*, grant: Grant, year: int, granted: int, paid: int, user, reason: str) -> None:
    """Make the unpaid instalments of one grant year add up to what is granted for it: cancel
    them and plan the rest again, released or waiting as the cancelled ones were."""
    unpaid = list(
        grant.payments.select_for_update()
        .filter(grant_year=year, status__in=workflow.PAYMENT_UNPAID_STATUSES)
        .order_by("number")
    )
    rest = granted - paid
    if sum(p.amount for p in unpaid) == rest:
        return
    waits = any(p.status == _P.PLANNED and p.requires_progress_report for p in unpaid)
    if not unpaid:
        earlier = grant.reports.filter(kind=Report.Kind.PROGRESS, grant_year__lt=year)
        waits = earlier.exclude(review_status=Report.Review.APPROVED).exists()
    for payment in unpaid:
        payment.grant = grant
        payment.cancel_reason = reason
        workflow.transition(
            payment,
            _P.CANCELLED,
            user=user,
            data={"payment": payment.pk, "amount": payment.amount, "reason": reason},
            fields=["cancel_reason"],
        )
    if rest <= 0:
        return
    # What did not wait for a report keeps not waiting (up to the rest); the remainder waits as
    # before. Each part is released only if it waits for no report and its year has started.
    held = [p for p in unpaid if p.status == _P.PLANNED and p.requires_progress_report]
    free = [p for p in unpaid if p not in held]
    if unpaid:
        now_part = min(sum(p.amount for p in free), rest) if held else rest
        parts = [(now_part, False, free), (rest - now_part, True, held)]
    else:
        parts = [(rest, waits, [])]
    for amount, part_waits, replaced in parts:
        if amount > 0:
            instalment_add(
                grant,
                year=year,
                amount=amount,
                user=user,
                reason=reason,
                waits=part_waits,
                not_before=min((p.due_date for p in replaced), default=None),
            )


@transaction.atomic
def correction_decide(
    *,
    grant: Grant,
    user,
    reasons: str,
    changes: dict[int, int] | None = None,
    period_end: dt.date | None = None,
) -> Decision:
    """Decide a correction: `changes` is the change of the amount per grant year (negative to
    lower it; a move adds up to zero), `period_end` a later end of the project period. Refused,
    with the limit named, when a year would be granted less than is paid in it, or a raise
    would exceed the track's cap."""
    if not roles.is_decision_maker(user):
        raise ServiceError(_("Only decision makers may do this."), code="permission_denied")
    if not (reasons or "").strip():
        raise ServiceError(_("Give the reasons for the correction."), field="reasons")
    changes = {int(y): int(v) for y, v in (changes or {}).items() if int(v)}
    if not changes and period_end is None:
        raise ServiceError(_("The correction changes nothing."), field="amount")
    grant = grant_lock(grant.pk)
    if grant.status != Grant.Status.ACTIVE:
        raise ServiceError(
            _("Only an active grant can be corrected; this one is %(status)s.")
            % {"status": grant.get_status_display()},
            code="not_active",
        )
    round_ = grant.application.round
    ledger = grant_ledger(grant)
    lines = {line.year: line.totals for line in ledger.lines}
    known = set(lines) | {base_year(grant)}
    for year, change in changes.items():
        if year not in known:
            raise ServiceError(
                _("%(year)s is not one of the grant's years (%(years)s).")
                % {"year": year, "years": ", ".join(str(y) for y in sorted(known))},
                field="year",
            )
        line = lines.get(year)
        granted = line.granted if line else 0
        paid = line.paid if line else 0
        if granted + change < paid:
            raise ServiceError(
                _(
                    "At most %(limit)s can be taken from %(year)s: %(granted)s granted, "
                    "%(paid)s of it paid."
                )
                % {
                    "limit": format_sek(granted - paid),
                    "year": year,
                    "granted": format_sek(granted),
                    "paid": format_sek(paid),
                },
                code="below_paid",
                field="amount",
            )
    net = sum(changes.values())
    if net > 0:
        cap = current_caps(round_=round_)[grant.application.track_id]
        decided = decided_totals(round_=round_).get(grant.application.track_id) or 0
        if decided + net > cap:
            raise ServiceError(
                _("At most %(limit)s can be added: the track's cap is %(cap)s.")
                % {"limit": format_sek(max(cap - decided, 0)), "cap": format_sek(cap)},
                code="cap_exceeded",
                field="amount",
            )
    old_end = grant.period_end or round_.grant_period_end
    if period_end is not None and period_end <= old_end:
        raise ServiceError(
            _("The project period ends on %(date)s; give a later date to extend it.")
            % {"date": old_end.isoformat()},
            field="period_end",
        )
    today = timezone.localdate()
    meeting = workflow.new(
        DecisionMeeting,
        history=(DecisionMeeting.Status.OPEN, DecisionMeeting.Status.CLOSED),
        round=round_,
        date=today,
        title=_("Correction of %(case)s") % {"case": grant.application.case_number},
        closed_at=timezone.now(),
        closed_by=user,
    )
    meeting.save()
    corrected = (
        grant.application.decisions.filter(outcome=Decision.Outcome.APPROVED)
        .order_by("-created_at", "-pk")
        .first()
    )
    decision = Decision.objects.create(
        application=grant.application,
        meeting=meeting,
        outcome=Decision.Outcome.APPROVED,
        kind=Decision.Kind.CORRECTION,
        amount=0,
        amount_change=net,
        amount_per_year={str(y): v for y, v in sorted(changes.items())},
        period_end=period_end,
        reasons=reasons,
        corrects=corrected,
        created_by=user,
    )
    fields = ["last_decided_on"]
    grant.last_decided_on = today
    if net:
        grant.amount_total += net
        fields.append("amount_total")
    if period_end is not None:
        grant.period_end = period_end
        fields.append("period_end")
        shift = period_end - old_end
        for report in grant.reports.select_for_update().filter(kind=Report.Kind.FINAL):
            report.due_date = report.due_date + shift
            report.save(update_fields=["due_date"])
    grant.save(update_fields=fields)
    why = _("Correction decision: %(reasons)s") % {"reasons": reasons}
    for year, change in sorted(changes.items()):
        line = lines.get(year)
        _replan_year(
            grant=grant,
            year=year,
            granted=(line.granted if line else 0) + change,
            paid=line.paid if line else 0,
            user=user,
            reason=why,
        )
    event_record(
        action="grant.corrected",
        actor=user,
        application=grant.application,
        grant=grant,
        data={
            "decision": decision.pk,
            "changes": {str(y): v for y, v in changes.items()},
            "total": grant.amount_total,
            "period_end": period_end.isoformat() if period_end else None,
            "reasons": reasons,
        },
        visible_to_applicant=True,
    )
    enqueue(
        "letter",
        payload={"kind": "decision", "object": decision.pk},
        application=grant.application,
        description=f"{grant.application.case_number}: correction decision letter",
    )
    return decision
