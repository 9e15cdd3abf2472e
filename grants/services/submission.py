"""The submission rules: everything missing or invalid before a draft can be submitted.

`application_submit` refuses a draft with problems; the portal's review page lists the same
problems, each linking to its field (grants.forms.portal.field_anchor maps a field to its HTML id).
A problem names a section and a field by their names in the data, never by HTML."""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from grants.models import Application, Attachment, QuestionSet, Round
from grants.questions import (
    CERTIFICATION_FOLLOW_UPS,
    CERTIFICATION_QUESTIONS,
    FUNDING_FOLLOW_UPS,
    LABELS,
)
from grants.selectors.portal import grant_years
from grants.templatetags.delmos import format_sek

REQUIRED_TEXTS = {
    "project": ("project_title", "project_summary", "purpose_and_plan", "target_groups"),
    "effect": ("collaboration", "long_term_effect", "follow_up"),
}


@dataclass(frozen=True)
class Problem:
    section: str  # the section of the application (grants.selectors.portal.sections_for)
    field: str  # the field's name in that section's data; "" for the section as a whole
    message: str


def _date(value) -> str:
    return date_format(value, "j F Y")


def _round_problems(application: Application, now) -> list[Problem]:
    round_ = application.round
    if not (round_.status == Round.Status.OPEN and round_.opens_at <= now < round_.closes_at):
        return [Problem("project", "", _("The call for applications is not open."))]
    return []


def _text_problems(application: Application) -> list[Problem]:
    return [
        Problem(section, name, _("Fill in “%(label)s”.") % {"label": LABELS[name]})
        for section, names in REQUIRED_TEXTS.items()
        for name in names
        if not getattr(application, name).strip()
    ]


def _period_problems(application: Application) -> list[Problem]:
    problems = []
    round_ = application.round
    if not application.areas.exists():
        problems.append(
            Problem(
                "project", "areas", _("Choose at least one municipality where the project works.")
            )
        )
    start, end = application.start_date, application.end_date
    if not start:
        problems.append(Problem("project", "start_date", _("Give the start date.")))
    if not end:
        problems.append(Problem("project", "end_date", _("Give the end date.")))
    period = {"start": _date(round_.grant_period_start), "end": _date(round_.grant_period_end)}
    within = round_.grant_period_start, round_.grant_period_end
    if start and not within[0] <= start <= within[1]:
        problems.append(
            Problem(
                "project",
                "start_date",
                _("The start date must be within the grant period, %(start)s – %(end)s.") % period,
            )
        )
    if end and not within[0] <= end <= within[1]:
        problems.append(
            Problem(
                "project",
                "end_date",
                _("The end date must be within the grant period, %(start)s – %(end)s.") % period,
            )
        )
    years = grant_years(application)
    if start and end and years is None and (end - start).days > 366:
        problems.append(
            Problem("project", "end_date", _("This track gives grants for one year at most."))
        )
    if start and end and years and (end - start).days > 366 * len(years):
        problems.append(
            Problem(
                "project",
                "end_date",
                ngettext(
                    "This track gives grants for %(years)s year at most.",
                    "This track gives grants for %(years)s years at most.",
                    len(years),
                )
                % {"years": len(years)},
            )
        )
    return problems


def _budget_problems(application: Application) -> list[Problem]:
    problems = []
    track = application.track
    lines = list(application.budget_lines.all())
    if not lines or application.requested_amount <= 0:
        problems.append(Problem("budget", "lines", _("Add the budget lines of the project.")))
    if track.max_per_application and application.requested_amount > track.max_per_application:
        problems.append(
            Problem(
                "budget",
                "",
                _("The total, %(total)s, is more than the most this track gives, %(max)s.")
                % {
                    "total": format_sek(application.requested_amount),
                    "max": format_sek(track.max_per_application),
                },
            )
        )
    years = grant_years(application)
    if years and any(line.year not in years for line in lines):
        problems.append(
            Problem(
                "budget", "", _("Every budget line needs one of the years of the grant period.")
            )
        )
    return problems


def _certification_problems(application: Application) -> list[Problem]:
    problems = []
    answers = application.answers.get("certifications", {})
    for key, label, expected in CERTIFICATION_QUESTIONS:
        value = answers.get(key)
        if value not in ("yes", "no"):
            problems.append(Problem("certifications", key, _("Answer: %(q)s") % {"q": label}))
        elif expected and value != expected:
            problems.append(
                Problem(
                    "certifications",
                    key,
                    _("Only organisations that can answer yes may apply: %(q)s") % {"q": label},
                )
            )
        follow_up = CERTIFICATION_FOLLOW_UPS.get(key)
        if follow_up and value == "yes" and not answers.get(follow_up[0], "").strip():
            problems.append(
                Problem(
                    "certifications",
                    follow_up[0],
                    _("You answered yes: fill in “%(label)s”.") % {"label": follow_up[1]},
                )
            )
    kinds = set(application.attachments.values_list("kind", flat=True))
    if Attachment.Kind.STATUTES not in kinds:
        problems.append(Problem("attachments", "", _("Attach the organisation's statutes.")))
    return problems


def _statement_problems(application: Application) -> list[Problem]:
    if application.answers.get("statement", {}).get("not_statutory_task"):
        return []
    return [
        Problem(
            "statement",
            "not_statutory_task",
            _("Confirm that the work is not a statutory task."),
        )
    ]


def _funding_problems(application: Application) -> list[Problem]:
    funding = application.answers.get("funding", {})
    if funding.get("other_state_grants") not in ("yes", "no"):
        return [
            Problem(
                "funding",
                "other_state_grants",
                _("Answer whether other state grants are involved."),
            )
        ]
    if funding.get("other_state_grants") != "yes":
        return []
    return [
        Problem(
            "funding",
            name,
            _("You answered yes: fill in “%(label)s”.") % {"label": LABELS[name]},
        )
        for name in FUNDING_FOLLOW_UPS
        if funding.get(name) in (None, "")
    ]


def _draft_input_problems(application: Application) -> list[Problem]:
    """Sections saved with input that did not validate (kept as typed, see
    grants.services.portal.application_save_section): each field in error is a problem."""
    problems = []
    for section, pending in application.draft_input.items():
        for name in pending.get("errors") or [""]:
            field = "" if name == "__all__" else name
            if field in LABELS:
                message = _(
                    "“%(label)s” is saved as you typed it but is not valid: correct it."
                ) % {"label": LABELS[field]}
            else:
                message = _("Something typed in this section is not valid yet: correct it.")
            problems.append(Problem(section, field, message))
    return problems


def submission_problems(application: Application, *, now=None) -> list[Problem]:
    """Everything missing or invalid before the application can be submitted, in the order of
    the sections; an empty list means it may be submitted."""
    now = now or timezone.now()
    by_questions = (
        _certification_problems
        if application.track.question_set == QuestionSet.CIVIL_SOCIETY
        else _statement_problems
    )
    return [
        *_round_problems(application, now),
        *_text_problems(application),
        *_period_problems(application),
        *_budget_problems(application),
        *by_questions(application),
        *_funding_problems(application),
        *_draft_input_problems(application),
    ]
