from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Event(models.Model):
    """Append-only log of who did what to which object, written in the same transaction as the
    change. Feeds the audit trail and the activity shown to applicants."""

    actor = models.ForeignKey(
        "grants.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("actor"),
    )
    action = models.CharField(_("action"), max_length=60)
    round = models.ForeignKey(
        "grants.Round",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("round"),
    )
    organisation = models.ForeignKey(
        "grants.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("organisation"),
    )
    application = models.ForeignKey(
        "grants.Application",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("application"),
    )
    grant = models.ForeignKey(
        "grants.Grant",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("grant"),
    )
    target = models.CharField(_("object"), max_length=200, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    visible_to_applicant = models.BooleanField(_("shown to the applicant"), default=False)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor or '–'} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValueError("Events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Events are append-only.")
