"""E-mail: each message is a subject, a text and an HTML template under templates/email/, rendered
in the recipient's language and sent by a Celery task after the transaction commits."""

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from grants.tasks.email import send_email


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


def email_send(*, to: str, template: str, context: dict, language: str = "sv") -> None:
    """Render now (in the caller's data), send after commit through the e-mail task."""
    message = render_email(template, context, language=language)
    transaction.on_commit(lambda: send_email.delay(to=to, **message))
