"""E-mail: each message is a subject, a text and an HTML template under templates/email/, rendered
in the recipient's language and written to the outbox in the caller's transaction; the outbox's
worker sends it (grants.tasks.email) and records its Message-ID and time."""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from grants.outbox import enqueue


def site_url(viewname: str, *, args=(), language: str) -> str:
    """An absolute link into the site (settings.SITE_URL) in the recipient's language, for a
    message to take them straight to their case."""
    with translation.override(language):
        path = reverse(viewname, args=args)
    return settings.SITE_URL.rstrip("/") + path


def render_email(template: str, context: dict, *, language: str) -> dict:
    """Render templates/email/<template>_subject.txt, _body.txt and _body.html."""
    with translation.override(language):
        subject = render_to_string(f"email/{template}_subject.txt", context).strip()
        text = render_to_string(f"email/{template}_body.txt", context)
        html = render_to_string(f"email/{template}_body.html", context)
    return {"subject": " ".join(subject.split()), "text": text, "html": html}


def email_send(*, to: str, template: str, context: dict, language: str = "sv", application=None):
    """Render now (in the caller's data) and write the message to the outbox in the caller's
    transaction; it is sent after commit. `application` files it under that case."""
    message = render_email(template, context, language=language)
    return enqueue(
        "email",
        payload={"to": to, "template": template, "language": language, **message},
        application=application,
        description=f"{message['subject']} → {to}",
    )
