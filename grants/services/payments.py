"""Payments: instalments are planned when a grant is created (grants.services.decisions); later
instalments are released by an approved progress report; an officer marks them paid."""

from django.db import transaction
from django.utils.translation import gettext as _

from grants import roles, workflow
from grants.models import Payment
from grants.services import ServiceError


@transaction.atomic
def payment_mark_paid(*, payment: Payment, user) -> Payment:
    """Record that the finance system has paid a released instalment."""
    if not roles.is_case_officer(user):
        raise ServiceError(_("Only case officers may do this."), code="permission_denied")
    locked = (
        Payment.objects.select_for_update().select_related("grant__application").get(pk=payment.pk)
    )
    workflow.transition(
        locked,
        Payment.Status.PAID,
        user=user,
        data={"payment": locked.pk, "number": locked.number, "amount": locked.amount},
    )
    return locked


def payments_release_after_progress_report(*, grant, user) -> int:
    """Release the instalments that waited for the approved progress report. Call inside the
    report review's transaction."""
    waiting = list(
        grant.payments.select_for_update().filter(
            status__in=workflow.PAYMENT_WAITING_STATUSES, requires_progress_report=True
        )
    )
    for payment in waiting:
        payment.grant = grant  # locked by the caller, with its application loaded
        workflow.transition(
            payment,
            Payment.Status.RELEASED,
            user=user,
            data={"payment": payment.pk, "number": payment.number, "amount": payment.amount},
        )
    return len(waiting)
