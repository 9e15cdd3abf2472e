from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.forms import PasswordResetForm as DjangoPasswordResetForm
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from grants.models import User
from grants.outbox import enqueue


class LoginForm(AuthenticationForm):
    """Django's login form; the page explains the lock-out and the e-mail verification."""


class RegistrationForm(forms.Form):
    full_name = forms.CharField(label=_("Your name"), max_length=150)
    email = forms.EmailField(
        label=_("E-mail address"),
        help_text=_("We send a link to this address to confirm it is yours."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters; not a common password and not only digits."),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_email(self):
        # Whether the address has an account is not said here (the e-mail tells its owner).
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords are not the same."))
        if first:
            candidate = User(email=cleaned.get("email", ""), full_name=cleaned.get("full_name", ""))
            try:
                password_validation.validate_password(first, candidate)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


class PasswordResetForm(DjangoPasswordResetForm):
    """Django's form, but the look-up and the e-mail happen in a background task: the page
    answers alike, in the same time, for known and unknown addresses."""

    def save(self, *args, **kwargs):
        enqueue(
            "password_reset",
            payload={
                "email": self.cleaned_data["email"].strip(),
                "language": get_language() or "sv",
            },
            description="password reset",
        )
