"""Payments: instalments are planned when a grant is created (grants.services.decisions); later
instalments are released by an approved progress report; an officer marks them paid."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grants import roles
from grants.models import Payment
from grants.services import ServiceError
from grants.services.events import event_record


@transaction.atomic
def payment_mark_paid(*, payment: Payment, user) -> Payment:
    """Record that the finance system has paid a released instalment."""
    if not roles.is_case_officer(user):
        raise ServiceError(_("Only case officers may do this."), code="permission_denied")
    locked = (
        Payment.objects.select_for_update().select_related("grant__application").get(pk=payment.pk)
    )
    if locked.status != Payment.Status.RELEASED:
        raise ServiceError(
            _("Only a released instalment can be marked paid; this one is %(status)s.")
            % {"status": locked.get_status_display()}
        )
    locked.status = Payment.Status.PAID
    locked.paid_at = timezone.now()
    locked.save(update_fields=["status", "paid_at"])
    event_record(
        action="payment.paid",
        actor=user,
        application=locked.grant.application,
        grant=locked.grant,
        data={"payment": locked.pk, "number": locked.number, "amount": locked.amount},
        visible_to_applicant=True,
    )
    return locked


def payments_release_after_progress_report(*, grant, user) -> int:
    """Release the instalments that waited for the approved progress report. Call inside the
    report review's transaction."""
    waiting = list(
        grant.payments.select_for_update().filter(
            status=Payment.Status.PLANNED, requires_progress_report=True
        )
    )
    now = timezone.now()
    for payment in waiting:
        payment.status = Payment.Status.RELEASED
        payment.released_at = now
        payment.save(update_fields=["status", "released_at"])
        event_record(
            action="payment.released",
            actor=user,
            application=grant.application,
            grant=grant,
            data={"payment": payment.pk, "number": payment.number, "amount": payment.amount},
            visible_to_applicant=True,
        )
    return len(waiting)
