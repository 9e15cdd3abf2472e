from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grants.progress import progress_state

from .outbox import OutboxJob


class LetterBatch(models.Model):
    """Letters rendered together in Celery (a closed meeting's decision letters, or a round's
    missing letters from `render_letters`), for the officer who follows them. Each letter is an
    outbox job of its own; the letter task counts the batch's finished letters into `done` after
    each letter (a recount, so a letter run again after a worker restart counts once)."""

    kind = models.CharField(_("kind of letter"), max_length=20, default="decision")
    meeting = models.ForeignKey(
        "grants.DecisionMeeting",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="letter_batches",
        verbose_name=_("decision meeting"),
    )
    round = models.ForeignKey(
        "grants.Round",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="letter_batches",
        verbose_name=_("round"),
    )
    object_ids = models.JSONField(_("letters"), default=list, blank=True)
    english = models.BooleanField(_("English copy of every letter"), default=False)
    total = models.PositiveIntegerField(_("letters in all"), default=0)
    done = models.PositiveIntegerField(_("letters done"), default=0)
    estimate_seconds = models.PositiveIntegerField(_("estimated seconds"), default=0)
    created_by = models.ForeignKey(
        "grants.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    created_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("letter batch")
        verbose_name_plural = _("letter batches")

    def __str__(self):
        return f"{self.kind} letters #{self.pk}: {self.done}/{self.total}"

    def failed_letters(self) -> int:
        """The batch's letter jobs that failed after their last attempt (each with a retry on
        the outbox page)."""
        return OutboxJob.objects.filter(
            kind="letter", payload__batch=self.pk, status=OutboxJob.Status.FAILED
        ).count()

    def progress_state(self) -> dict:
        """Letters done, letters in all, failed letters, whether the batch still runs, and the
        estimated seconds left (the rule: grants.progress)."""
        state = progress_state(
            self.done,
            self.total,
            started_at=self.created_at,
            estimate_seconds=self.estimate_seconds,
        )
        failed = self.failed_letters() if self.done < self.total else 0
        state["failed"] = failed
        state["running"] = self.done + failed < self.total
        if not state["running"]:
            state["seconds_left"] = None
        return state
