from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxJob(models.Model):
    """One side effect a transaction promised: an e-mail, a PDF, a letter, a list, a reminder.
    Written in the same transaction as the change that promises it (grants.outbox.enqueue); the
    Celery message carries only the row's id, so a lost message loses nothing: the sweeper finds
    the row again. The row is the job's state (pending → running → done, or back to pending with
    a later `due_at` after a failure, or failed after the last attempt)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    kind = models.CharField(_("kind"), max_length=40)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    application = models.ForeignKey(
        "grants.Application",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outbox_jobs",
        verbose_name=_("application"),
    )
    round = models.ForeignKey(
        "grants.Round",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outbox_jobs",
        verbose_name=_("round"),
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    max_attempts = models.PositiveSmallIntegerField(_("most attempts"), default=8)
    error = models.TextField(_("error"), blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    due_at = models.DateTimeField(_("due"), default=timezone.now)
    enqueued_at = models.DateTimeField(_("last handed to the queue"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("outbox job")
        verbose_name_plural = _("outbox jobs")
        indexes = [
            models.Index(
                fields=["due_at"],
                condition=models.Q(status__in=["pending", "running"]),
                name="outbox_open_due_idx",
            ),
            models.Index(fields=["status", "kind"], name="outbox_status_kind_idx"),
        ]

    def __str__(self):
        return f"{self.kind} #{self.pk}: {self.description}"
