from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from grants.views import health, public

urlpatterns = [
    path("admin/", admin.site.urls),
    # Health endpoints (issue 12): no language prefix, for the orchestrator and load balancer.
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("favicon.ico", public.favicon, name="favicon"),
]

# The 500 page in the site's layout and the visitor's language, without the database.
handler500 = "grants.middleware.server_error"

# Swedish at the root, English under /en/: stable public URLs people can link to.
urlpatterns += i18n_patterns(
    path("", include("grants.urls.public")),
    path("", include("grants.urls.publications")),
    path("konto/", include("grants.urls.accounts")),
    path("portal/", include("grants.urls.portal")),
    path("handlaggning/", include("grants.urls.officer")),
    prefix_default_language=False,
)
