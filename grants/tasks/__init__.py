"""Celery tasks, one module per area; each is imported here so the worker registers it."""

from grants.tasks.email import send_email  # noqa: F401
from grants.tasks.officer import letter_render  # noqa: F401
from grants.tasks.portal import application_receipt_pdf  # noqa: F401
from grants.tasks.publications import publication_render, publication_sweep  # noqa: F401
