"""Scheduling reminders and digests: a Reminder row per (kind, object, occasion) and its outbox
job (kind "reminder"), written in one transaction, so a repeated or restarted scheduler sends
nothing twice and a scheduled reminder is never lost: the outbox's dispatcher sends it
(grants.tasks.reminders) and its sweeper brings it back after a lost message or a killed worker.
Nothing here sends or re-enqueues anything itself."""

import datetime as dt
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from grants import roles
from grants.models import Reminder, User
from grants.outbox import enqueue
from grants.selectors import reminders as selectors

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
    """Write the reminder and its outbox job in one transaction (the job's message goes out after
    commit); None when the reminder exists already."""
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
            with translation.override(settings.LANGUAGE_CODE):  # the officers' pages' language
                what = str(reminder.get_kind_display())
            reminder.job = enqueue(
                "reminder",
                payload={"reminder": reminder.pk},
                application=application,
                description=f"{what[:1].upper()}{what[1:]} {occasion:%Y-%m-%d} → {reminder.email}",
            )
            reminder.save(update_fields=["job"])
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
