"""The public award list's table rows as HTML, written in Python: the one template on a hot path.
The Django template for these fifty rows (URL reversals, filters and attribute lookups per cell)
cost more than the page's queries; this writes the same markup for a fraction of that. The rows
are plain values (grants.selectors.public.LIST_COLUMNS); every value is escaped here (the
standard library's html.escape: the same five characters as Django's, without its wrappers).

Per request nothing is looked up per row: the language, the two link patterns and the
"supplementary" tag are read once, and a formatted date is kept per language and day (a date's
words do not change while the process runs)."""

import re
from functools import lru_cache
from html import escape

from django.urls import reverse
from django.utils import formats, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from grants.templatetags.delmos import NBSP

_GRANT_SAMPLE = 987654321
_ORG_SAMPLE = "987654-3210"
_SPECIAL = re.compile(r"[&<>\"']")


def _escaped(text) -> str:
    """html.escape, skipped for the (most) values with none of its five characters."""
    if text is None:
        return ""
    text = str(text)
    return escape(text) if _SPECIAL.search(text) else text


@lru_cache(maxsize=8192)
def _date(language: str, day) -> str:
    with translation.override(language):
        return escape(str(formats.date_format(day, "DATE_FORMAT")))


def _kronor_sv(amount) -> str:
    """format_sek in Swedish: `1 234 567 kr` (the same text, without its language lookup)."""
    if amount is None:
        return ""
    value = int(amount)
    return f"{'−' if value < 0 else ''}{abs(value):,}{NBSP}kr".replace(",", NBSP)


def _kronor_en(amount) -> str:
    """format_sek in English: `SEK 1,234,567`."""
    if amount is None:
        return ""
    value = int(amount)
    return f"{'−' if value < 0 else ''}SEK{NBSP}{abs(value):,}"


def table_rows(rows: list[dict]) -> SafeString:
    """The `<tr>` elements of the award list for `rows`, in the current language."""
    language = get_language() or "sv"
    english = language.startswith("en")
    kronor = _kronor_en if english else _kronor_sv
    grant_url = reverse("public:grant", args=[_GRANT_SAMPLE]).replace(str(_GRANT_SAMPLE), "{}")
    org_url = reverse("public:organisation", args=[_ORG_SAMPLE]).replace(_ORG_SAMPLE, "{}")
    org_link = f'<tr><td><a href="{org_url}">'
    supplementary = f' <span class="tag">{escape(str(_("incl. supplementary grant")))}</span>'
    parts = []
    for row in rows:
        track = (row["track__name_en"] if english else "") or row["track__name"]
        parts.append(
            f"{org_link.format(_escaped(row['application__organisation__org_number']))}"
            f"{_escaped(row['application__organisation__name'])}</a></td>"
            f'<td><a href="{grant_url.format(int(row["pk"]))}">{_escaped(row["public_title"])}</a>'
            f"{supplementary if row['has_supplementary'] else ''}</td>"
            f"<td>{_escaped(row['seat__lan__name'])}</td>"
            f"<td>{row['round__year'] or ''} – {_escaped(track)}</td>"
            f"<td>{_date(language, row['awarded_on'])}</td>"
            f'<td class="num">{kronor(row["amount_total"])}</td>'
            "</tr>"
        )
    return mark_safe("\n".join(parts))  # noqa: S308 - every value escaped above
