"""Reads for the applicant portal: eligibility, the sections of an application as text and the
snapshot frozen at submission. What is missing before submission: grants.services.submission."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grants.access import applications_for_member, organisations_for_user
from grants.forms.portal import EffectForm, FundingForm, ProjectForm, StatementForm
from grants.models import (
    Application,
    Attachment,
    BudgetCategory,
    Event,
    Organisation,
    OrganisationType,
    QuestionSet,
    Round,
    Track,
)
from grants.questions import CERTIFICATION_FOLLOW_UPS, CERTIFICATION_QUESTIONS
from grants.selectors.timeline import timeline
from grants.templatetags.delmos import format_sek, tr

# -- eligibility ----------------------------------------------------------------------------------


@dataclass
class TrackOption:
    track: Track
    reasons: list[str] = field(default_factory=list)
    application: Application | None = None

    @property
    def eligible(self) -> bool:
        return not self.reasons


def open_rounds(now=None):
    now = now or timezone.now()
    return Round.objects.filter(status=Round.Status.OPEN, opens_at__lte=now, closes_at__gt=now)


def track_options_for(organisation: Organisation, *, now=None) -> list[TrackOption]:
    """Every track of every open round, each with the reasons (in words) why this organisation
    may not apply to it; an empty list of reasons means it may."""
    tracks = (
        Track.objects.filter(round__in=open_rounds(now))
        .select_related("round")
        .prefetch_related(Prefetch("eligible_kommuner", to_attr="kommun_list"))
        .order_by("round__closes_at", "position")
    )
    existing = {
        a.track_id: a
        for a in organisation.applications.exclude(status=Application.Status.WITHDRAWN)
    }
    options = []
    for track in tracks:
        option = TrackOption(track=track, application=existing.get(track.pk))
        if organisation.org_type not in track.eligible_types:
            option.reasons.append(
                _("This track is for %(types)s; your organisation is a %(type)s.")
                % {
                    "types": _(", ").join(
                        str(OrganisationType(t).label) for t in track.eligible_types
                    ),
                    "type": OrganisationType(organisation.org_type).label,
                }
            )
        if track.kommun_list and organisation.seat_id not in {k.pk for k in track.kommun_list}:
            option.reasons.append(
                _(
                    "Only organisations in the %(count)s municipalities listed for this track may "
                    "apply, and %(seat)s is not among them."
                )
                % {"count": len(track.kommun_list), "seat": organisation.seat.name}
            )
        options.append(option)
    return options


def track_option(organisation: Organisation, track_id: int) -> TrackOption | None:
    return next((o for o in track_options_for(organisation) if o.track.pk == track_id), None)


# -- sections -------------------------------------------------------------------------------------

SECTION_TITLES = {
    "project": gettext_lazy("Project"),
    "partners": gettext_lazy("Collaboration partners"),
    "effect": gettext_lazy("Long-term effect and follow-up"),
    "budget": gettext_lazy("Budget"),
    "certifications": gettext_lazy("Certifications"),
    "statement": gettext_lazy("Statutory tasks"),
    "funding": gettext_lazy("Other funding"),
    "attachments": gettext_lazy("Attachments"),
}


def sections_for(track: Track) -> list[str]:
    middle = "certifications" if track.question_set == QuestionSet.CIVIL_SOCIETY else "statement"
    return ["project", "partners", "effect", "budget", middle, "funding", "attachments"]


def grant_years(application: Application) -> list[int] | None:
    """The calendar years a multi-year track's budget is split over; None for one year."""
    track = application.track
    if not track.multi_year:
        return None
    first = application.round.grant_period_start.year
    return list(range(first, first + track.max_years))


def section_initial(application: Application, section: str):
    """What the section's form shows: the stored draft."""
    if section == "project":
        data = {name: getattr(application, name) for name in ProjectForm.base_fields}
        data["areas"] = list(application.areas.values_list("pk", flat=True))
        return data
    if section == "effect":
        return {name: getattr(application, name) for name in EffectForm.base_fields}
    if section == "partners":
        return [
            {"name": p.name, "org_number": p.org_number, "role": p.role}
            for p in application.partners.all()
        ]
    if section == "budget":
        return [
            {
                "category": line.category,
                "description": line.description,
                "year": line.year,
                "amount": line.amount,
            }
            for line in application.budget_lines.all()
        ]
    return dict(application.answers.get(section, {}))


def _yes_no(value) -> str:
    return {"yes": _("Yes"), "no": _("No")}.get(value, "")


def _date(value) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    return date_format(value, "j F Y")


