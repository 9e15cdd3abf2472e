from django.urls import path

from grants.views import portal

app_name = "portal"

urlpatterns = [
    path("", portal.dashboard, name="dashboard"),
]
