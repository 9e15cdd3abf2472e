"""E-mail delivery: an outbox job of kind "email" holds the rendered message (grants.emails); this
handler sends it through Django's e-mail backend (SMTP in production) with a text and an HTML part
in the recipient's language. The Message-ID is fixed per job, so a message sent again after a
worker died between the SMTP server's answer and the job's record is recognisable as the same one.
A refused or unreachable server raises, and the outbox tries again after a back-off."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.utils import timezone

from grants.models import OutboxJob
from grants.outbox import handler


def message_id(job: OutboxJob) -> str:
    domain = urlsplit(settings.SITE_URL).hostname or "delmos.example"
    return f"<outbox.{job.pk}.{job.created_at:%Y%m%d%H%M%S}@{domain}>"


def build_message(job: OutboxJob, connection=None) -> EmailMultiAlternatives:
    payload = job.payload
    headers = {"Message-ID": message_id(job)}
    if payload.get("language"):
        headers["Content-Language"] = payload["language"]
    message = EmailMultiAlternatives(
        payload["subject"],
        payload["text"],
        settings.DEFAULT_FROM_EMAIL,
        [payload["to"]],
        headers=headers,
        connection=connection,
    )
    message.attach_alternative(payload["html"], "text/html")
    return message


@handler("email")
def email_deliver(job: OutboxJob) -> dict:
    """Send the job's message; a refused or unreachable server raises (the outbox retries)."""
    message = build_message(job, connection=get_connection(fail_silently=False))
    message.send(fail_silently=False)
    return {
        "message_id": message.extra_headers["Message-ID"],
        "sent_at": timezone.now().isoformat(),
        "to": job.payload["to"],
    }
