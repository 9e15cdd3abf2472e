"""Request ids and structured request logs; security headers; the 503 page when the database is
unreachable; the 500 page that needs no database."""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

from grants.observability import REQUEST_LOGGER, request_id_var

_INCOMING_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=()"
)

logger = logging.getLogger("delmos.errors")


class RequestIdMiddleware:
    """First in the chain: give each request an id (a sane X-Request-ID from the proxy, or a new
    one), put it on every log line and in the response, and log one line when the request ends:
    method, path, status, duration in ms, request id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _INCOMING_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            duration = round((time.monotonic() - started) * 1000, 1)
            REQUEST_LOGGER.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": duration,
                },
            )
            return response
        finally:
            request_id_var.reset(token)

    def process_exception(self, request, exception):
        """The database is down or unreachable: answer 503 with a page that needs no database."""
        if isinstance(exception, OperationalError | InterfaceError):
            return database_unavailable(request, exception)
        return None


def database_unavailable(request, exception) -> HttpResponse:
    """503 with Retry-After, in the page's language, touching neither session nor database."""
    logger.error(
        "database unavailable: %s",
        type(exception).__name__,
        exc_info=(type(exception), exception, exception.__traceback__),
    )
    response = error_page(request, 503)
    response["Retry-After"] = "60"
    return response


class SecurityHeadersMiddleware:
    """After authentication: pages and downloads for a logged-in person are never stored by the
    browser or a proxy; every response gets a Permissions-Policy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = "private, no-store"
            response.headers.pop("Expires", None)
            patch_vary_headers(response, ["Cookie"])
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


def error_page(request, status: int) -> HttpResponse:
    """An error page rendered without a request context, so it touches neither the session nor
    the database: 500 and 503."""
    html = render_to_string(
        f"{status}.html",
        {
            "request_id": getattr(request, "request_id", "") or request_id_var.get(),
            "LANGUAGE_CODE": get_language() or "sv",
        },
    )
    return HttpResponse(html, status=status)


def server_error(request, *args, **kwargs):
    """handler500: the site's own page in the visitor's language, with the request id; a database
    that went away while a middleware used it (the session, the logged-in user) is a 503 too."""
    exception = sys.exc_info()[1]
    if isinstance(exception, OperationalError | InterfaceError):
        return database_unavailable(request, exception)
    return error_page(request, 500)
