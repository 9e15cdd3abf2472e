"""Letters: a decision or recovery letter rendered as PDF from its decision, then e-mailed to
the organisation's members. One task for every kind of letter (LETTERS says what differs)."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import translation

from grants import letters
from grants.emails import email_send, site_url
from grants.models import Decision, OutboxJob, RecoveryClaim, User
from grants.outbox import handler
from grants.pdf import render_pdf
from grants.services.events import event_record
from grants.services.letters import letter_batch_count
from grants.tasks.publications import page_counter_css, write_atomically


@dataclass(frozen=True)
class LetterKind:
    model: type
    related: tuple[str, ...]
    template: str
    file_prefix: str
    event: str
    email: str
    context_name: str

    def application(self, obj):
        return obj.application if self.model is Decision else obj.grant.application

    def context(self, obj) -> dict:
        if self.model is Decision:
            return letters.decision_letter_context(obj)
        return letters.recovery_letter_context(obj)


LETTERS = {
    "decision": LetterKind(
        model=Decision,
        related=(
            "application__organisation",
            "application__round",
            "application__track",
            "application__assigned_officer",
            "meeting__closed_by",
            "created_by",
        ),
        template="pdf/decision_letter.html",
        file_prefix="decision",
        event="decision.letter_sent",
        email="officer_decision",
        context_name="decision",
    ),
    "recovery": LetterKind(
        model=RecoveryClaim,
        related=(
            "grant__application__organisation",
            "grant__application__round",
            "grant__application__track",
            "grant__application__assigned_officer",
        ),
        template="pdf/recovery_letter.html",
        file_prefix="claim",
        event="recovery.letter_sent",
        email="officer_recovery",
        context_name="claim",
    ),
}


def render_letter(kind: str, obj, language: str = "sv") -> bytes:
    """The letter for `obj` (a Decision or RecoveryClaim) as a tagged PDF in `language`."""
    spec = LETTERS[kind]
    with translation.override(language):  # labels taken from the data are in the letter's language
        context = {**spec.context(obj), "page_counter": page_counter_css(language)}
    return render_pdf(spec.template, context, language=language)


def wants_english(organisation_id: int) -> bool:
    """An English copy is made when a member of the organisation reads Delmos in English."""
    return User.objects.filter(
        memberships__organisation_id=organisation_id, is_active=True, language="en"
    ).exists()


def letter_render(*, kind: str, object_id: int, notify: bool = True, english: bool = False) -> bool:
    """Render one letter (Swedish, and an English copy on request: when a member reads Delmos in
    English, or `english`) and e-mail the organisation's members. Idempotent: an object that has
    its letter already is left alone (returns False), but for the English copy `english` asks
    for; the files have fixed names, so a run cut short leaves no second copy."""
    spec = LETTERS[kind]
    with transaction.atomic():
        obj = (
            spec.model.objects.select_for_update(of=("self",))
            .select_related(*spec.related)
            .get(pk=object_id)
        )
        application = spec.application(obj)
        storage = spec.model.letter_pdf.field.storage
        made = not obj.letter_pdf
        fields = []
        if made:
            obj.letter_pdf.name = f"letters/{spec.file_prefix}-{obj.pk}.pdf"
            write_atomically(obj.letter_pdf.name, render_letter(kind, obj), storage=storage)
            fields.append("letter_pdf")
        if not obj.letter_pdf_en and (
            english or (made and wants_english(application.organisation_id))
        ):
            obj.letter_pdf_en.name = f"letters/{spec.file_prefix}-{obj.pk}.en.pdf"
            write_atomically(
                obj.letter_pdf_en.name, render_letter(kind, obj, "en"), storage=storage
            )
            fields.append("letter_pdf_en")
        if fields:
            obj.save(update_fields=fields)
        if not made:
            return False
        extra = {"grant": obj.grant} if spec.model is RecoveryClaim else {}
        event_record(
            action=spec.event,
            application=application,
            data={spec.context_name: obj.pk, "english": "letter_pdf_en" in fields},
            visible_to_applicant=True,
            **extra,
        )
        if notify:
            for recipient in User.objects.filter(
                memberships__organisation_id=application.organisation_id, is_active=True
            ):
                email_send(
                    to=recipient.email,
                    template=spec.email,
                    context={
                        spec.context_name: obj,
                        "application": application,
                        "recipient": recipient,
                        "url": site_url(
                            "portal:application",
                            args=[application.pk],
                            language=recipient.language,
                        ),
                    },
                    language=recipient.language,
                    application=application,
                )
    return True


@handler("letter")
def letter_job(job: OutboxJob) -> dict:
    payload = job.payload
    made = letter_render(
        kind=payload["kind"],
        object_id=payload["object"],
        notify=payload.get("notify", True),
        english=payload.get("english", False),
    )
    if payload.get("batch"):
        letter_batch_count(payload["batch"])
    spec = LETTERS[payload["kind"]]
    obj = spec.model.objects.only("letter_pdf", "letter_pdf_en").get(pk=payload["object"])
    return {"file": obj.letter_pdf.name, "file_en": obj.letter_pdf_en.name, "made": made}
