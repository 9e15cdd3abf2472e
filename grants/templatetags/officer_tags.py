from django import template

from grants import roles

register = template.Library()


@register.filter
def is_decision_maker(user) -> bool:
    return roles.is_decision_maker(user)


@register.filter
def is_case_officer(user) -> bool:
    return roles.is_case_officer(user)
