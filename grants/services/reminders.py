"""Scheduling reminders and digests: a Reminder row per (kind, object, occasion), written in the
transaction that schedules its send, so a repeated or restarted scheduler sends nothing twice.
The send itself (grants.tasks.reminders.reminder_send) sends only while the row is unsent."""

import datetime as dt
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from grants import roles
from grants.models import Reminder, User
from grants.selectors import reminders as selectors
from grants.tasks.reminders import reminder_send

log = logging.getLogger(__name__)


def _recipient(application) -> User | None:
    """Who is reminded: the one who wrote the application, else a member of the organisation."""
    if application.created_by_id and application.created_by.is_active:
        return application.created_by
    return (
        User.objects.filter(
            memberships__organisation_id=application.organisation_id, is_active=True
        )
        .order_by("pk")
        .first()
    )


def _schedule(*, kind: str, object_id: int, occasion: dt.date, recipient: User, application=None):
    """Write the reminder and enqueue its send after commit; None when it exists already."""
    try:
        with transaction.atomic():
            reminder, created = Reminder.objects.get_or_create(
                kind=kind,
                object_id=object_id,
                occasion=occasion,
                defaults={
                    "recipient": recipient,
                    "email": recipient.email,
                    "language": recipient.language or settings.LANGUAGE_CODE,
                    "application": application,
                },
            )
            if not created:
                return None
            reminder_id = reminder.pk
            transaction.on_commit(lambda: reminder_send.delay(reminder_id=reminder_id))
            return reminder
    except IntegrityError:  # a second scheduler wrote the same key meanwhile
        return None


def reminders_schedule(*, now=None) -> list[Reminder]:
    """Schedule today's reminders to applicants and, after the digest hour, the officers'
    digest. Safe to run as often as beat likes: each (kind, object, occasion) once."""
    now = timezone.localtime(now)
    today = now.date()
    scheduled = []
    for due in selectors.applicant_due(today):
        recipient = _recipient(due.application)
        if recipient is None:
            continue
        reminder = _schedule(
            kind=due.kind,
            object_id=due.object_id,
            occasion=due.occasion,
            recipient=recipient,
            application=due.application,
        )
        if reminder is not None:
            scheduled.append(reminder)
    if now.hour >= settings.REMINDER_DIGEST_HOUR and selectors.digest_for_day(today):
        officers = User.objects.filter(groups__name=roles.CASE_OFFICER, is_active=True)
        for officer in officers.order_by("pk"):
            reminder = _schedule(
                kind=Reminder.Kind.OFFICER_DIGEST,
                object_id=officer.pk,
                occasion=today,
                recipient=officer,
            )
            if reminder is not None:
                scheduled.append(reminder)
    return scheduled


def reminders_unsent(*, now=None) -> list[int]:
    """Reminders scheduled more than the grace period ago and still unsent (a lost broker
    message, a killed worker): their ids, for the sweeper to enqueue again."""
    now = now or timezone.now()
    grace = dt.timedelta(seconds=settings.REMINDER_PENDING_GRACE)
    return list(
        Reminder.objects.filter(sent_at__isnull=True, created_at__lt=now - grace)
        .order_by("pk")
        .values_list("pk", flat=True)[:500]
    )
