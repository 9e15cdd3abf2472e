"""Accounts: registration with a verified e-mail address."""

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from grants.emails import email_send
from grants.models import User
from grants.services import ServiceError
from grants.services.events import event_record

VERIFY_SALT = "delmos.accounts.verify-email"


def absolute_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def verification_token(user: User, next_path: str = "") -> str:
    data = {"u": user.pk, "e": user.email}
    if next_path:
        data["n"] = next_path
    return signing.dumps(data, salt=VERIFY_SALT, compress=True)


@transaction.atomic
def user_register(
    *, email: str, password: str, full_name: str, language: str, next_path: str = ""
) -> User:
    """Create an inactive account and e-mail a link that activates it (and then leads on to
    `next_path`, e.g. an invitation)."""
    user = User.objects.create_user(
        email=email, password=password, full_name=full_name, language=language, is_active=False
    )
    event_record(action="user.registered", target=user.email)
    verification_send(user=user, next_path=next_path)
    return user


def verification_send(*, user: User, next_path: str = "") -> None:
    with translation.override(user.language):
        path = reverse("accounts:verify", kwargs={"token": verification_token(user, next_path)})
    email_send(
        to=user.email,
        template="verify_email",
        context={"user": user, "url": absolute_url(path), "days": 3},
        language=user.language,
    )


@transaction.atomic
def user_verify_email(*, token: str) -> tuple[User, str]:
    """Activate the account the token names; return it and where to go next. Valid for
    EMAIL_VERIFICATION_MAX_AGE seconds."""
    try:
        data = signing.loads(token, salt=VERIFY_SALT, max_age=settings.EMAIL_VERIFICATION_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise ServiceError(
            _("The link has expired. Register again to get a new one."), code="expired"
        ) from exc
    except signing.BadSignature as exc:
        raise ServiceError(_("The link is not valid."), code="invalid") from exc
    user = User.objects.select_for_update().filter(pk=data["u"], email=data["e"]).first()
    if user is None:
        raise ServiceError(_("The link is not valid."), code="invalid")
    if user.email_verified_at is None:
        user.email_verified_at = timezone.now()
        user.is_active = True
        user.save(update_fields=["email_verified_at", "is_active"])
        event_record(action="user.email_verified", actor=user, target=user.email)
    return user, data.get("n", "")
