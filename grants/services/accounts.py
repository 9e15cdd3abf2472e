"""Accounts: registration with a verified e-mail address."""

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from grants.emails import email_send
from grants.models import Event, User
from grants.services import ServiceError
from grants.services.events import event_record

VERIFY_SALT = "delmos.accounts.verify-email"
VERIFY_SENT = "user.verification_sent"
RESET_SENT = "user.password_reset_sent"


def _latest_link(user: User, action: str) -> int:
    """The id of the audit entry of the newest link of this kind sent to the user: a link made
    before it no longer matches, so sending a new link kills the older ones."""
    return (
        Event.objects.filter(action=action, target=user.email, data__user=user.pk)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
        or 0
    )


def _verification_state(user: User) -> str:
    """A digest of what a verification link may be used against: the password, whether the
    address is verified and the newest link. Using the link, changing the password or sending a
    newer link changes it, so each link works once."""
    value = "|".join(
        [
            str(user.pk),
            user.password,
            str(user.email_verified_at),
            str(user.is_active),
            str(_latest_link(user, VERIFY_SENT)),
        ]
    )
    return salted_hmac(VERIFY_SALT, value).hexdigest()[:32]


class LinkTokenGenerator(PasswordResetTokenGenerator):
    """Django's password reset tokens (they die when the password changes or the user logs in)
    that also die when a newer reset link is sent."""

    key_salt = "delmos.accounts.password-reset"

    def _make_hash_value(self, user, timestamp):
        return super()._make_hash_value(user, timestamp) + str(_latest_link(user, RESET_SENT))


password_reset_tokens = LinkTokenGenerator()


def absolute_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def verification_token(user: User, next_path: str = "") -> str:
    data = {"u": user.pk, "e": user.email, "h": _verification_state(user)}
    if next_path:
        data["n"] = next_path
    return signing.dumps(data, salt=VERIFY_SALT, compress=True)


@transaction.atomic
def user_register(
    *, email: str, password: str, full_name: str, language: str, next_path: str = ""
) -> User | None:
    """Register an address. A new address gets an inactive account and a link that activates
    it (and then leads on to `next_path`, e.g. an invitation). An address whose account was never
    confirmed gets the new password and a new link (older links die). An address with a working
    account gets an e-mail telling its owner, and None is returned; the caller answers alike in
    every case, so the page does not tell whether an address has an account. Each path hashes
    one password and sends one e-mail, so they take the same time."""
    user = User.objects.select_for_update().filter(email__iexact=email).first()
    if user is not None and user.email_verified_at is not None:
        make_password(password)  # the same work as the other paths
        event_record(action="user.registration_of_known_address", actor=None, target=user.email)
        with translation.override(user.language):
            login_path = reverse("accounts:login")
            reset_path = reverse("accounts:password_reset")
        email_send(
            to=user.email,
            template="account_exists",
            context={
                "user": user,
                "login_url": absolute_url(login_path),
                "reset_url": absolute_url(reset_path),
            },
            language=user.language,
        )
        return None
    if user is None:
        user = User.objects.create_user(
            email=email,
            password=password,
            full_name=full_name,
            language=language,
            is_active=False,
        )
        event_record(action="user.registered", target=user.email)
    else:
        user.set_password(password)
        user.full_name = full_name
        user.language = language
        user.save(update_fields=["password", "full_name", "language"])
        event_record(action="user.registered_again", target=user.email)
    verification_send(user=user, next_path=next_path)
    return user


def verification_send(*, user: User, next_path: str = "") -> None:
    event_record(action=VERIFY_SENT, target=user.email, data={"user": user.pk})
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
    if user.email_verified_at is not None or not constant_time_compare(
        data.get("h", ""), _verification_state(user)
    ):
        raise ServiceError(
            _(
                "The link has already been used or a newer one has been sent. Log in, or ask "
                "for a new password if you have forgotten it."
            ),
            code="used",
        )
    user.email_verified_at = timezone.now()
    user.is_active = True
    user.save(update_fields=["email_verified_at", "is_active"])
    event_record(action="user.email_verified", actor=user, target=user.email)
    return user, data.get("n", "")


def password_reset_send(*, email: str, language: str) -> None:
    """Send a password reset link to every active account with this address, killing older
    links; an unknown address gets nothing. Run in the background, so the page that asks takes
    the same time for known and unknown addresses."""
    for user in User.objects.filter(email__iexact=email, is_active=True):
        if not user.has_usable_password():
            continue
        event_record(action=RESET_SENT, target=user.email, data={"user": user.pk})
        with translation.override(user.language or language):
            path = reverse(
                "accounts:password_reset_confirm",
                kwargs={
                    "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                    "token": password_reset_tokens.make_token(user),
                },
            )
        email_send(
            to=user.email,
            template="password_reset",
            context={"user": user, "url": absolute_url(path)},
            language=user.language or language,
        )
