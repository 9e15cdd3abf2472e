from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Report(models.Model):
    """A progress report (lägesrapport) or final report (slutrapport) on a grant."""

    class Kind(models.TextChoices):
        PROGRESS = "progress", _("progress report")
        FINAL = "final", _("final report")

    class Review(models.TextChoices):
        NOT_SUBMITTED = "not_submitted", _("not submitted")
        PENDING = "pending", _("awaiting review")
        APPROVED = "approved", _("approved")
        RETURNED = "returned", _("returned for changes")

    grant = models.ForeignKey(
        "grants.Grant", on_delete=models.PROTECT, related_name="reports", verbose_name=_("grant")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # The grant year a progress report covers (one per grant year); a final report's is the
    # grant's last year.
    grant_year = models.PositiveSmallIntegerField(_("grant year"), default=0)
    due_date = models.DateField(_("due"))
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    money_used = models.PositiveBigIntegerField(_("money used (SEK)"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        "grants.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    review_status = models.CharField(
        _("review"), max_length=15, choices=Review.choices, default=Review.NOT_SUBMITTED
    )
    reviewed_by = models.ForeignKey(
        "grants.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    review_notes = models.TextField(_("review notes"), blank=True)

    class Meta:
        ordering = ["grant", "due_date"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.UniqueConstraint(
                fields=["grant", "kind", "grant_year"], name="report_kind_unique_per_grant_year"
            )
        ]

    def __str__(self):
        return f"{self.grant} – {self.get_kind_display()}"

    @property
    def is_overdue(self) -> bool:
        """Due and not yet submitted (or returned and not resubmitted)."""
        return (
            self.review_status in (self.Review.NOT_SUBMITTED, self.Review.RETURNED)
            and self.due_date < timezone.localdate()
        )
