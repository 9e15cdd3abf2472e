"""Report review and recovery: an approved progress report releases the next instalment; an
approved final report with money left unused creates a recovery claim with a letter."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grants import roles, workflow
from grants.models import Grant, RecoveryClaim, Report
from grants.outbox import enqueue
from grants.services import ServiceError
from grants.services.events import event_record
from grants.services.payments import payments_release_after_progress_report

RECOVERY_DAYS = 30


@transaction.atomic
def report_review(*, report: Report, user, approve: bool, notes: str = "") -> Report:
    """Approve a submitted report or return it for changes (with notes)."""
    if not roles.is_case_officer(user):
        raise ServiceError(_("Only case officers may do this."), code="permission_denied")
    locked = (
        Report.objects.select_for_update().select_related("grant__application").get(pk=report.pk)
    )
    target = Report.Review.APPROVED if approve else Report.Review.RETURNED
    step = workflow.check(locked, target, user=user)
    if not approve and not notes.strip():
        raise ServiceError(_("Say what must be changed when returning a report."))
    grant = Grant.objects.select_for_update().get(pk=locked.grant_id)
    if approve and locked.kind == Report.Kind.FINAL and locked.money_used is None:
        raise ServiceError(_("The final report does not say how much money was used."))
    grant.application = locked.grant.application
    locked.grant = grant
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
        payments_release_after_progress_report(grant=grant, user=user)
    if approve and locked.kind == Report.Kind.FINAL:
        unused = grant.amount_total - locked.money_used
        if unused > 0:
            recovery_claim_create(grant=grant, report=locked, amount=unused, user=user)
            workflow.transition(grant, Grant.Status.REPORTED, user=user, data={"unused": unused})
        else:
            workflow.transition(grant, Grant.Status.CLOSED, user=user)
    return locked


def recovery_claim_create(*, grant: Grant, report: Report, amount: int, user) -> RecoveryClaim:
    """Claim back the unused amount; the letter is rendered after commit."""
    claim = RecoveryClaim.objects.create(
        grant=grant,
        report=report,
        amount=amount,
        reason=_("Unused grant according to the final report: %(used)s used of %(total)s.")
        % {"used": report.money_used, "total": grant.amount_total},
        due_date=timezone.localdate() + dt.timedelta(days=RECOVERY_DAYS),
    )
    event_record(
        action="recovery.claimed",
        actor=user,
        application=grant.application,
        grant=grant,
        data={"claim": claim.pk, "amount": amount, "due_date": claim.due_date.isoformat()},
        visible_to_applicant=True,
    )

    enqueue(
        "letter",
        payload={"kind": "recovery", "object": claim.pk},
        application=grant.application,
        description=f"{grant.application.case_number}: recovery letter",
    )
    return claim


@transaction.atomic
def recovery_claim_settle(*, claim: RecoveryClaim, user) -> RecoveryClaim:
    """Record that the money has come back; the grant is then recovered."""
    if not roles.is_case_officer(user):
        raise ServiceError(_("Only case officers may do this."), code="permission_denied")
    locked = (
        RecoveryClaim.objects.select_for_update()
        .select_related("grant__application")
        .get(pk=claim.pk)
    )
    grant = Grant.objects.select_for_update().get(pk=locked.grant_id)
    grant.application = locked.grant.application
    locked.grant = grant
    workflow.transition(
        locked,
        RecoveryClaim.Status.SETTLED,
        user=user,
        data={"claim": locked.pk, "amount": locked.amount},
    )
    if not grant.recovery_claims.filter(settled_at__isnull=True).exists():
        workflow.transition(grant, Grant.Status.RECOVERED, user=user)
    return locked
