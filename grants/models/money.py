from django.db import models
from django.utils.translation import gettext_lazy as _

from grants.storage import private_storage


class Payment(models.Model):
    """An instalment of a grant. The second waits for an approved progress report."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        RELEASED = "released", _("released for payment")
        PAID = "paid", _("paid")
        CANCELLED = "cancelled", _("cancelled")

    grant = models.ForeignKey(
        "grants.Grant", on_delete=models.PROTECT, related_name="payments", verbose_name=_("grant")
    )
    number = models.PositiveSmallIntegerField(_("instalment"))
    # The grant year the money belongs to (the year it starts in, as in a decision's
    # amount_per_year); a single-year grant's instalments share one.
    grant_year = models.PositiveSmallIntegerField(_("grant year"), default=0)
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
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)

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
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="payment_amount_positive"
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

    class Grounds(models.TextChoices):
        UNUSED = "unused", _("money paid but not used")
        MISUSE = "misuse", _("money not used for its purpose")
        MISSING_REPORT = "missing_report", _("report not submitted")
        CONDITIONS = "conditions", _("the decision's conditions not followed")

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
    grounds = models.CharField(
        _("grounds"), max_length=20, choices=Grounds.choices, default=Grounds.UNUSED
    )
    reason = models.TextField(_("reason"))
    # How the amount was computed, for the letter and the ledger: paid and used when claimed.
    paid_basis = models.PositiveBigIntegerField(_("paid when claimed (SEK)"), default=0)
    used_basis = models.PositiveBigIntegerField(
        _("reported used when claimed (SEK)"), null=True, blank=True
    )
    due_date = models.DateField(_("due"))
    created_by = models.ForeignKey(
        "grants.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    is_demo = models.BooleanField(_("demonstration data"), default=False)
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
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="claim_amount_positive"),
            models.CheckConstraint(
                condition=models.Q(amount__lte=models.F("paid_basis")),
                name="claim_not_beyond_paid",
            ),
        ]

    def __str__(self):
        return f"{self.grant} – {self.amount}"

    @property
    def status(self) -> str:
        return self.Status.SETTLED if self.settled_at else self.Status.OPEN

    def get_status_display(self) -> str:
        return self.Status(self.status).label


class ClaimEntry(models.Model):
    """Money that came back on a claim (a repayment, in part or whole) or a write-off
    (eftergift), with the reason. Never edited; a claim is settled when its entries cover it."""

    class Kind(models.TextChoices):
        REPAID = "repaid", _("repaid")
        WRITTEN_OFF = "written_off", _("written off")

    claim = models.ForeignKey(
        RecoveryClaim, on_delete=models.PROTECT, related_name="entries", verbose_name=_("claim")
    )
    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices)
    amount = models.PositiveBigIntegerField(_("amount (SEK)"))
    reason = models.TextField(_("reason"), blank=True)
    on_date = models.DateField(_("date"))
    created_by = models.ForeignKey(
        "grants.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    is_demo = models.BooleanField(_("demonstration data"), default=False)

    class Meta:
        ordering = ["claim", "on_date", "id"]
        verbose_name = _("repayment or write-off")
        verbose_name_plural = _("repayments and write-offs")
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="claim_entry_positive"),
            models.CheckConstraint(
                condition=~models.Q(kind="written_off") | ~models.Q(reason=""),
                name="claim_write_off_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.claim} – {self.get_kind_display()} {self.amount}"
