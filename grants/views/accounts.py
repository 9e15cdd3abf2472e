from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from grants import roles
from grants.forms.accounts import LoginForm, RegistrationForm
from grants.services import ServiceError
from grants.services.accounts import user_register, user_verify_email


class LoginView(auth_views.LoginView):
    """Log in with e-mail and password; staff land in the workspace, applicants in the portal."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        user = self.request.user
        if roles.is_case_officer(user) or roles.is_decision_maker(user):
            return reverse("officer:dashboard")
        return reverse("portal:dashboard")


class LogoutView(auth_views.LogoutView):
    next_page = "public:home"


@require_http_methods(["GET", "POST"])
def register(request):
    if request.user.is_authenticated:
        return redirect("portal:dashboard")
    form = RegistrationForm(request.POST or None)
    next_path = _safe_next(request, request.POST.get("next") or request.GET.get("next", ""))
    if request.method == "POST" and form.is_valid():
        user_register(
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
            full_name=form.cleaned_data["full_name"],
            language=get_language() or "sv",
            next_path=next_path,
        )
        return redirect("accounts:register_done")
    return render(request, "accounts/register.html", {"form": form, "next": next_path})


def _safe_next(request, value: str) -> str:
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return ""


def register_done(request):
    return render(request, "accounts/register_done.html")


def verify(request, token):
    try:
        user, next_path = user_verify_email(token=token)
    except ServiceError as exc:
        return render(request, "accounts/verify_failed.html", {"error": exc.message}, status=400)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(request, _("Your e-mail address is confirmed. Welcome!"))
    return redirect(_safe_next(request, next_path) or reverse("portal:dashboard"))


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_form.html"
    extra_context = {"heading": gettext_lazy("Reset your password")}
    success_url = reverse_lazy("accounts:password_reset_done")
    subject_template_name = "email/password_reset_subject.txt"
    email_template_name = "email/password_reset_body.txt"
    html_email_template_name = "email/password_reset_body.html"

    @property
    def extra_email_context(self):
        # The link is built from SITE_URL, never from the request's Host header (issue 12).
        return {"site_url": settings.SITE_URL}


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_form.html"
    extra_context = {"heading": gettext_lazy("Choose a new password")}
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_form.html"
    extra_context = {"heading": gettext_lazy("Change password")}
    success_url = reverse_lazy("accounts:password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"
