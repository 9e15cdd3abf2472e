"""Reads for the applicant's way through the form: each section's state for the task list, and
where each missing item is answered (the section's page and the field's anchor).

Problems are read by duck typing (an object with section, field and message, or a mapping or a
tuple in that order), so this works with any checker that reports them in that shape."""

from dataclasses import dataclass

from django.db.models import CharField, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from grants.models import Application, Event

NOT_STARTED, IN_PROGRESS, COMPLETE, HAS_ERRORS = (
    "not_started",
    "in_progress",
    "complete",
    "has_errors",
)
STATE_LABELS = {
    NOT_STARTED: _("Not started"),
    IN_PROGRESS: _("In progress"),
    COMPLETE: _("Complete"),
    HAS_ERRORS: _("Has errors"),
}
# Where a problem of a whole section (no single field) leads.
SECTION_ANCHORS = {"budget": "budget-total", "attachments": "id_kind"}


def problem_parts(problem) -> tuple[str, str, str]:
    """(section, field, message) of a problem in any of the shapes above."""
    if isinstance(problem, dict):
        return problem["section"], problem.get("field") or "", str(problem["message"])
    if isinstance(problem, tuple | list):
        section, field, message = problem
        return section, field or "", str(message)
    return problem.section, problem.field or "", str(problem.message)


def field_anchor(section: str, field: str) -> str:
    """The element id on the section's page for a problem's field: "areas" and "id_areas"
    both lead to #id_areas; no field leads to the section's summary (or its top)."""
    if not field:
        return SECTION_ANCHORS.get(section, "main")
    return field if field.startswith("id_") else f"id_{field}"


def problem_url(application: Application, section: str, field: str, anchor=None) -> str:
    """The section's page at the field; `anchor(section, field)` names the element id when the
    caller knows the form (grants.forms.portal.field_anchor: radio groups, budget lines)."""
    path = reverse("portal:application_section", args=[application.pk, section])
    element = (anchor(section, field) if anchor and field else "") or field_anchor(section, field)
    return f"{path}#{element}"


@dataclass
class LinkedProblem:
    section: str
    field: str
    message: str
    url: str


def linked_problems(application: Application, problems, anchor=None) -> list[LinkedProblem]:
    linked = []
    for problem in problems:
        section, field, message = problem_parts(problem)
        url = problem_url(application, section, field, anchor)
        linked.append(LinkedProblem(section, field, message, url))
    return linked


def saved_sections(application: Application) -> set[str]:
    """The sections saved at least once (one query), plus attachments when any is attached."""
    events = Event.objects.filter(
        application=application, action="application.draft_saved"
    ).annotate(section=Cast(KeyTextTransform("section", "data"), CharField()))
    attached = (
        application.attachments.filter(supplement_request__isnull=True)
        .annotate(section=Value("attachments", output_field=CharField()))
        .values_list("section", flat=True)
        .order_by()
    )
    return set(events.values_list("section", flat=True).order_by().union(attached))


@dataclass
class Task:
    key: str
    title: str
    url: str
    state: str
    missing: int

    @property
    def state_label(self):
        return STATE_LABELS[self.state]


def section_tasks(
    application: Application,
    sections: list[str],
    titles: dict,
    problems,
    *,
    errors_in: str | None = None,
) -> list[Task]:
    """Each section as a task: not started (never saved), in progress (saved, something still
    missing), complete (nothing missing), has errors (the section just failed to save)."""
    saved = saved_sections(application)
    missing: dict[str, int] = {}
    for problem in problems:
        section = problem_parts(problem)[0]
        missing[section] = missing.get(section, 0) + 1
    tasks = []
    for key in sections:
        if key == errors_in:
            state = HAS_ERRORS
        elif not missing.get(key) and (key in saved or key == "attachments"):
            state = COMPLETE
        elif key in saved:
            state = IN_PROGRESS
        else:
            state = NOT_STARTED
        tasks.append(
            Task(
                key=key,
                title=str(titles[key]),
                url=reverse("portal:application_section", args=[application.pk, key]),
                state=state,
                missing=missing.get(key, 0),
            )
        )
    return tasks
