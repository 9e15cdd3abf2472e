from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grants import workflow
from grants.models import Application, Round
from grants.services import ServiceError
from grants.workflow import ApplicationStatus


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
    Writes the Event in the same transaction (grants.workflow). `user=None` is the system.
    """
    locked = Application.objects.select_for_update().get(pk=application.pk)
    step = workflow.check(locked, to_status, user=user)
    if expected_version is not None and expected_version != locked.version:
        raise ServiceError(
            _("The application was changed by someone else meanwhile. Reload and try again."),
            code="stale_version",
        )

    fields = ["version", "updated_at"]
    if to_status == ApplicationStatus.SUBMITTED and locked.case_number is None:
        locked.case_sequence, locked.case_number = _next_case_number(round_id=locked.round_id)
        fields += ["case_sequence", "case_number"]
    if to_status == ApplicationStatus.SUBMITTED and locked.submitted_at is None:
        locked.submitted_at = timezone.now()
        fields.append("submitted_at")
    locked.version += 1
    workflow.apply(
        locked,
        step,
        user=user,
        data={**({"note": note} if note else {}), **(data or {})},
        fields=fields,
    )
    return locked
