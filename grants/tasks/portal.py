"""Portal jobs: the PDF copy of a submitted application (outbox kind "receipt")."""

from django.utils import translation

from grants.models import Application, OutboxJob
from grants.outbox import handler
from grants.pdf import render_pdf
from grants.selectors.portal import SECTION_TITLES, section_display, sections_for
from grants.tasks.publications import write_atomically


def receipt_name(application: Application) -> str:
    name = f"{application.case_number or application.pk}.pdf".replace(" ", "-").replace("/", "-")
    return f"receipts/{name}"


def application_receipt_pdf(*, application_id: int, language: str = "sv") -> str:
    """Render the submitted application (its frozen snapshot) to a tagged PDF and keep it in
    private storage. Idempotent: an application that has its PDF keeps it, and a run cut short
    rewrites the same file name (one file, whole or not there)."""
    application = Application.objects.select_related("round", "track", "organisation").get(
        pk=application_id
    )
    if application.receipt_pdf:
        return application.receipt_pdf.name
    with translation.override(language):
        sections = [
            (str(SECTION_TITLES[key]), section_display(application, key))
            for key in sections_for(application.track)
        ]
    pdf = render_pdf(
        "portal/pdf_application.html",
        {"application": application, "sections": sections},
        language=language,
    )
    name = receipt_name(application)
    write_atomically(name, pdf, storage=Application.receipt_pdf.field.storage)
    Application.objects.filter(pk=application_id, receipt_pdf="").update(receipt_pdf=name)
    return name


@handler("receipt")
def receipt_job(job: OutboxJob) -> dict:
    payload = job.payload
    name = application_receipt_pdf(
        application_id=payload["application"], language=payload.get("language", "sv")
    )
    return {"file": name}
