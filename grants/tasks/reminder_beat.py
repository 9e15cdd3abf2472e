"""The reminders' beat task: schedule what is due today. It only schedules (a Reminder row and its
outbox job, each once); sending, retrying and bringing back lost messages are the outbox's
(grants.tasks.reminders, grants.outbox.sweep)."""

from celery import shared_task

from grants.services import reminders
from grants.services.payments import payments_release_due


@shared_task
def reminders_run() -> dict:
    """Release the instalments whose grant year has started and schedule today's reminders and
    digests (each once, grants.services.reminders); the outbox sends them."""
    released = payments_release_due()
    return {"scheduled": len(reminders.reminders_schedule()), "released": released}
