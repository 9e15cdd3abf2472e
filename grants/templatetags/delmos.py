from django import template
from django.utils import timezone
from django.utils.translation import get_language, gettext

from grants import roles

register = template.Library()

NBSP = "\u00a0"


def format_sek(amount, language: str | None = None) -> str:
    """Whole kronor as people write them: `1 234 567 kr` in Swedish, `SEK 1,234,567` in English."""
    if amount is None or amount == "":
        return ""
    value = int(amount)
    sign = "−" if value < 0 else ""
    digits = f"{abs(value):,}"
    if (language or get_language() or "sv").startswith("en"):
        return f"{sign}SEK{NBSP}{digits}"
    return f"{sign}{digits.replace(',', NBSP)}{NBSP}kr"


@register.filter
def sek(amount):
    return format_sek(amount)


@register.filter
def msek(amount):
    """Millions with one decimal, for headline figures: `81,7 miljoner kr` / `SEK 81.7 million`
    (one word for the currency per language: kr in Swedish, SEK in English)."""
    if amount is None:
        return ""
    millions = int(amount) / 1_000_000
    if (get_language() or "sv").startswith("en"):
        return f"SEK{NBSP}{millions:.1f}{NBSP}million"
    return f"{millions:.1f}".replace(".", ",") + f"{NBSP}miljoner{NBSP}kr"


@register.filter
def tr(obj, field: str):
    """A bilingual model field in the current language: `{{ round|tr:"title" }}` reads `title_en`
    in English when it is filled in, else the Swedish `title`."""
    if (get_language() or "sv").startswith("en"):
        english = getattr(obj, f"{field}_en", "")
        if english:
            return english
    return getattr(obj, field, "")


@register.filter
def is_staff_member(user) -> bool:
    """Case officer or decision maker: may open the workspace."""
    return roles.is_case_officer(user) or roles.is_decision_maker(user)


@register.filter
def is_decision_maker(user) -> bool:
    return roles.is_decision_maker(user)


@register.filter
def isodatetime(value) -> str:
    """A moment for a `<time datetime>` attribute, to the second in the site's time zone: HTML
    allows at most three digits of a second, and Django's "c" format gives six."""
    if not value:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.replace(microsecond=0).isoformat()


@register.filter
def list_name(publication) -> str:
    """The name of a published award list: its track's, or "All tracks" for the combined one."""
    if publication.track_id:
        return tr(publication.track, "name")
    return gettext("All tracks")
