"""Security headers, the site's own error pages in Swedish and English, structured logs with a
request id that the 500 page shows."""

import json
import logging
import re
from pathlib import Path

import pytest
from django.test import Client

from grants.middleware import server_error
from grants.observability import JsonFormatter
from tests import factories

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
STATIC = Path(__file__).resolve().parents[2] / "static"


def test_csp_allows_scripts_only_from_our_files(client, db):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    assert directives["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    assert directives["object-src"] == ["'none'"] and directives["frame-ancestors"] == ["'none'"]
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert "X-Request-ID" in response


def test_no_template_has_inline_scripts_or_event_handlers():
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
    handler = re.compile(r"\son[a-z]+\s*=", re.I)
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        if "email" in path.parts:
            continue
        text = path.read_text()
        if inline_script.search(text) or handler.search(text) or "javascript:" in text:
            offenders.append(str(path.relative_to(TEMPLATES)))
        if "hx-on" in text or "js:" in text:
            offenders.append(str(path.relative_to(TEMPLATES)))
    assert offenders == []


def test_htmx_is_configured_to_fit_the_policy(client, db):
    html = client.get("/beviljade-bidrag/").content.decode()
    config = json.loads(re.search(r"name=\"htmx-config\" content='([^']+)'", html).group(1))
    assert config["includeIndicatorStyles"] is False and config["allowEval"] is False
    assert ".htmx-indicator" in (STATIC / "css" / "site.css").read_text()


def test_logged_in_pages_and_private_downloads_are_not_stored(client, applicant, organisation):
    anonymous = client.get("/")
    assert "no-store" not in anonymous.get("Cache-Control", "")
    client.force_login(applicant)
    for url in ["/", "/portal/", f"/portal/organisationer/{organisation.pk}/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == "private, no-store", url


def test_a_private_attachment_download_is_not_stored(client, applicant, organisation):
    from django.core.files.base import ContentFile

    from grants.models import Attachment

    application = factories.make_application(organisation=organisation)
    attachment = Attachment(
        application=application, kind="statutes", content_type="application/pdf"
    )
    attachment.file.save("a.pdf", ContentFile(b"%PDF-1.4 x"), save=False)
    for field in ("original_name", "size"):
        if hasattr(attachment, field):
            setattr(attachment, field, "a.pdf" if field == "original_name" else 10)
    attachment.save()
    client.force_login(applicant)
    response = client.get(f"/portal/ansokningar/{application.pk}/bilagor/{attachment.pk}/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize(
    ("prefix", "title"), [("", "Sidan hittades inte"), ("/en", "Page not found")]
)
def test_404_page_in_the_visitors_language_with_the_layout(client, db, prefix, title):
    response = client.get(f"{prefix}/beviljade-bidrag/999999999/")
    assert response.status_code == 404
    html = response.content.decode()
    assert title in html and 'class="site-header"' in html


def test_403_csrf_page_is_our_own(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/konto/logga-in/", {"username": "a@example.org", "password": "x"})
    assert response.status_code == 403
    assert "Formuläret har gått ut" in response.content.decode()


@pytest.fixture
def error_urls(settings):
    settings.ROOT_URLCONF = "tests.hostile.urls_errors"


@pytest.mark.parametrize(
    ("prefix", "title"), [("", "Något gick fel"), ("/en", "Something went wrong")]
)
def test_500_page_shows_the_request_id_that_the_log_line_carries(
    error_urls, db, caplog, prefix, title
):
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get(f"{prefix}/test-boom/")
    assert response.status_code == 500
    html = response.content.decode()
    request_id = response["X-Request-ID"]
    assert title in html and request_id in html and 'class="site-header"' in html
    records = [r for r in caplog.records if r.name == "django.request"]
    assert len(records) == 1 and records[0].request_id == request_id
    line = JsonFormatter().format(records[0])
    assert "\n" not in line
    data = json.loads(line)
    assert data["request_id"] == request_id and data["level"] == "ERROR"
    assert "RuntimeError: a bug" in data["exc"]


def test_500_page_needs_no_database(rf, django_assert_max_num_queries, db):
    request = rf.get("/")
    request.request_id = "abc123def456"
    with django_assert_max_num_queries(0):
        response = server_error(request)
    assert response.status_code == 500 and "abc123def456" in response.content.decode()


def test_503_page_when_the_database_is_unreachable(error_urls, db, caplog):
    client = Client(raise_request_exception=False)
    response = client.get("/en/test-database-down/")
    assert response.status_code == 503 and response["Retry-After"] == "60"
    assert "temporarily unavailable" in response.content.decode()
    assert response["X-Request-ID"] in response.content.decode()


@pytest.mark.parametrize("code", ["400", "403", "404", "429", "500", "503"])
def test_every_error_page_is_translated(code, db):
    from django.template.loader import render_to_string
    from django.utils import translation

    with translation.override("sv"):
        swedish = render_to_string(f"{code}.html", {"request_id": "r1"})
    with translation.override("en"):
        english = render_to_string(f"{code}.html", {"request_id": "r1"})
    assert swedish != english and "Gå till startsidan" in swedish


def test_one_structured_line_per_request(client, db, caplog):
    with caplog.at_level(logging.INFO, logger="delmos.request"):
        response = client.get("/tillganglighet/")
    (record,) = [r for r in caplog.records if r.name == "delmos.request"]
    data = json.loads(JsonFormatter().format(record))
    assert data["method"] == "GET" and data["path"] == "/tillganglighet/"
    assert data["status"] == 200 and isinstance(data["duration_ms"], float)
    assert data["request_id"] == response["X-Request-ID"]


def test_one_structured_line_per_task(caplog, db, django_capture_on_commit_callbacks):
    from grants.outbox import enqueue

    with (
        caplog.at_level(logging.INFO, logger="delmos.task"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        enqueue("password_reset", payload={"email": "nobody@example.org", "language": "sv"})
    (record,) = [r for r in caplog.records if r.name == "delmos.task"]
    data = json.loads(JsonFormatter().format(record))
    assert data["task"] == "grants.outbox.run"
    assert data["state"] == "SUCCESS" and data["task_id"] and data["duration_ms"] is not None


def test_logging_goes_to_stdout_as_json(settings):
    handler = settings.LOGGING["handlers"]["stdout"]
    assert handler["stream"] == "ext://sys.stdout"
    assert settings.LOGGING["formatters"]["json"]["()"].endswith("JsonFormatter")
