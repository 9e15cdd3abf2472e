"""Report review and recovery (återkrav).

Reports come in order: a grant year's progress report releases the next instalments; the final
report follows the progress reports. When the final report is approved, the grant is settled in
the same decision: money paid but not used is claimed back (paid − used, never more than paid),
instalments not yet paid are cancelled, and when more was used than paid the difference is paid,
never beyond what was granted. Claims can also be decided for misuse, a missing report or broken
conditions; repayments and write-offs (eftergift) are recorded until the claim is settled.
Every change locks the grant row first, so two officers settling one grant give one result."""

import datetime as dt

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from grants import roles, workflow
from grants.models import ClaimEntry, Grant, RecoveryClaim, Report
from grants.outbox import enqueue
from grants.services import ServiceError
from grants.services.events import event_record
from grants.services.ledger import grant_limits
from grants.services.payments import payments_cancel_unpaid, payments_release_after_report
from grants.templatetags.delmos import format_sek

RECOVERY_DAYS = 30
_G = Grant.Status


def _require_officer(user) -> None:
    if not roles.is_case_officer(user):
        raise ServiceError(_("Only case officers may do this."), code="permission_denied")


def grant_lock(grant_id: int) -> Grant:
    """The grant row, locked, with its application (the lock every ledger change takes first)."""
    grant = Grant.objects.select_for_update().get(pk=grant_id)
    grant.application = (
        Grant.objects.select_related("application__organisation", "application__round")
        .get(pk=grant_id)
        .application
    )
    return grant


def reports_before(report: Report) -> list[Report]:
    """The reports that must be approved before `report`: earlier grant years' progress reports,
    and for a final report every progress report."""
    earlier = Report.objects.filter(grant_id=report.grant_id, kind=Report.Kind.PROGRESS)
    if report.kind == Report.Kind.PROGRESS:
        earlier = earlier.filter(grant_year__lt=report.grant_year)
    return list(earlier.exclude(pk=report.pk).order_by("grant_year"))


def report_order_problem(report: Report, *, needed=(Report.Review.APPROVED,)) -> str | None:
    """Why `report` may not go ahead yet: an earlier report not yet in a `needed` state."""
    for earlier in reports_before(report):
        if earlier.review_status not in needed:
            if Report.Review.PENDING in needed:
                message = _("Submit the progress report for %(year)s first (it is %(status)s).")
            else:
                message = _(
                    "The progress report for %(year)s must be approved first (it is %(status)s)."
                )
            return message % {
                "year": earlier.grant_year,
                "status": earlier.get_review_status_display(),
            }
    return None


@transaction.atomic
def report_review(*, report: Report, user, approve: bool, notes: str = "") -> Report:
    """Approve a submitted report or return it for changes (with notes). Approving a progress
    report releases the next grant year's money; approving the final report settles the grant."""
    _require_officer(user)
    grant = grant_lock(report.grant_id)
    locked = Report.objects.select_for_update().get(pk=report.pk)
    locked.grant = grant
    target = Report.Review.APPROVED if approve else Report.Review.RETURNED
    step = workflow.check(locked, target, user=user)
    if not approve and not notes.strip():
        raise ServiceError(_("Say what must be changed when returning a report."))
    if approve:
        problem = report_order_problem(locked)
        if problem:
            raise ServiceError(problem, code="report_order")
    if approve and locked.kind == Report.Kind.FINAL and locked.money_used is None:
        raise ServiceError(_("The final report does not say how much money was used."))
    locked.reviewed_by = user
    locked.review_notes = notes
    workflow.apply(
        locked,
        step,
        user=user,
        data={"report": locked.pk, "kind": locked.kind, **({"notes": notes} if notes else {})},
        fields=["reviewed_by", "review_notes"],
    )
    if approve and locked.kind == Report.Kind.PROGRESS:
        payments_release_after_report(grant=grant, report=locked, user=user)
    if approve and locked.kind == Report.Kind.FINAL:
        grant_settle(grant=grant, report=locked, user=user)
    return locked


def settlement(*, granted: int, paid: int, claimed: int, used: int) -> tuple[int, int]:
    """(claim, still to pay) when the final report says `used`: a claim of what was paid and not
    used (less what is claimed already), or a payment of what was used beyond what was paid,
    never beyond what was granted."""
    claim = max(min(paid - used, paid - claimed), 0)
    to_pay = max(min(used, granted) - paid, 0)
    return claim, to_pay


