from django.urls import path

from grants.views import accounts

app_name = "accounts"

urlpatterns = [
    path("logga-in/", accounts.LoginView.as_view(), name="login"),
    path("logga-ut/", accounts.LogoutView.as_view(), name="logout"),
]
