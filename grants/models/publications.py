from django.db import models
from django.utils.translation import gettext_lazy as _

from grants.progress import progress_state


class Publication(models.Model):
    """One version of a published award list. The row is the job's state: the Celery task only
    moves it from pending to done (or failed); a sweeper re-enqueues rows left behind."""

    class Status(models.TextChoices):
        PENDING = "pending", _("queued")
        RENDERING = "rendering", _("rendering")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    round = models.ForeignKey(
        "grants.Round",
        on_delete=models.PROTECT,
        related_name="publications",
        verbose_name=_("round"),
    )
    track = models.ForeignKey(
        "grants.Track",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="publications",
        verbose_name=_("track"),
        help_text=_("Empty for the combined list of all tracks."),
    )
    version = models.PositiveIntegerField(_("version"))
    as_of = models.DateField(_("decisions up to"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    note_en = models.CharField(_("note (English)"), max_length=200, blank=True)
    rows = models.JSONField(_("rows"), default=list, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    total_amount = models.PositiveBigIntegerField(_("total (SEK)"), default=0)
    content_hash = models.CharField(_("content hash"), max_length=64, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    pdf = models.FileField(_("PDF (Swedish)"), upload_to="lists/", blank=True)
    pdf_en = models.FileField(_("PDF (English)"), upload_to="lists/", blank=True)
    error = models.TextField(_("error"), blank=True)
    progress = models.JSONField(
        _("progress"),
        default=dict,
        blank=True,
        help_text=_("While rendering: the PDFs done and the estimated seconds in all."),
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    published_by = models.ForeignKey(
        "grants.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )
    published_at = models.DateTimeField(_("published"))
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    is_demo = models.BooleanField(_("demonstration data"), default=False)

    class Meta:
        ordering = ["round", "track", "-version"]
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "track", "version"], name="publication_version_unique"
            ),
            models.UniqueConstraint(
                fields=["round", "version"],
                condition=models.Q(track__isnull=True),
                name="publication_combined_version_unique",
            ),
        ]
        indexes = [models.Index(fields=["status"], name="publication_status_idx")]

    def __str__(self):
        scope = self.track.name if self.track_id else _("all tracks")
        return f"{self.round.year} – {scope} – v{self.version}"

    def pdf_sizes(self) -> dict[str, int]:
        """The size in bytes of each language's PDF, for the download links (0 when missing)."""
        sizes = {}
        for language, field in (("sv", self.pdf), ("en", self.pdf_en)):
            try:
                sizes[language] = field.size if field else 0
            except (OSError, ValueError):
                sizes[language] = 0
        return sizes

    def progress_state(self) -> dict:
        """PDFs rendered, PDFs in all, rows laid out (both languages' rows count), and the
        estimated seconds left, for the publish page (the rule: grants.progress)."""
        progress = self.progress or {}
        rows = progress_state(
            progress.get("rows_done", 0),
            progress.get("rows_total", 0),
            started_at=self.started_at,
            estimate_seconds=progress.get("estimate_seconds"),
        )
        return {
            "done": len(progress.get("languages_done", [])),
            "total": progress.get("languages", 2),
            "rows_done": rows["done"],
            "rows_total": rows["total"],
            "seconds_left": rows["seconds_left"],
        }
