"""Report review and recovery: an approved progress report releases the next instalment; an
approved final report with money left unused creates a recovery claim with a letter."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grants import roles
from grants.models import Grant, RecoveryClaim, Report
from grants.services import ServiceError
from grants.services.events import event_record
from grants.services.payments import payments_release_after_progress_report
from grants.tasks.officer import recovery_letter_render

RECOVERY_DAYS = 30


@transaction.atomic
def report_review(*, report: Report, user, approve: bool, notes: str = "") -> Report:
    """Approve a submitted report or return it for changes (with notes)."""
    if not roles.is_case_officer(user):
        raise ServiceError(_("Only case officers may do this."), code="permission_denied")
    locked = (
        Report.objects.select_for_update().select_related("grant__application").get(pk=report.pk)
    )
    if locked.review_status != Report.Review.PENDING:
        raise ServiceError(
            _("Only a submitted report awaiting review can be reviewed; this one is %(status)s.")
            % {"status": locked.get_review_status_display()}
        )
    if not approve and not notes.strip():
        raise ServiceError(_("Say what must be changed when returning a report."))
    grant = Grant.objects.select_for_update().get(pk=locked.grant_id)
    if approve and locked.kind == Report.Kind.FINAL and locked.money_used is None:
        raise ServiceError(_("The final report does not say how much money was used."))
    locked.review_status = Report.Review.APPROVED if approve else Report.Review.RETURNED
    locked.reviewed_by = user
    locked.reviewed_at = timezone.now()
    locked.review_notes = notes
    locked.save(update_fields=["review_status", "reviewed_by", "reviewed_at", "review_notes"])
    event_record(
        action="report.approved" if approve else "report.returned",
        actor=user,
        application=grant.application,
        grant=grant,
        data={"report": locked.pk, "kind": locked.kind, **({"notes": notes} if notes else {})},
        visible_to_applicant=True,
    )
    if approve and locked.kind == Report.Kind.PROGRESS:
        payments_release_after_progress_report(grant=grant, user=user)
    if approve and locked.kind == Report.Kind.FINAL:
        unused = grant.amount_total - locked.money_used
        if unused > 0:
            recovery_claim_create(grant=grant, report=locked, amount=unused, user=user)
            grant.status = Grant.Status.REPORTED
        else:
            grant.status = Grant.Status.CLOSED
        grant.save(update_fields=["status"])
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

    transaction.on_commit(lambda: recovery_letter_render.delay(claim_id=claim.pk))
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
    if locked.settled_at:
        raise ServiceError(_("The claim is settled already."))
    locked.settled_at = timezone.now()
    locked.save(update_fields=["settled_at"])
    grant = locked.grant
    if not grant.recovery_claims.filter(settled_at__isnull=True).exists():
        grant.status = Grant.Status.RECOVERED
        grant.save(update_fields=["status"])
    event_record(
        action="recovery.settled",
        actor=user,
        application=grant.application,
        grant=grant,
        data={"claim": locked.pk, "amount": locked.amount},
        visible_to_applicant=True,
    )
    return locked
