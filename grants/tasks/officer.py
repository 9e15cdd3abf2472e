"""Decision letters: rendered as PDF after the meeting closes, then e-mailed to the applicant."""

from celery import shared_task
from django.core.files.base import ContentFile
from django.db import transaction

from grants.emails import email_send
from grants.models import Decision, RecoveryClaim, User
from grants.pdf import render_pdf
from grants.services.events import event_record


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def decision_letter_render(self, *, decision_id: int) -> bool:
    """Render one decision letter and e-mail the organisation's members. Idempotent: a decision
    that has its letter already is left alone (returns False)."""
    with transaction.atomic():
        decision = (
            Decision.objects.select_for_update(of=("self",))
            .select_related(
                "application__organisation", "application__round", "application__track", "meeting"
            )
            .get(pk=decision_id)
        )
        if decision.letter_pdf:
            return False
        application = decision.application
        language = "sv"
        pdf = render_pdf(
            "officer/pdf/decision_letter.html",
            {"decision": decision, "application": application},
            language=language,
        )
        decision.letter_pdf.save(f"decision-{decision.pk}.pdf", ContentFile(pdf), save=False)
        decision.save(update_fields=["letter_pdf"])
        event_record(
            action="decision.letter_sent",
            application=application,
            data={"decision": decision.pk},
            visible_to_applicant=True,
        )
        for recipient in User.objects.filter(
            memberships__organisation_id=application.organisation_id, is_active=True
        ):
            email_send(
                to=recipient.email,
                template="officer_decision",
                context={"decision": decision, "application": application, "recipient": recipient},
                language=recipient.language,
            )
    return True


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def recovery_letter_render(self, *, claim_id: int) -> bool:
    """Render the recovery claim letter and e-mail the organisation's members. Idempotent."""
    with transaction.atomic():
        claim = (
            RecoveryClaim.objects.select_for_update(of=("self",))
            .select_related("grant__application__organisation", "grant__application__round")
            .get(pk=claim_id)
        )
        if claim.letter_pdf:
            return False
        application = claim.grant.application
        pdf = render_pdf(
            "officer/pdf/recovery_letter.html",
            {"claim": claim, "grant": claim.grant, "application": application},
            language="sv",
        )
        claim.letter_pdf.save(f"claim-{claim.pk}.pdf", ContentFile(pdf), save=False)
        claim.save(update_fields=["letter_pdf"])
        event_record(
            action="recovery.letter_sent",
            application=application,
            grant=claim.grant,
            data={"claim": claim.pk},
            visible_to_applicant=True,
        )
        for recipient in User.objects.filter(
            memberships__organisation_id=application.organisation_id, is_active=True
        ):
            email_send(
                to=recipient.email,
                template="officer_recovery",
                context={"claim": claim, "application": application, "recipient": recipient},
                language=recipient.language,
            )
    return True
