"""Where a `next` parameter may send someone: only to a path on this site."""

from django.utils.http import url_has_allowed_host_and_scheme


def safe_next_url(request, fallback: str = "", value: str | None = None) -> str:
    """The `next` of the request (POST before GET), or `value` if given, when it points at this
    site; otherwise `fallback`. Refuses other hosts, other schemes, `//host`, backslash tricks
    and control characters."""
    if value is None:
        value = request.POST.get("next") or request.GET.get("next") or ""
    if (
        value
        and len(value) <= 2000
        and not any(ord(ch) < 32 for ch in value)
        and url_has_allowed_host_and_scheme(
            value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return value
    return fallback