def grant_settle(*, grant: Grant, report: Report, user) -> RecoveryClaim | None:
    """Settle a grant on its approved final report (inside the review's transaction, with the
    grant locked): cancel what is not yet paid, pay what was used beyond what was paid, claim
    back what was paid and not used."""
    limits = grant_limits(grant)
    used = report.money_used or 0
    claim_amount, to_pay = settlement(
        granted=grant.amount_total, paid=limits.paid, claimed=limits.claimed, used=used
    )
    why = _("Settled on the approved final report: %(used)s used of %(paid)s paid.") % {
        "used": format_sek(used),
        "paid": format_sek(limits.paid),
    }
    payments_cancel_unpaid(grant=grant, user=user, reason=why, keep=to_pay)
    if claim_amount > 0:
        claim = recovery_claim_create(
            grant=grant,
            report=report,
            amount=claim_amount,
            user=user,
            grounds=RecoveryClaim.Grounds.UNUSED,
            paid=limits.paid,
            used=used,
            reason=_(
                "Paid %(paid)s, of which %(used)s was used according to the approved final "
                "report: %(paid)s − %(used)s = %(amount)s is to be paid back."
            )
            % {
                "paid": format_sek(limits.paid),
                "used": format_sek(used),
                "amount": format_sek(claim_amount),
            },
        )
        return claim
    if grant.status == _G.ACTIVE:
        workflow.transition(grant, _G.CLOSED, user=user, data={"used": used})
    return None


def recovery_claim_create(
    *,
    grant: Grant,
    report: Report | None,
    amount: int,
    user,
    grounds: str,
    reason: str,
    paid: int,
    used: int | None = None,
    due_date: dt.date | None = None,
    is_demo: bool = False,
) -> RecoveryClaim:
    """Record a claim on a locked grant (the caller checked the limits); the letter is rendered
    after commit."""
    claim = RecoveryClaim.objects.create(
        grant=grant,
        report=report,
        amount=amount,
        grounds=grounds,
        reason=reason,
        paid_basis=paid,
        used_basis=used,
        created_by=user if user is not None and user.is_authenticated else None,
        due_date=due_date or timezone.localdate() + dt.timedelta(days=RECOVERY_DAYS),
        is_demo=is_demo,
    )
    event_record(
        action="recovery.claimed",
        actor=user,
        application=grant.application,
        grant=grant,
        data={
            "claim": claim.pk,
            "amount": amount,
            "grounds": grounds,
            "paid": paid,
            "used": used,
            "reason": reason,
            "due_date": claim.due_date.isoformat(),
        },
        visible_to_applicant=True,
    )
    if grant.status != _G.REPORTED:
        workflow.transition(grant, _G.REPORTED, user=user, data={"claim": claim.pk})
    enqueue(
        "letter",
        payload={"kind": "recovery", "object": claim.pk},
        application=grant.application,
        description=f"{grant.application.case_number}: recovery letter",
    )
    return claim


def missing_final_report(grant: Grant) -> Report | None:
    """The grant's final report when it is overdue (due, not submitted or returned)."""
    report = grant.reports.filter(kind=Report.Kind.FINAL).first()
    return report if report is not None and report.is_overdue else None


def claim_proposal(grant: Grant) -> dict | None:
    """What the system proposes (an officer decides): a claim for the whole amount paid and not
    yet claimed when the final report is overdue."""
    if missing_final_report(grant) is None:
        return None
    limits = grant_limits(grant)
    if limits.claimable <= 0:
        return None
    return {
        "grounds": RecoveryClaim.Grounds.MISSING_REPORT,
        "amount": limits.claimable,
        "reason": _(
            "The final report was due on %(date)s and has not been submitted: the whole "
            "amount paid, %(paid)s, is to be paid back."
        )
        % {
            "date": missing_final_report(grant).due_date.isoformat(),
            "paid": format_sek(limits.claimable),
        },
    }


