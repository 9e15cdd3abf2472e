from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grants import workflow
from grants.models import Application, Round
from grants.services import ServiceError
from grants.workflow import ApplicationStatus


def _next_case_number(*, round_id: int) -> tuple[int, str]:
    """Give the next case number of a round. Numbers run per prefix and year, as a registry's
    do: two rounds of one year (a spring and an autumn call, or the demonstration round beside
    a real one) share one series, so no number is given twice. The series' round rows are
    locked (in id order, so two submissions cannot deadlock): numbers come in order and
    without gaps in the series; a rolled-back submission gives its number back."""
    round_ = Round.objects.only("case_number_prefix", "year").get(pk=round_id)
    series = list(
        Round.objects.select_for_update()
        .filter(case_number_prefix=round_.case_number_prefix, year=round_.year)
        .order_by("pk")
    )
    sequence = max(r.last_case_sequence for r in series) + 1
    Round.objects.filter(pk=round_id).update(last_case_sequence=sequence)
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
