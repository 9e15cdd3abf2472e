"""Login rate limiting with django-axes: every login through a form is counted and a locked-out
e-mail address and IP address pair is refused before the password is checked."""

from axes.backends import AxesStandaloneBackend


class LoginRateLimitBackend(AxesStandaloneBackend):
    """django-axes' check, skipped only where there is no request at all (the test client's
    login() and management commands), since there is no one to rate-limit there."""

    def authenticate(self, request=None, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def login_username(request, credentials) -> str | None:
    """The e-mail address a login attempt is counted against, lower-cased so that changing the
    case of letters does not get round the limit."""
    value = (credentials or {}).get("username")
    if value is None and request is not None:
        value = getattr(request, "POST", {}).get("username")
    return value.strip().lower() if value else None
