"""Sending one reminder or digest e-mail, once: the handler of outbox jobs of kind "reminder".

grants.services.reminders writes the Reminder row and its job in one transaction; the outbox's
dispatcher runs the job (one runner at a time, under the job's advisory lock), retries it after a
back-off when the SMTP server refuses or cannot be reached, fails it after the last attempt (shown
to officers with a retry action), and its sweeper brings it back after a lost message or a killed
worker. The message is rendered when it is sent, in the recipient's language, with a text and an
HTML part and a Message-ID fixed per job; the job's "done" records the sent time and Message-ID
on the Reminder row and the case's timeline, in the one transaction. A reminder already sent is
not sent again (run twice: one e-mail). The one window left is SMTP's own, as for every e-mail:
a worker killed after the server accepted the message and before the job was recorded sends it
again, with the same Message-ID."""

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation

from grants.emails import render_email
from grants.models import Grant, OutboxJob, Payment, Reminder, SupplementRequest
from grants.outbox import PermanentError, handler
from grants.selectors.reminders import digest_for_day
from grants.services.events import event_record
from grants.tasks.email import message_id

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


def reminder_job_done(job: OutboxJob) -> None:
    """In the transaction that marks the job done: the reminder is sent, when and with which
    Message-ID, and (for an applicant's reminder) on the case's timeline."""
    reminder = (
        Reminder.objects.select_for_update(of=("self",))
        .select_related("application")
        .get(pk=job.payload["reminder"])
    )
    if reminder.sent_at is not None:
        return
    reminder.sent_at = dt.datetime.fromisoformat(job.result["sent_at"])
    reminder.message_id = job.result["message_id"]
    reminder.attempts = max(reminder.attempts, job.attempts)
    reminder.last_error = ""
    reminder.save(update_fields=["sent_at", "message_id", "attempts", "last_error"])
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
                "message_id": reminder.message_id,
            },
            visible_to_applicant=True,
        )


@handler("reminder", done=reminder_job_done)
def reminder_job(job: OutboxJob) -> dict:
    """Send the reminder unless it has been sent; a refused or unreachable SMTP server raises (the
    outbox tries again after a back-off) and the error is noted on the reminder too."""
    reminder = Reminder.objects.filter(pk=job.payload["reminder"]).first()
    if reminder is None:
        raise PermanentError(f"Reminder {job.payload['reminder']} does not exist.")
    if reminder.sent_at is not None:  # sent already (by an earlier job): send nothing
        return {
            "message_id": reminder.message_id,
            "sent_at": reminder.sent_at.isoformat(),
            "to": reminder.email,
            "already_sent": True,
        }
    message = reminder_message(reminder)
    email = EmailMultiAlternatives(
        message["subject"],
        message["text"],
        settings.DEFAULT_FROM_EMAIL,
        [reminder.email],
        headers={"Message-ID": message_id(job), "Content-Language": reminder.language},
        connection=get_connection(fail_silently=False),
    )
    email.attach_alternative(message["html"], "text/html")
    try:
        email.send(fail_silently=False)
    except Exception as exc:
        Reminder.objects.filter(pk=reminder.pk, sent_at__isnull=True).update(
            attempts=F("attempts") + 1, last_error=f"{type(exc).__name__}: {exc}"[:1000]
        )
        raise
    return {
        "message_id": email.extra_headers["Message-ID"],
        "sent_at": timezone.now().isoformat(),
        "to": reminder.email,
    }
