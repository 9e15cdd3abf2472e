from django import template
from django.utils.translation import get_language

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
    """Millions of kronor with one decimal, for headline figures: `81,7 MSEK` / `SEK 81.7 million`."""
    if amount is None:
        return ""
    millions = int(amount) / 1_000_000
    if (get_language() or "sv").startswith("en"):
        return f"SEK{NBSP}{millions:.1f}{NBSP}million"
    return f"{millions:.1f}".replace(".", ",") + f"{NBSP}MSEK"


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
