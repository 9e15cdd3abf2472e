"""The kinds of organisation that may apply, and which first digit of the organisationsnummer each
kind carries (Bolagsverket's numbering: 2 for the state, regions, municipalities, federations of
municipalities and parishes; 8 for non-profit associations and foundations, most religious
communities too). A leaf module: both the identifier checks and the models build on it."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationType(models.TextChoices):
    KOMMUN = "kommun", _("municipality")
    REGION = "region", _("region")
    KOMMUNALFORBUND = "kommunalforbund", _("federation of municipalities")
    IDEELL_FORENING = "ideell_forening", _("non-profit association")
    STIFTELSE = "stiftelse", _("foundation")
    TROSSAMFUND = "trossamfund", _("religious community")


PUBLIC_SECTOR_TYPES = frozenset(
    {OrganisationType.KOMMUN, OrganisationType.REGION, OrganisationType.KOMMUNALFORBUND}
)

# Which first digit each organisation type may carry.
LEGAL_FORM_DIGITS = {
    OrganisationType.KOMMUN: ("2",),
    OrganisationType.REGION: ("2",),
    OrganisationType.KOMMUNALFORBUND: ("2",),
    OrganisationType.IDEELL_FORENING: ("8",),
    OrganisationType.STIFTELSE: ("8",),
    OrganisationType.TROSSAMFUND: ("2", "8"),
}
