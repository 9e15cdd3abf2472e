"""The project's URLs plus three that fail on purpose, for the error page tests."""

from django.conf.urls.i18n import i18n_patterns
from django.db import OperationalError
from django.urls import path

from delmos.urls import handler500  # noqa: F401
from delmos.urls import urlpatterns as project_urlpatterns


def boom(request):
    raise RuntimeError("a bug")


def database_down(request):
    raise OperationalError("connection refused")


urlpatterns = [
    *project_urlpatterns,
    *i18n_patterns(
        path("test-boom/", boom),
        path("test-database-down/", database_down),
        prefix_default_language=False,
    ),
]
