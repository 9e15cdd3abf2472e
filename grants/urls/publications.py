from django.urls import path

from grants.views import publications as views

app_name = "publications"

urlpatterns = [
    # Published award lists (public).
    path("utlysningar/<int:year>/listor/", views.round_lists, name="round"),
    path(
        "utlysningar/<int:year>/listor/<slug:scope>/v<int:version>/",
        views.version_page,
        name="version",
    ),
    path(
        "utlysningar/<int:year>/listor/<slug:scope>/v<int:version>/<str:language>.pdf",
        views.version_pdf,
        name="pdf",
    ),
    # Publishing them (decision makers).
    path("handlaggning/publiceringar/", views.manage, name="manage"),
    path("handlaggning/publiceringar/<int:pk>/status/", views.status, name="status"),
    path("handlaggning/publiceringar/<int:pk>/forsok-igen/", views.retry, name="retry"),
]
