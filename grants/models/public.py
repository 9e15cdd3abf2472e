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


class OpenDataRelease(models.Model):
    """The open data files written for one public data version: the whole 360Giving package
    and the whole CSV, each written by a Celery job (grants/tasks/opendata.py) to a temporary
    name and renamed into place, so a row exists only for files that are complete. The public
    is served the newest row's files (grants/views/public.py), never a file built in a web
    request; while the files of a newer version are being written, the previous ones answer."""

    data_version = models.BigIntegerField(_("public data version"), unique=True)
    package = models.FileField(_("360Giving package"), upload_to="oppna-data/", max_length=200)
    package_sha256 = models.CharField(_("package SHA-256"), max_length=64)
    package_size = models.PositiveBigIntegerField(_("package size (bytes)"))
    csv = models.FileField(_("CSV file"), upload_to="oppna-data/", max_length=200)
    csv_sha256 = models.CharField(_("CSV SHA-256"), max_length=64)
    csv_size = models.PositiveBigIntegerField(_("CSV size (bytes)"))
    grant_count = models.PositiveIntegerField(_("grants"))
    started_at = models.DateTimeField(_("started"))
    written_at = models.DateTimeField(_("written"))

    class Meta:
        verbose_name = _("open data release")
        verbose_name_plural = _("open data releases")
        indexes = [models.Index(fields=["-written_at"], name="opendata_written_idx")]

    def __str__(self):
        return f"{self.data_version} ({self.written_at:%Y-%m-%d %H:%M})"


class GrantFacet(models.Model):
    """The award list's counts, precomputed (grants/selectors/facets.py): how many public grants,
    and how many kronor, fall under each facet value (`kind`: 0 the whole result, 1 a
    municipality the project works in, 2 a county it works in, 3 a decision meeting that approved
    it) among the grants matching one filter value (`fkind`: 0 none, 1 works in a municipality,
    2 works in a county, 3 seated in a municipality, 4 approved at a meeting), per cell of track,
    year, type of organisation and supplementary grant. A filter state of cell values and at
    most one of those filter values sums rows instead of scanning the grants.

    Rebuilt whole by the open data job when `GrantFacetState` says the grants changed since the
    last build; never read while it is stale (the scan answers then)."""

    fkind = models.PositiveSmallIntegerField()
    fvalue = models.CharField(max_length=20, blank=True)
    year = models.IntegerField(null=True)
    track_id = models.BigIntegerField(null=True)
    org_type = models.CharField(max_length=20, blank=True)
    supplementary = models.BooleanField(null=True)
    kind = models.PositiveSmallIntegerField()
    key_number = models.BigIntegerField(null=True)
    key_text = models.CharField(max_length=20, blank=True)
    n = models.BigIntegerField()
    amount = models.BigIntegerField(null=True)
    largest = models.BigIntegerField(null=True)
    smallest = models.BigIntegerField(null=True)

    class Meta:
        verbose_name = _("award list count")
        verbose_name_plural = _("award list counts")
        indexes = [models.Index(fields=["fkind", "fvalue"], name="grantfacet_filter_idx")]

    def __str__(self):
        return f"{self.fkind}:{self.fvalue} {self.kind}:{self.key_number or self.key_text} {self.n}"


class GrantFacetState(models.Model):
    """Whether GrantFacet is current: `facts_version` is changed by database triggers in every
    statement that writes grants, their municipalities, decisions or rounds
    (grants/dbtriggers.py); `built_version` is the facts version the rows were built from."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    facts_version = models.BigIntegerField(default=0)
    built_version = models.BigIntegerField(null=True)
    built_at = models.DateTimeField(null=True)

    class Meta:
        verbose_name = _("award list count state")
        verbose_name_plural = _("award list count states")

    def __str__(self):
        return f"{self.built_version} / {self.facts_version}"