def section_display(application: Application, section: str) -> list[tuple[str, str]]:
    """The stored answers of one section as (label, text) pairs: for the preview, the conflict
    view and the snapshot."""
    rows: list[tuple[str, str]] = []
    if section == "project":
        for name, form_field in ProjectForm.base_fields.items():
            value = getattr(application, name) if name != "areas" else None
            if name == "areas":
                value = ", ".join(k.name for k in application.areas.all())
            elif name in ("start_date", "end_date"):
                value = _date(value)
            rows.append((str(form_field.label), value or ""))
    elif section == "effect":
        rows = [(str(f.label), getattr(application, n)) for n, f in EffectForm.base_fields.items()]
    elif section == "partners":
        for number, partner in enumerate(application.partners.all(), start=1):
            text = partner.name + (f" ({partner.org_number})" if partner.org_number else "")
            rows.append((_("Partner %(n)s") % {"n": number}, f"{text}: {partner.role}".strip()))
    elif section == "budget":
        for line in application.budget_lines.all():
            label = capfirst(str(BudgetCategory(line.category).label))
            if line.year:
                label = f"{line.year}: {label}"
            rows.append((label, f"{line.description} – {format_sek(line.amount)}".strip(" –")))
        rows.append((_("Total applied for"), format_sek(application.requested_amount)))
        for year, amount in sorted((application.requested_per_year or {}).items()):
            rows.append((_("Applied for %(year)s") % {"year": year}, format_sek(amount)))
    elif section == "certifications":
        answers = application.answers.get("certifications", {})
        for key, label, _expected in CERTIFICATION_QUESTIONS:
            rows.append((str(label), _yes_no(answers.get(key))))
            follow_up = CERTIFICATION_FOLLOW_UPS.get(key)
            if follow_up and answers.get(key) == "yes":
                rows.append((str(follow_up[1]), answers.get(follow_up[0], "")))
    elif section == "statement":
        answers = application.answers.get("statement", {})
        form = StatementForm()
        rows.append(
            (
                str(form.fields["not_statutory_task"].label),
                _("Yes") if answers.get("not_statutory_task") else _("No"),
            )
        )
        rows.append((str(form.fields["statement"].label), answers.get("statement", "")))
    elif section == "funding":
        answers = application.answers.get("funding", {})
        fields = FundingForm.base_fields
        rows.append(
            (str(fields["other_state_grants"].label), _yes_no(answers.get("other_state_grants")))
        )
        if answers.get("other_state_grants") == "yes":
            for name in FundingForm.FOLLOW_UPS:
                value = answers.get(name)
                if name == "funding_amount" and value is not None:
                    value = format_sek(value)
                if name == "funding_decision_date":
                    value = _date(value)
                rows.append((str(fields[name].label), value or ""))
        rows.append((str(fields["co_funding"].label), answers.get("co_funding", "")))
    elif section == "attachments":
        for attachment in application.attachments.filter(supplement_request__isnull=True):
            rows.append(
                (capfirst(str(Attachment.Kind(attachment.kind).label)), attachment.original_name)
            )
    return rows


# -- at submission ---------------------------------------------------------------------------------


def application_snapshot(application: Application) -> dict:
    """The answers as they were at submission: plain data, kept for ever."""
    return {
        "case_round": application.round.slug,
        "track": application.track.code,
        "organisation": {
            "name": application.organisation.name,
            "org_number": application.organisation.org_number,
        },
        "project_title": application.project_title,
        "requested_amount": application.requested_amount,
        "requested_per_year": application.requested_per_year,
        "areas": list(application.areas.values_list("code", flat=True)),
        "start_date": application.start_date.isoformat() if application.start_date else None,
        "end_date": application.end_date.isoformat() if application.end_date else None,
        "fields": {
            name: getattr(application, name)
            for name in (
                "project_summary",
                "purpose_and_plan",
                "target_groups",
                "area_details",
                "collaboration",
                "long_term_effect",
                "follow_up",
            )
        },
        "partners": section_initial(application, "partners"),
        "budget_lines": section_initial(application, "budget"),
        "answers": application.answers,
        "attachments": [
            {"id": a.pk, "kind": a.kind, "name": a.original_name, "size": a.size}
            for a in application.attachments.all()
        ],
    }


def last_section(application: Application) -> str:
    """Where the applicant was: the section saved last, so returning resumes there."""
    event = (
        Event.objects.filter(application=application, action="application.draft_saved")
        .order_by("-created_at", "-pk")
        .only("data")
        .first()
    )
    section = (event.data or {}).get("section") if event else None
    return section if section in sections_for(application.track) else "project"


# -- after submission -----------------------------------------------------------------------------


def applicant_history(application: Application):
    """What the applicant's timeline shows: only the events marked visible to them, each as a
    short text, autosaves collapsed."""
    return timeline(
        Event.objects.filter(application=application, visible_to_applicant=True)
        .select_related("actor")
        .order_by("created_at", "pk"),
        for_applicant=True,
    )


def open_supplement_requests(application: Application, *, today=None):
    today = today or timezone.localdate()
    return application.supplement_requests.filter(answered_at__isnull=True, due_date__gte=today)


def round_title(round_) -> str:
    return tr(round_, "title")


def member_dashboard(user) -> dict:
    """The applicant's start page: their organisations and their applications, newest first."""
    return {
        "organisations": organisations_for_user(user).select_related("seat"),
        "applications": applications_for_member(user)
        .select_related("round", "track", "organisation")
        .order_by("-created_at"),
    }


def organisation_page(organisation: Organisation) -> dict:
    """An organisation's members (representatives first), open invitations and applications."""
    return {
        "memberships": organisation.memberships.select_related("user").order_by(
            "-role", "user__email"
        ),
        "invitations": organisation.invitations.filter(
            accepted_at__isnull=True, revoked_at__isnull=True
        ),
        "applications": organisation.applications.select_related("round", "track"),
    }


def main_attachments(application: Application):
    """The application's own attachments (not those answering a supplement request)."""
    return application.attachments.filter(supplement_request__isnull=True)


def applicant_decisions(application: Application):
    return application.decisions.select_related("meeting")


def grant_report(grant, kind: str):
    """The grant's report of this kind, or None before it is submitted."""
    return grant.reports.filter(kind=kind).first()


def open_supplement_request_or_404(application: Application, pk):
    return get_object_or_404(open_supplement_requests(application), pk=pk)
