"""Celery tasks, one module per area. The package itself imports none of them, so a service or
grants.emails can import one area's tasks without loading every other area's (which imported
grants.emails back, a circle); the worker finds them through TASK_MODULES in delmos/celery.py."""

TASK_MODULES = (
    "grants.tasks.accounts",
    "grants.tasks.email",
    "grants.tasks.officer",
    "grants.tasks.opendata",
    "grants.tasks.portal",
    "grants.tasks.publications",
    "grants.tasks.reminder_beat",
    "grants.tasks.reminders",
)
