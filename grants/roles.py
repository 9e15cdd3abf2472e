"""Staff roles are Django groups; these names are stable identifiers, created by a migration."""

from enum import StrEnum


class Actor(StrEnum):
    """Who may perform a workflow transition (grants.workflow)."""

    APPLICANT = "applicant"  # a member of the organisation the object belongs to
    CASE_OFFICER = "case_officer"
    DECISION_MAKER = "decision_maker"
    SYSTEM = "system"  # jobs and loaders: no user


CASE_OFFICER = "case_officer"
DECISION_MAKER = "decision_maker"
ADMINISTRATOR = "administrator"

STAFF_GROUPS = (CASE_OFFICER, DECISION_MAKER, ADMINISTRATOR)


def _group_names(user) -> set[str]:
    if not user or not user.is_authenticated:
        return set()
    cached = getattr(user, "_delmos_groups", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        user._delmos_groups = cached
    return cached


def is_case_officer(user) -> bool:
    return bool(
        user and user.is_active and (user.is_superuser or CASE_OFFICER in _group_names(user))
    )


def is_decision_maker(user) -> bool:
    return bool(
        user and user.is_active and (user.is_superuser or DECISION_MAKER in _group_names(user))
    )


def staff_actors(user) -> set[Actor]:
    actors = set()
    if is_case_officer(user):
        actors.add(Actor.CASE_OFFICER)
    if is_decision_maker(user):
        actors.add(Actor.DECISION_MAKER)
    return actors
