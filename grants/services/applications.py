from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grants import roles
from grants.models import Application, Membership, Round
from grants.services import ServiceError
from grants.services.events import event_record
from grants.workflow import Actor, ApplicationStatus, find_transition


def _actors_for(*, user, application: Application) -> set[Actor]:
    """Which workflow actors this user may act as on this application. None is the system."""
    if user is None:
        return set(Actor)
    actors = roles.staff_actors(user)
    if Membership.objects.filter(user=user, organisation_id=application.organisation_id).exists():
        actors.add(Actor.APPLICANT)
    return actors


def _next_case_number(*, round_id: int) -> tuple[int, str]:
    """Give the next case number of a round. The round row is locked, so numbers come in
    order and without gaps; a rolled-back submission gives its number back."""
    round_ = Round.objects.select_for_update().get(pk=round_id)
    round_.last_case_sequence += 1
    round_.save(update_fields=["last_case_sequence"])
    sequence = round_.last_case_sequence
    return sequence, f"{round_.case_number_prefix} {round_.year}/{sequence}"


@transaction.atomic
def application_transition(
    *,
    application: Application,
    to_status: str,
    user=None,
    expected_version: int | None = None,
    note: str = "",
    data: dict | None = None,
) -> Application:
    """Move an application to another status, if the workflow table allows it and the user may.

    The row is locked for the change; `expected_version` refuses a change based on a stale copy.
    Writes the Event in the same transaction. `user=None` is the system (loaders, migrations).
    """
    locked = Application.objects.select_for_update().get(pk=application.pk)
    transition = find_transition(locked.status, to_status)
    if transition is None:
        raise ServiceError(
            _("An application that is %(current)s cannot become %(target)s.")
            % {
                "current": ApplicationStatus(locked.status).label,
                "target": ApplicationStatus(to_status).label,
            },
            code="transition_not_allowed",
        )
    if not (transition.actors & _actors_for(user=user, application=locked)):
        raise ServiceError(
            _("You may not make this change to the application."), code="permission_denied"
        )
    if expected_version is not None and expected_version != locked.version:
        raise ServiceError(
            _("The application was changed by someone else meanwhile. Reload and try again."),
            code="stale_version",
        )

    fields = ["status", "version", "updated_at"]
    if to_status == ApplicationStatus.SUBMITTED and locked.case_number is None:
        locked.case_sequence, locked.case_number = _next_case_number(round_id=locked.round_id)
        fields += ["case_sequence", "case_number"]
    if to_status == ApplicationStatus.SUBMITTED and locked.submitted_at is None:
        locked.submitted_at = timezone.now()
        fields.append("submitted_at")
    previous = locked.status
    locked.status = to_status
    locked.version += 1
    locked.save(update_fields=fields)
    event_record(
        action=transition.action,
        actor=user,
        application=locked,
        data={
            "from": previous,
            "to": to_status,
            **({"note": note} if note else {}),
            **(data or {}),
        },
        visible_to_applicant=True,
    )
    return locked
