from django.db import models
from django.utils.translation import gettext_lazy as _

from grants.storage import private_storage


class Payment(models.Model):
    """An instalment of a grant. The second waits for an approved progress report."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        RELEASED = "released", _("released for payment")
        PAID = "paid", _("paid")

    grant = models.ForeignKey(
        "grants.Grant", on_delete=models.PROTECT, related_name="payments", verbose_name=_("grant")
    )
    number = models.PositiveSmallIntegerField(_("instalment"))
    due_date = models.DateField(_("due"))
    amount = models.PositiveBigIntegerField(_("amount (SEK)"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    requires_progress_report = models.BooleanField(
        _("waits for an approved progress report"), default=False
    )
    released_at = models.DateTimeField(_("released"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)

    class Meta:
        ordering = ["grant", "number"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.UniqueConstraint(fields=["grant", "number"], name="payment_number_unique"),
            models.CheckConstraint(
                condition=~models.Q(status="paid") | models.Q(paid_at__isnull=False),
                name="payment_paid_has_date",
            ),
        ]

    def __str__(self):
        return f"{self.grant} – {self.number}"


class RecoveryClaim(models.Model):
    """A claim to pay back unused or misused money (återkrav), followed until settled. Its state
    is read from `settled_at` (no column of its own); grants.workflow moves it."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        SETTLED = "settled", _("settled")

    grant = models.ForeignKey(
        "grants.Grant",
        on_delete=models.PROTECT,
        related_name="recovery_claims",
        verbose_name=_("grant"),
    )
    report = models.ForeignKey(
        "grants.Report",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recovery_claims",
        verbose_name=_("report"),
    )
    amount = models.PositiveBigIntegerField(_("amount (SEK)"))
    reason = models.TextField(_("reason"))
    due_date = models.DateField(_("due"))
    letter_pdf = models.FileField(
        _("letter (PDF)"), storage=private_storage, upload_to="claims/", blank=True
    )
    letter_pdf_en = models.FileField(
        _("letter in English (PDF)"), storage=private_storage, upload_to="claims/", blank=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    settled_at = models.DateTimeField(_("settled"), null=True, blank=True)

    class Meta:
        ordering = ["grant", "created_at"]
        verbose_name = _("recovery claim")
        verbose_name_plural = _("recovery claims")
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="claim_amount_positive")
        ]

    def __str__(self):
        return f"{self.grant} – {self.amount}"

    @property
    def status(self) -> str:
        return self.Status.SETTLED if self.settled_at else self.Status.OPEN

    def get_status_display(self) -> str:
        return self.Status(self.status).label
