"""The public award list's table rows as HTML, written in Python: the one template on a hot path.
The Django template for these fifty rows (URL reversals, filters and attribute lookups per cell)
cost more than the page's queries; this writes the same markup for a fraction of that. The rows
are plain values (grants.selectors.public.LIST_COLUMNS); every value is escaped here (the
standard library's html.escape: the same five characters as Django's, without its wrappers)."""

from html import escape

from django.urls import reverse
from django.utils import formats
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from grants.templatetags.delmos import format_sek

_GRANT_SAMPLE = 987654321
_ORG_SAMPLE = "987654-3210"


def table_rows(rows: list[dict]) -> SafeString:
    """The `<tr>` elements of the award list for `rows`, in the current language."""
    english = (get_language() or "sv").startswith("en")
    grant_url = reverse("public:grant", args=[_GRANT_SAMPLE]).replace(str(_GRANT_SAMPLE), "{}")
    org_url = reverse("public:organisation", args=[_ORG_SAMPLE]).replace(_ORG_SAMPLE, "{}")
    supplementary = f' <span class="tag">{escape(str(_("incl. supplementary grant")))}</span>'
    dates: dict = {}
    parts = []
    for row in rows:
        day = row["awarded_on"]
        if day not in dates:
            dates[day] = escape(str(formats.date_format(day, "DATE_FORMAT")))
        track = (row["track__name_en"] if english else "") or row["track__name"] or ""
        parts.append(
            "<tr>"
            f'<td><a href="{org_url.format(escape(row["application__organisation__org_number"]))}">'
            f"{escape(row['application__organisation__name'])}</a></td>"
            f'<td><a href="{grant_url.format(int(row["pk"]))}">{escape(row["public_title"])}</a>'
            f"{supplementary if row['has_supplementary'] else ''}</td>"
            f"<td>{escape(row['seat__lan__name'] or '')}</td>"
            f"<td>{row['round__year'] or ''} – {escape(track)}</td>"
            f"<td>{dates[day]}</td>"
            f'<td class="num">{format_sek(row["amount_total"])}</td>'
            "</tr>"
        )
    return mark_safe("\n".join(parts))  # noqa: S308 - every value escaped above
