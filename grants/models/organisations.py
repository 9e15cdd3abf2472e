from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grants.identifiers import (
    check_legal_form,
    normalise_org_number,
    validate_bankgiro,
    validate_org_number,
    validate_plusgiro,
)
from grants.organisation_types import PUBLIC_SECTOR_TYPES, OrganisationType


class Organisation(models.Model):
    """An applicant organisation, identified by its organisationsnummer."""

    name = models.CharField(_("name"), max_length=200)
    org_number = models.CharField(
        _("organisation number"),
        max_length=11,
        unique=True,
        validators=[validate_org_number],
        help_text=_("Ten digits, written NNNNNN-NNNN."),
    )
    org_type = models.CharField(
        _("type of organisation"), max_length=20, choices=OrganisationType.choices
    )
    seat = models.ForeignKey(
        "regions.Kommun",
        on_delete=models.PROTECT,
        related_name="seated_organisations",
        verbose_name=_("seat municipality"),
    )
    represents_kommun = models.OneToOneField(
        "regions.Kommun",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="municipal_organisation",
        verbose_name=_("municipality it is"),
        help_text=_("For a municipality: the municipality itself."),
    )
    represents_lan = models.OneToOneField(
        "regions.Lan",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="regional_organisation",
        verbose_name=_("county it governs"),
        help_text=_("For a region: its county."),
    )
    street_address = models.CharField(_("street address"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=6, blank=True)
    town = models.CharField(_("town"), max_length=100, blank=True)
    phone = models.CharField(_("switchboard phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    bankgiro = models.CharField(
        _("bankgiro"), max_length=9, blank=True, validators=[validate_bankgiro]
    )
    plusgiro = models.CharField(
        _("plusgiro"), max_length=10, blank=True, validators=[validate_plusgiro]
    )
    signatory = models.CharField(_("authorised signatory"), max_length=200, blank=True)
    founded_on = models.DateField(
        _("active since"),
        null=True,
        blank=True,
        help_text=_("Associations must have been active for two years before applying."),
    )
    is_demo = models.BooleanField(_("demonstration data"), default=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(org_type="kommun") | models.Q(represents_kommun__isnull=False),
                name="organisation_kommun_linked",
            ),
            models.CheckConstraint(
                condition=~models.Q(org_type="region") | models.Q(represents_lan__isnull=False),
                name="organisation_region_linked",
            ),
        ]
        indexes = [
            models.Index(fields=["org_type"], name="organisation_type_idx"),
            # Every page asks whether demonstration data exists: a partial index answers that
            # without reading the organisations.
            models.Index(
                fields=["is_demo"], condition=models.Q(is_demo=True), name="organisation_demo_idx"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_public_sector(self) -> bool:
        return self.org_type in PUBLIC_SECTOR_TYPES

    def clean(self):
        if self.org_number:
            try:
                self.org_number = normalise_org_number(self.org_number)
                check_legal_form(self.org_number, self.org_type)
            except ValidationError as exc:
                raise ValidationError({"org_number": exc.messages}) from exc
        if self.org_type == OrganisationType.KOMMUN and not self.represents_kommun_id:
            raise ValidationError({"represents_kommun": _("Choose the municipality.")})
        if self.org_type == OrganisationType.REGION and not self.represents_lan_id:
            raise ValidationError({"represents_lan": _("Choose the county.")})
