from django.db import models
from django.utils.translation import gettext_lazy as _


class Lan(models.Model):
    """A county (län), with the name of its regional authority."""

    code = models.CharField(_("county code"), max_length=2, primary_key=True)
    name = models.CharField(_("name"), max_length=60, unique=True)
    region_name = models.CharField(_("regional authority"), max_length=60)

    class Meta:
        ordering = ["code"]
        verbose_name = _("county")
        verbose_name_plural = _("counties")

    def __str__(self):
        return self.name


class Kommun(models.Model):
    """A municipality (kommun), identified by SCB's four-digit code."""

    code = models.CharField(_("municipality code"), max_length=4, primary_key=True)
    name = models.CharField(_("name"), max_length=60)
    lan = models.ForeignKey(
        Lan, on_delete=models.PROTECT, related_name="kommuner", verbose_name=_("county")
    )
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[0-9]{4}$"), name="kommun_code_four_digits"
            )
        ]

    def __str__(self):
        return self.name
