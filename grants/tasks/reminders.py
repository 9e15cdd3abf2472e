"""Sending one reminder or digest e-mail, once.

The Reminder row (written by grants.services.reminders when the send was scheduled) is locked
for the send; a row already sent is left alone, so a repeated message, a retry or the sweeper's
second enqueue sends nothing more. The e-mail is handed to the SMTP server inside the row's
transaction and the row marked sent before commit: only a crash in the instant between the
server's acceptance and the commit could send it again (at-least-once at that point; never
twice otherwise). A failure to send rolls back, is recorded on the row, and is retried with
backoff; the sweeper re-enqueues what stays unsent."""

import logging
import smtplib

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation

from grants.emails import render_email
from grants.models import Grant, Payment, Reminder, SupplementRequest
from grants.selectors.reminders import digest_for_day
from grants.services.events import event_record

log = logging.getLogger(__name__)

K = Reminder.Kind
REPORT_KINDS = {
    K.PROGRESS_REPORT_DUE: "progress",
    K.PROGRESS_REPORT_OVERDUE: "progress",
    K.FINAL_REPORT_DUE: "final",
    K.FINAL_REPORT_OVERDUE: "final",
}


def _url(name: str, *args, language: str) -> str:
    with translation.override(language):
        path = reverse(name, args=args)
    return settings.SITE_URL.rstrip("/") + path


def reminder_message(reminder: Reminder) -> dict:
    """The reminder's subject, text and HTML, in the recipient's language."""
    language = reminder.language
    if reminder.kind == K.OFFICER_DIGEST:
        return render_email(
            "officer_digest",
            {
                "digest": digest_for_day(reminder.occasion),
                "day": reminder.occasion,
                "url": _url("officer:reminders", language=language),
            },
            language=language,
        )
    context = {"reminder": reminder, "kind": reminder.kind, "due": reminder.occasion}
    if reminder.kind in (K.SUPPLEMENT_DUE, K.SUPPLEMENT_OVERDUE):
        request = SupplementRequest.objects.select_related("application").get(pk=reminder.object_id)
        context.update(
            application=request.application,
            url=_url(
                "portal:supplement_answer", request.application_id, request.pk, language=language
            ),
        )
    elif reminder.kind in REPORT_KINDS:
        grant = Grant.objects.select_related("application").get(pk=reminder.object_id)
        context.update(
            application=grant.application,
            report_kind=REPORT_KINDS[reminder.kind],
            url=_url(
                "portal:report",
                grant.application_id,
                REPORT_KINDS[reminder.kind],
                language=language,
            ),
        )
    else:
        payment = Payment.objects.select_related("grant__application").get(pk=reminder.object_id)
        context.update(
            application=payment.grant.application,
            payment=payment,
            url=_url("portal:application", payment.grant.application_id, language=language),
        )
    return render_email("reminder", context, language=language)


@shared_task(
    bind=True,
    autoretry_for=(OSError, smtplib.SMTPException),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def reminder_send(self, *, reminder_id: int) -> bool:
    """Send the reminder unless it has been sent; True when this run sent it."""
    try:
        with transaction.atomic():
            reminder = Reminder.objects.select_for_update().get(pk=reminder_id)
            if reminder.sent_at is not None:
                return False
            message = reminder_message(reminder)
            email = EmailMultiAlternatives(
                message["subject"], message["text"], settings.DEFAULT_FROM_EMAIL, [reminder.email]
            )
            email.attach_alternative(message["html"], "text/html")
            email.send()
            reminder.sent_at = timezone.now()
            reminder.attempts += 1
            reminder.last_error = ""
            reminder.save(update_fields=["sent_at", "attempts", "last_error"])
            if reminder.application_id:
                application = reminder.application
                event_record(
                    action="reminder.sent",
                    application=application,
                    target=application.case_number or str(application),
                    data={
                        "reminder": reminder.pk,
                        "kind": reminder.kind,
                        "due_date": reminder.occasion.isoformat(),
                        "to": reminder.email,
                        "language": reminder.language,
                    },
                    visible_to_applicant=True,
                )
            return True
    except (OSError, smtplib.SMTPException) as exc:
        Reminder.objects.filter(pk=reminder_id, sent_at__isnull=True).update(
            attempts=F("attempts") + 1, last_error=str(exc)[:1000]
        )
        raise
