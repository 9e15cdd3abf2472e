"""Payments: instalments are planned per grant year when a grant is created
(grants.services.decisions); a grant year's approved progress report releases the next
instalments; an officer marks them paid; settling or correcting a grant cancels what is not yet
paid. Nothing is paid beyond what is granted (grants.services.ledger)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grants import roles, workflow
from grants.models import Application, Grant, Payment
from grants.services import ServiceError
from grants.services.decisions import grant_year_start, releases_now
from grants.services.events import event_record
from grants.services.ledger import grant_ledger, grant_limits
from grants.templatetags.delmos import format_sek

_P = Payment.Status


def year_due(grant: Grant, year: int, *, today) -> tuple[object, str]:
    """The due day and status of a new instalment of `year` that waits for no report: due when
    its grant year starts (grants.services.decisions.grant_year_start) or today, released only
    once that day has come; before, planned for payments_release_due to release."""
    round_ = grant.application.round
    first = year <= round_.grant_period_start.year
    due = max(today, grant_year_start(round_, year, 0 if first else 1))
    return due, (_P.RELEASED if releases_now(due, False, today) else _P.PLANNED)


def instalment_add(
    grant: Grant,
    *,
    year: int,
    amount: int,
    user,
    reason: str,
    waits: bool = False,
    not_before=None,
) -> Payment:
    """Plan one new instalment of `year` after the grant's last, with its event: due when the
    grant year starts (year_due), not before `not_before`; released now only if it waits for no
    report and its day has come. The one way corrections and cancellations add instalments."""
    today = timezone.localdate()
    due, status = year_due(grant, year, today=today)
    if not_before is not None:
        due = max(due, not_before)
    if waits or due > today:
        status = _P.PLANNED
    number = grant.payments.order_by("-number").values_list("number", flat=True).first() or 0
    payment = workflow.new(
        Payment,
        status=status,
        grant=grant,
        number=number + 1,
        grant_year=year,
        due_date=due,
        amount=amount,
        requires_progress_report=waits,
        released_at=timezone.now() if status == _P.RELEASED else None,
    )
    payment.save()
    event_record(
        action="payment.released" if status == _P.RELEASED else "payment.planned",
        actor=user,
        application=grant.application,
        grant=grant,
        data=_data(payment, reason=reason),
        visible_to_applicant=True,
    )
    return payment


def _data(payment: Payment, **extra) -> dict:
    return {
        "payment": payment.pk,
        "number": payment.number,
        "amount": payment.amount,
        "grant_year": payment.grant_year,
        **extra,
    }


@transaction.atomic
def payment_mark_paid(*, payment: Payment, user) -> Payment:
    """Record that the finance system has paid a released instalment."""
    if not roles.is_case_officer(user):
        raise ServiceError(_("Only case officers may do this."), code="permission_denied")
    grant = Grant.objects.select_for_update().get(pk=payment.grant_id)
    locked = (
        Payment.objects.select_for_update().select_related("grant__application").get(pk=payment.pk)
    )
    grant.application = locked.grant.application
    locked.grant = grant
    workflow.check(locked, _P.PAID, user=user)
    limits = grant_limits(grant)
    if limits.paid + locked.amount > grant.amount_total:
        raise ServiceError(
            _("Paying %(amount)s would pay more than the %(granted)s granted (%(paid)s paid).")
            % {
                "amount": format_sek(locked.amount),
                "granted": format_sek(grant.amount_total),
                "paid": format_sek(limits.paid),
            },
            code="beyond_granted",
        )
    workflow.transition(locked, _P.PAID, user=user, data=_data(locked))
    return locked


def payments_release_after_report(*, grant: Grant, report, user) -> int:
    """Release the instalments that waited for the approved progress report `report`: those of
    its own grant year (a single-year grant's later instalments) and of the next grant year.
    Call inside the report review's transaction, with the grant locked."""
    waiting = list(
        grant.payments.select_for_update()
        .filter(
            status__in=workflow.PAYMENT_WAITING_STATUSES,
            requires_progress_report=True,
            grant_year__gte=report.grant_year,
        )
        .order_by("grant_year", "number")
    )
    later = sorted({p.grant_year for p in waiting if p.grant_year > report.grant_year})
    released = [
        p
        for p in waiting
        if p.grant_year == report.grant_year or (later and p.grant_year == later[0])
    ]
    today = timezone.localdate()
    for payment in released:
        payment.grant = grant
        year_start, status = year_due(grant, payment.grant_year, today=today)
        if status == _P.PLANNED:
            # The report it waited for is approved, but its grant year has not started: it no
            # longer waits for a report, and payments_release_due releases it on its day.
            payment.requires_progress_report = False
            payment.due_date = year_start
            payment.save(update_fields=["requires_progress_report", "due_date"])
            event_record(
                action="payment.awaits_year",
                actor=user,
                application=grant.application,
                grant=grant,
                data=_data(payment, report=report.pk, due=payment.due_date.isoformat()),
                visible_to_applicant=True,
            )
            continue
        workflow.transition(
            payment,
            _P.RELEASED,
            user=user,
            data=_data(payment, report=report.pk, due=today.isoformat()),
        )
    return len(released)


def payments_release_due(*, today=None, user=None, grant: Grant | None = None) -> int:
    """Release the instalments whose day has come: planned, waiting for no report, due today
    or earlier (a first instalment decided before its project period started). Run daily by
    the reminders' beat task; each grant under its row lock (`grant`: that grant's alone).
    Returns how many were released."""
    today = today or timezone.localdate()
    due = (
        Payment.objects.filter(
            status=_P.PLANNED, requires_progress_report=False, due_date__lte=today
        )
        .filter(**({"grant": grant} if grant is not None else {}))
        .order_by("grant_id", "number")
        .values_list("pk", "grant_id")
    )
    released = 0
    for payment_id, grant_id in list(due):
        with transaction.atomic():
            # The grant's lock first, as every ledger change takes it.
            grant = Grant.objects.select_for_update().get(pk=grant_id)
            payment = Payment.objects.select_for_update().get(pk=payment_id)
            if payment.status != _P.PLANNED:  # released or cancelled meanwhile
                continue
            grant.application = Application.objects.get(pk=grant.application_id)
            payment.grant = grant
            workflow.transition(
                payment,
                _P.RELEASED,
                user=user,
                data=_data(payment, due=payment.due_date.isoformat()),
            )
            released += 1
    return released


def payments_cancel_unpaid(*, grant: Grant, user, reason: str, keep: int = 0) -> int:
    """Cancel the instalments not yet paid, keeping `keep` kronor of them to pay (a new released
    instalment, when the ones there do not add up to it). Inside the caller's transaction, with
    the grant locked. Returns the kronor cancelled."""
    unpaid = list(
        grant.payments.select_for_update()
        .filter(status__in=workflow.PAYMENT_UNPAID_STATUSES)
        .order_by("grant_year", "number")
    )
    cancelled = 0
    for payment in unpaid:
        payment.grant = grant
        payment.cancel_reason = reason
        workflow.transition(
            payment,
            _P.CANCELLED,
            user=user,
            data=_data(payment, reason=reason),
            fields=["cancel_reason"],
        )
        cancelled += payment.amount
    if keep > 0:
        # What is still to be paid goes into the grant years that have room for it, in order,
        # never beyond a year's amount granted.
        rest = keep
        for line in grant_ledger(grant).lines:
            room = line.totals.granted - line.totals.paid
            amount = min(room, rest)
            if amount <= 0:
                continue
            instalment_add(grant, year=line.year, amount=amount, user=user, reason=reason)
            rest -= amount
            cancelled -= amount
    return cancelled
