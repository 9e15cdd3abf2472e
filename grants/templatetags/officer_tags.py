from django import template

from grants import roles
from grants.selectors.officer import ACTION_LABELS

register = template.Library()


@register.filter
def is_decision_maker(user) -> bool:
    return roles.is_decision_maker(user)


@register.filter
def is_case_officer(user) -> bool:
    return roles.is_case_officer(user)


@register.filter
def action_label(action: str) -> str:
    """A readable, translated name for an Event action code; unknown codes show as they are."""
    return ACTION_LABELS.get(action, action)
