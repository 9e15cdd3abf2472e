from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, register

from delmos.settings import DEFAULT_SITE_URL, PLACEHOLDER_SECRET_KEY


@register(Tags.security, deploy=True)
def secret_key_is_not_placeholder(app_configs, **kwargs):
    """`check --deploy` refuses the development placeholder key."""
    if settings.SECRET_KEY == PLACEHOLDER_SECRET_KEY:
        return [
            Error(
                "SECRET_KEY is the development placeholder.",
                hint="Set the SECRET_KEY environment variable to a long random value.",
                id="delmos.E001",
            )
        ]
    return []


# -- Deployment (issue 12) ------------------------------------------------------------------------
@register(Tags.security, deploy=True)
def site_url_is_the_public_address(app_configs, **kwargs):
    """Production must say where it is served: every absolute link is built from SITE_URL."""
    if settings.DEBUG:
        return []
    url = settings.SITE_URL
    parts = urlsplit(url)
    if url.rstrip("/") == DEFAULT_SITE_URL or not parts.hostname:
        return [
            Error(
                f"SITE_URL is {url!r}, the development default, while DEBUG is off.",
                hint="Set SITE_URL to the public address, e.g. https://bidrag.delmos.se.",
                id="delmos.E002",
            )
        ]
    errors = []
    if parts.scheme not in {"http", "https"} or parts.path not in {"", "/"}:
        errors.append(
            Error(
                f"SITE_URL {url!r} must be a scheme and host only, like https://bidrag.delmos.se.",
                id="delmos.E003",
            )
        )
    if settings.SECURE_SSL_REDIRECT and parts.scheme != "https":
        errors.append(
            Error(
                f"SITE_URL {url!r} is not https while SECURE_SSL_REDIRECT is on.",
                id="delmos.E004",
            )
        )
    allowed = settings.ALLOWED_HOSTS
    host = parts.hostname or ""
    if "*" not in allowed and not any(
        host == entry or (entry.startswith(".") and host.endswith(entry)) for entry in allowed
    ):
        errors.append(
            Error(
                f"SITE_URL's host {host!r} is not in ALLOWED_HOSTS.",
                hint="Add it to the ALLOWED_HOSTS environment variable.",
                id="delmos.E005",
            )
        )
    return errors
