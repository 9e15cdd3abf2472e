from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from grants.dbtriggers import ensure_public_version_triggers


class GrantsConfig(AppConfig):
    name = "grants"
    verbose_name = _("Grants")

    def ready(self):
        # Imported here, not at the top: both use the models, which exist only once the app
        # registry is ready (Django's documented place to connect signals).
        from grants import (
            checks,  # noqa: F401  (registers the system checks)
            signals,  # noqa: F401  (keeps the grants' listing copies in step)
        )

        post_migrate.connect(_ensure_triggers, sender=self)


def _ensure_triggers(sender, using, plan=None, **kwargs):
    """After every migrate: the public data version's triggers exist (grants/dbtriggers.py)."""
    connection = connections[using]
    if "grants_publicdataversion" in connection.introspection.table_names():
        ensure_public_version_triggers(connection)
