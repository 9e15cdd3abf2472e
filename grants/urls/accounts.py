from django.urls import path

import grants.converters  # noqa: F401 - registers the path converters
from grants.views import accounts

app_name = "accounts"

urlpatterns = [
    path("logga-in/", accounts.LoginView.as_view(), name="login"),
    path("logga-ut/", accounts.LogoutView.as_view(), name="logout"),
    path("registrera/", accounts.register, name="register"),
    path("registrera/skickat/", accounts.register_done, name="register_done"),
    path("verifiera/<token:token>/", accounts.verify, name="verify"),
    path("losenord/aterstall/", accounts.PasswordResetView.as_view(), name="password_reset"),
    path(
        "losenord/aterstall/skickat/",
        accounts.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "losenord/aterstall/<uidb64>/<token>/",
        accounts.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "losenord/aterstall/klart/",
        accounts.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("losenord/byt/", accounts.PasswordChangeView.as_view(), name="password_change"),
    path(
        "losenord/byt/klart/",
        accounts.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
]
