"""PDF rendering with WeasyPrint. Called only from Celery tasks, never in a web request.

PDFs are tagged PDF/UA-1 with language and title, and WeasyPrint may fetch nothing but the
project's own static files."""

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation

from grants.pdf_structure import repair_structure


class ForbiddenResource(Exception):
    pass


def static_only_url_fetcher(url: str, *args, **kwargs):
    """Serve `static:` and the project's /static/ URLs from disk; refuse everything else."""
    from weasyprint.urls import default_url_fetcher

    for prefix in ("static:", settings.STATIC_URL, f"file://{settings.STATIC_URL}"):
        if url.startswith(prefix):
            relative = url[len(prefix) :].lstrip("/")
            found = finders.find(relative)
            if not found:
                raise ForbiddenResource(f"No static file {relative!r}")
            return default_url_fetcher(Path(found).resolve().as_uri())
    raise ForbiddenResource(f"PDF rendering may not fetch {url!r}")


def render_html(template_name: str, context: dict, *, language: str = "sv") -> str:
    with translation.override(language):
        return render_to_string(template_name, {**context, "LANGUAGE_CODE": language})


def pdf_from_html(html: str) -> bytes:
    """A tagged PDF (PDF/UA-1) of `html`, its tables repaired (grants/pdf_structure.py)."""
    from weasyprint import HTML

    data = HTML(string=html, base_url="static:", url_fetcher=static_only_url_fetcher).write_pdf(
        pdf_variant="pdf/ua-1", uncompressed_pdf=False
    )
    return repair_structure(data)


def render_pdf(template_name: str, context: dict, *, language: str = "sv") -> bytes:
    """Render a template under templates/pdf/ to a tagged PDF (PDF/UA-1) in the given language."""
    return pdf_from_html(render_html(template_name, context, language=language))
