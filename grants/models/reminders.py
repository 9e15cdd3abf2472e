from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Reminder(models.Model):
    """One reminder or digest e-mail, recorded before it is sent (issue 9, item 6).

    The row is written by the scheduler in the same transaction as its outbox job (kind
    "reminder", issue 10), under a unique key (kind, object, occasion): a restarted or repeated
    scheduler finds the row and schedules nothing new. The job's handler sends only while
    `sent_at` is empty, and the job's "done" records `sent_at` and `message_id` here
    (grants.tasks.reminders)."""

    class Kind(models.TextChoices):
        SUPPLEMENT_DUE = "supplement_due", _("supplement request falls due")
        SUPPLEMENT_OVERDUE = "supplement_overdue", _("supplement request overdue")
        PROGRESS_REPORT_DUE = "progress_due", _("progress report falls due")
        PROGRESS_REPORT_OVERDUE = "progress_overdue", _("progress report overdue")
        FINAL_REPORT_DUE = "final_due", _("final report falls due")
        FINAL_REPORT_OVERDUE = "final_overdue", _("final report overdue")
        PAYMENT_DUE = "payment_due", _("instalment falls due")
        PAYMENT_OVERDUE = "payment_overdue", _("instalment overdue")
        OFFICER_DIGEST = "officer_digest", _("officers' daily digest")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # The supplement request, grant, payment or (for a digest) officer it is about.
    object_id = models.PositiveBigIntegerField(_("object"))
    occasion = models.DateField(_("due date or day"))
    recipient = models.ForeignKey(
        "grants.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("recipient")
    )
    email = models.EmailField(_("e-mail address"))
    language = models.CharField(_("language"), max_length=5)
    application = models.ForeignKey(
        "grants.Application",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reminders",
        verbose_name=_("application"),
    )
    created_at = models.DateTimeField(_("scheduled"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=200, blank=True)
    # The outbox job that sends it (empty only for rows written before the outbox took reminders).
    job = models.OneToOneField(
        "grants.OutboxJob",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reminder",
        verbose_name=_("outbox job"),
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id", "occasion"], name="reminder_once_per_occasion"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} – {self.object_id} – {self.occasion}"