@transaction.atomic
def recovery_claim_decide(
    *,
    grant: Grant,
    user,
    grounds: str,
    amount: int,
    reason: str,
    cancel_unpaid: bool = True,
    due_date: dt.date | None = None,
) -> RecoveryClaim:
    """Decide a claim for misuse, a missing report or broken conditions, with the reason; at
    most what was paid and not yet claimed. Instalments not yet paid are cancelled with it."""
    _require_officer(user)
    if grounds not in RecoveryClaim.Grounds.values or grounds == RecoveryClaim.Grounds.UNUSED:
        raise ServiceError(_("Choose the grounds for the claim."), field="grounds")
    if not (reason or "").strip():
        raise ServiceError(_("Give the reason for the claim."), field="reason")
    grant = grant_lock(grant.pk)
    limits = grant_limits(grant)
    if amount <= 0:
        raise ServiceError(_("Give an amount above zero."), field="amount")
    if amount > limits.claimable:
        raise ServiceError(
            _("At most %(limit)s can be claimed: %(paid)s paid, %(claimed)s claimed already.")
            % {
                "limit": format_sek(max(limits.claimable, 0)),
                "paid": format_sek(limits.paid),
                "claimed": format_sek(limits.claimed),
            },
            code="beyond_paid",
            field="amount",
        )
    if cancel_unpaid:
        payments_cancel_unpaid(grant=grant, user=user, reason=reason, keep=0)
    return recovery_claim_create(
        grant=grant,
        report=None,
        amount=amount,
        user=user,
        grounds=grounds,
        reason=reason,
        paid=limits.paid,
        due_date=due_date,
    )


def claim_open_amount(claim: RecoveryClaim) -> int:
    done = claim.entries.aggregate(total=Sum("amount"))["total"] or 0
    return claim.amount - done


@transaction.atomic
def claim_entry_record(
    *,
    claim: RecoveryClaim,
    user,
    kind: str,
    amount: int,
    reason: str = "",
    on_date: dt.date | None = None,
    is_demo: bool = False,
) -> ClaimEntry:
    """Record a repayment (in part or whole) or a write-off (eftergift, with the reason). The
    claim is settled when its entries cover it; the grant is recovered when no claim is open."""
    if user is not None:
        _require_officer(user)
    if kind not in ClaimEntry.Kind.values:
        raise ServiceError(_("Choose repayment or write-off."), field="kind")
    if kind == ClaimEntry.Kind.WRITTEN_OFF and not (reason or "").strip():
        raise ServiceError(_("Give the special reasons for writing off."), field="reason")
    grant = grant_lock(claim.grant_id)
    locked = RecoveryClaim.objects.select_for_update().get(pk=claim.pk)
    locked.grant = grant
    if locked.settled_at is not None:
        raise ServiceError(_("The claim is settled already."), code="settled")
    open_amount = claim_open_amount(locked)
    if amount <= 0:
        raise ServiceError(_("Give an amount above zero."), field="amount")
    if amount > open_amount:
        raise ServiceError(
            _("At most %(limit)s is still open on this claim of %(claim)s.")
            % {"limit": format_sek(open_amount), "claim": format_sek(locked.amount)},
            code="beyond_claim",
            field="amount",
        )
    entry = ClaimEntry.objects.create(
        claim=locked,
        kind=kind,
        amount=amount,
        reason=reason,
        on_date=on_date or timezone.localdate(),
        created_by=user if user is not None and user.is_authenticated else None,
        is_demo=is_demo,
    )
    event_record(
        action=f"recovery.{kind}",
        actor=user,
        application=grant.application,
        grant=grant,
        data={
            "claim": locked.pk,
            "amount": amount,
            "open": open_amount - amount,
            **({"reason": reason} if reason else {}),
        },
        visible_to_applicant=True,
    )
    if amount == open_amount:
        workflow.transition(
            locked,
            RecoveryClaim.Status.SETTLED,
            user=user,
            data={"claim": locked.pk, "amount": locked.amount},
        )
        if not grant.recovery_claims.filter(settled_at__isnull=True).exists():
            workflow.transition(grant, _G.RECOVERED, user=user)
    return entry


@transaction.atomic
def recovery_claim_settle(*, claim: RecoveryClaim, user) -> RecoveryClaim:
    """Record that the rest of the claim has come back (a repayment of what is open)."""
    _require_officer(user)
    locked = RecoveryClaim.objects.get(pk=claim.pk)
    if locked.settled_at is not None:
        raise ServiceError(_("The claim is settled already."), code="settled")
    claim_entry_record(
        claim=locked,
        user=user,
        kind=ClaimEntry.Kind.REPAID,
        amount=claim_open_amount(locked),
    )
    locked.refresh_from_db()
    return locked
