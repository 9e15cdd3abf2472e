from django.contrib.auth import views as auth_views
from django.urls import reverse

from grants import roles


class LoginView(auth_views.LoginView):
    """Log in with e-mail and password; staff land in the workspace, applicants in the portal."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        user = self.request.user
        if roles.is_case_officer(user) or roles.is_decision_maker(user):
            return reverse("officer:dashboard")
        return reverse("portal:dashboard")


class LogoutView(auth_views.LogoutView):
    next_page = "public:home"
