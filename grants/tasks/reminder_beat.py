"""The reminders' beat task: schedule what is due today, and send again what stayed unsent."""

from celery import shared_task

from grants.services import reminders
from grants.services.payments import payments_release_due
from grants.tasks.reminders import reminder_send


@shared_task
def reminders_run() -> dict:
    """Release the instalments whose grant year has started, schedule today's reminders and
    digests (each once, grants.services.reminders), then re-enqueue those still unsent after
    the grace period (a lost message, a killed worker)."""
    released = payments_release_due()
    scheduled = reminders.reminders_schedule()
    resent = reminders.reminders_unsent()
    for reminder_id in resent:
        reminder_send.delay(reminder_id=reminder_id)
    return {"scheduled": len(scheduled), "resent": len(resent), "released": released}
