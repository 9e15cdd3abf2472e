from django.urls import path

from grants.views import officer

app_name = "officer"

urlpatterns = [
    path("", officer.dashboard, name="dashboard"),
]
