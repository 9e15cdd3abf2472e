"""The reminders' beat task: schedule what is due today. It only schedules (a Reminder row and its
outbox job, each once); sending, retrying and bringing back lost messages are the outbox's
(grants.tasks.reminders, grants.outbox.sweep)."""

from celery import shared_task

from grants.services import reminders


@shared_task
def reminders_run() -> dict:
    """Schedule today's reminders and digests (each once, grants.services.reminders)."""
    return {"scheduled": len(reminders.reminders_schedule())}
