from django.db import models
from django.utils.translation import gettext_lazy as _


class PublicDataVersion(models.Model):
    """One row whose `version` the database itself changes, by triggers, in every transaction
    that writes data the public pages show (grants, decisions, meetings, rounds, tracks, budget
    changes, publications, organisations, application statuses, regions): see grants/dbtriggers.py.

    The public page cache keys carry it, so a cache hit costs one primary-key lookup and a
    change shows at once, whichever code path (service, admin, bulk update) made it. The new
    value is random rather than a counter: a value is never reused, even after tests flush the
    table or a backup is restored, so a stale page can never be found under a new key."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    version = models.BigIntegerField(_("version"), default=0)

    class Meta:
        verbose_name = _("public data version")
        verbose_name_plural = _("public data versions")

    def __str__(self):
        return str(self.version)
