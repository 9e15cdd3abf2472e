"""Celery tasks. Each takes ids or plain data, is idempotent, and keeps its state in PostgreSQL."""

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_email(self, *, to: str, subject: str, text: str, html: str) -> None:
    """Send one e-mail with a text and an HTML part."""
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to])
    message.attach_alternative(html, "text/html")
    message.send()
