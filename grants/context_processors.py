from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from grants.selectors import public as selectors

# The meta description per kind of page (search results show it); any other page gets the site's.
DESCRIPTIONS = {
    "public:home": _(
        "Who was granted how much, where and for what: the state grants against segregation "
        "that Delmos awarded to municipalities, regions and non-profit organisations."
    ),
    "public:award_list": _(
        "Every grant awarded against segregation, searchable by county, municipality, "
        "organisation type and call, with open data to download."
    ),
    "public:grant": _("One grant: the recipient, the project, the amount and the decisions."),
    "public:organisation": _("The grants one organisation has received from Delmos."),
    "public:counties": _("Grants against segregation by county: recipients and amounts."),
    "public:county": _("The grants awarded in one county: recipients, projects and amounts."),
    "public:municipality": _(
        "The grants awarded in one municipality: recipients, projects and amounts."
    ),
    "public:rounds": _("The calls for applications for state grants against segregation."),
    "public:round": _("One call for applications: its tracks, figures and granted recipients."),
    "public:opendata": _("The grants as open data: CSV and 360Giving JSON, and how to use them."),
    "publications:round": _("The published lists of granted recipients of one call, as PDF."),
    "publications:version": _("One published list of granted recipients."),
}
SITE_DESCRIPTION = _(
    "Delmos: state grants to reduce and counter segregation – calls, applications and the "
    "grants awarded."
)


def site(request):
    """What every page needs: the page in each language (absolute, for the hreflang links, and
    the Swedish default as x-default), its description, and whether demonstration data exists."""
    current = get_language() or settings.LANGUAGE_CODE
    alternates = []
    for code, name in settings.LANGUAGES:
        url = translate_url(request.get_full_path(), code)
        alternates.append(
            {
                "code": code,
                "name": name,
                "url": url,
                "absolute_url": settings.SITE_URL + url,
                "current": code == current,
            }
        )
    default = next((a for a in alternates if a["code"] == settings.LANGUAGE_CODE), None)
    match = getattr(request, "resolver_match", None)
    return {
        "language_alternates": alternates,
        "language_default_url": default["absolute_url"] if default else "",
        "meta_description": DESCRIPTIONS.get(match.view_name if match else "", SITE_DESCRIPTION),
        "demo_data_exists": selectors.demo_data_exists,
    }
