"""Portal jobs: the PDF copy of a submitted application."""

from celery import shared_task
from django.core.files.base import ContentFile
from django.utils import translation

from grants.models import Application
from grants.pdf import render_pdf
from grants.selectors.portal import SECTION_TITLES, section_display, sections_for


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def application_receipt_pdf(self, *, application_id: int, language: str = "sv") -> str:
    """Render the submitted application (its frozen snapshot) to a tagged PDF and keep it in
    private storage. Idempotent: an application that has its PDF keeps it."""
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
    name = f"{application.case_number or application.pk}.pdf".replace(" ", "-").replace("/", "-")
    stored = Application.receipt_pdf.field.storage.save(f"receipts/{name}", ContentFile(pdf))
    Application.objects.filter(pk=application_id, receipt_pdf="").update(receipt_pdf=stored)
    return stored
