"""The workspace's read side: the budget ledger, the queue and an application's case file."""

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field

from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from grants.access import application_for_staff_or_404, applications_for_staff
from grants.models import (
    Application,
    Assessment,
    Attachment,
    BudgetChange,
    Decision,
    DecisionMeeting,
    Event,
    Grant,
    OrganisationType,
    Payment,
    RecoveryClaim,
    Report,
    Round,
    SavedFilter,
    SecondAssessment,
    SupplementRequest,
    Track,
)
from grants.models.applications import SCORE_FIELDS
from grants.organisation_types import LEGAL_FORM_DIGITS
from grants.selectors.outbox import deliveries
from grants.selectors.portal import SECTION_TITLES, section_display, sections_for
from grants.selectors.timeline import EVENT_TYPES, timeline
from grants.workflow import (
    APPLICATION,
    MEETING_CLOSED_STATUSES,
    MEETING_OPEN_STATUSES,
    OPEN_STATUSES,
    SUBMITTED_STATUSES,
    ApplicationStatus,
)


def staff_rounds():
    return Round.objects.exclude(status=Round.Status.DRAFT).order_by("-year", "slug")


def applications_for_staff_by_ids(user, ids) -> list[Application]:
    """The ticked applications of a bulk action that the user may open."""
    return list(applications_for_staff(user).filter(pk__in=ids))


def staff_round_or_404(pk) -> Round:
    """A round the workspace shows (not a draft)."""
    return get_object_or_404(staff_rounds(), pk=pk)


def round_or_404(pk) -> Round:
    return get_object_or_404(Round, pk=pk)


def assessment_of(application: Application) -> Assessment | None:
    """The application's assessment, or None before anyone has saved one."""
    return Assessment.objects.filter(application=application).select_related("officer").first()


def second_assessment_of(application: Application) -> SecondAssessment | None:
    return (
        SecondAssessment.objects.filter(application=application).select_related("officer").first()
    )


@dataclass
class ComparisonRow:
    label: str
    first: object
    second: object
    money: bool = False

    @property
    def differs(self) -> bool:
        return self.first != self.second


def assessment_comparison(first, second) -> list[ComparisonRow]:
    """The two assessments side by side, criterion by criterion, with the total score and the
    recommendation; a row differs when the two officers disagree."""
    if first is None or second is None:
        return []

    def formal(a):
        met = a.formal_requirements_met
        return _("Not yet checked") if met is None else (_("Met") if met else _("Not met"))

    rows = [ComparisonRow(_("Formal requirements"), formal(first), formal(second))]
    for name in SCORE_FIELDS:
        label = capfirst(Assessment._meta.get_field(name).verbose_name)
        rows.append(ComparisonRow(label, getattr(first, name), getattr(second, name)))
    rows.append(ComparisonRow(_("Total score"), first.total_score, second.total_score))
    rows.append(
        ComparisonRow(
            _("Recommendation"),
            first.get_recommendation_display(),
            second.get_recommendation_display(),
        )
    )
    rows.append(
        ComparisonRow(
            _("Proposed amount"), first.proposed_amount, second.proposed_amount, money=True
        )
    )
    return rows


@dataclass
class QueueNeighbours:
    previous: int | None
    next: int | None


def queue_neighbours(queryset, *, base, application: Application, order) -> QueueNeighbours:
    """The cases before and after `application` in the queue's filtered `queryset` sorted by
    `order` (a field, possibly descending, then id), found from the application's own sort value
    read from `base` (the unfiltered queue): keyset, three queries, and the application need not
    match the filter any more (its status may have moved on since the queue was filtered)."""
    descending = order[0].startswith("-")
    name = order[0].lstrip("-")
    current = base.filter(pk=application.pk).values(name).first()
    if current is None or current[name] is None:
        return QueueNeighbours(None, None)
    value = current[name]

    def step(forward: bool):
        after = forward != descending
        compare = "gt" if after else "lt"
        return (
            queryset.filter(
                Q(**{f"{name}__{compare}": value})
                | Q(**{name: value, f"id__{compare}": application.pk})
            )
            .order_by(*((name, "id") if after else (f"-{name}", "-id")))
            .values_list("pk", flat=True)
            .first()
        )

    return QueueNeighbours(step(False), step(True))


def saved_filters_of(user) -> list[SavedFilter]:
    return list(SavedFilter.objects.filter(owner=user).order_by("name"))


def saved_filter_of_or_404(user, pk) -> SavedFilter:
    """One of the user's own saved filters (another officer's answers 404)."""
    return get_object_or_404(SavedFilter, pk=pk, owner=user)


def meeting_conflicts(meeting: DecisionMeeting) -> dict[int, list]:
    """The conflicts of interest declared at the meeting, by application id."""
    result: dict[int, list] = {}
    for conflict in meeting.conflicts.select_related("decision_maker"):
        result.setdefault(conflict.application_id, []).append(conflict)
    return result


def meeting_or_404(pk) -> DecisionMeeting:
    return get_object_or_404(DecisionMeeting.objects.select_related("round"), pk=pk)


def meeting_agenda(meeting: DecisionMeeting, *, user) -> list[Application]:
    """The applications on a meeting's agenda, and for meetings recorded without one (the demo's),
    those decided there; never one the user has declared a conflict of interest on."""
    return list(
        Application.objects.filter(Q(meeting_agendas=meeting) | Q(decisions__meeting=meeting))
        .exclude(conflicts__officer=user)
        .distinct()
        .select_related("organisation", "track", "assessment", "second_assessment")
        .prefetch_related(
            Prefetch(
                "supplement_requests",
                queryset=SupplementRequest.objects.filter(answered_at__isnull=False),
                to_attr="answered_supplements",
            ),
            "answered_supplements__attachments",
        )
        .order_by("case_sequence")
    )


def meeting_decisions(meeting: DecisionMeeting) -> dict[int, Decision]:
    """The meeting's decisions by application id."""
    return {d.application_id: d for d in meeting.decisions.all()}


def decision_form_initial(application: Application, decision: Decision | None) -> dict:
    """What a meeting's decision form starts with: the recorded decision, else the assessment's
    recommendation and proposed amount, else nothing."""
    if decision:
        return {
            "outcome": decision.outcome,
            "amount": decision.amount or None,
            "amount_per_year": "\n".join(f"{y}: {a}" for y, a in decision.amount_per_year.items()),
            "reasons": decision.reasons,
        }
    assessment = getattr(application, "assessment", None)
    if assessment and assessment.recommendation:
        return {
            "outcome": Decision.Outcome.APPROVED
            if assessment.recommendation == "approve"
            else Decision.Outcome.REJECTED,
            "amount": assessment.proposed_amount,
        }
    return {}


def agenda_application_for_staff_or_404(user, *, meeting: DecisionMeeting, pk) -> Application:
    """An application on the meeting's agenda that the user may open."""
    return get_object_or_404(applications_for_staff(user).filter(meeting_agendas=meeting), pk=pk)


def attachment_for_staff_or_404(user, *, application_pk, pk) -> Attachment:
    application = application_for_staff_or_404(user, application_pk)
    return get_object_or_404(application.attachments, pk=pk)


def decision_letter_for_staff_or_404(user, pk) -> Decision:
    """A decision with a rendered letter, on an application the user may open."""
    decision = get_object_or_404(Decision.objects.exclude(letter_pdf=""), pk=pk)
    application_for_staff_or_404(user, decision.application_id)
    return decision


def payment_for_staff_or_404(user, pk) -> Payment:
    return get_object_or_404(payments_for_staff(user), pk=pk)


def report_for_staff_or_404(user, pk) -> Report:
    return get_object_or_404(Report.objects.filter(grant__in=grants_for_staff(user)), pk=pk)


def claims_for_staff(user):
    return RecoveryClaim.objects.filter(grant__in=grants_for_staff(user))


def claim_for_staff_or_404(user, pk) -> RecoveryClaim:
    return get_object_or_404(claims_for_staff(user), pk=pk)


def claim_letter_for_staff_or_404(user, pk) -> RecoveryClaim:
    """A recovery claim with a rendered letter, on a grant the user may open."""
    return get_object_or_404(claims_for_staff(user).exclude(letter_pdf=""), pk=pk)


def current_caps(*, round_: Round) -> dict[int, int]:
    """Each track's current cap: its latest budget change, else its initial cap (two queries)."""
    caps = {t.pk: t.budget_cap for t in round_.tracks.all()}
    # Oldest first, so the latest change of each track is the one left in the dict. A round has
    # few changes; this works on SQLite too (no DISTINCT ON).
    changes = (
        BudgetChange.objects.filter(track__round=round_)
        .order_by("track_id", "effective_on", "id")
        .values_list("track_id", "new_cap")
    )
    caps.update(dict(changes))
    return caps


def decided_totals(*, round_: Round) -> dict[int, int]:
    """Approved kronor per track in closed meetings (corrections' changes included)."""
    return dict(
        Decision.objects.filter(
            meeting__round=round_,
            meeting__status__in=MEETING_CLOSED_STATUSES,
            outcome=Decision.Outcome.APPROVED,
        )
        .values_list("application__track_id")
        .annotate(total=Sum(F("amount") + F("amount_change")))
    )


@dataclass
class LedgerRow:
    track: Track
    initial_cap: int
    cap: int
    changes: list = field(default_factory=list)
    proposed: int = 0
    decided: int = 0

    @property
    def remaining(self) -> int:
        return self.cap - self.decided

    @property
    def proposals_exceed_cap(self) -> bool:
        return self.decided + self.proposed > self.cap

    @property
    def proposals_overshoot(self) -> int:
        return max(0, self.decided + self.proposed - self.cap)


def budget_ledger(*, round_: Round) -> list[LedgerRow]:
    """Per track: cap with its reallocations, proposed (undecided recommendations to approve),
    decided and remaining. A fixed number of queries whatever the number of applications."""
    tracks = list(
        round_.tracks.prefetch_related(
            Prefetch("budget_changes", queryset=BudgetChange.objects.order_by("effective_on", "id"))
        )
    )
    proposed = dict(
        Application.objects.filter(
            round=round_,
            status__in=OPEN_STATUSES,
            assessment__recommendation="approve",
        )
        .values_list("track_id")
        .annotate(total=Sum("assessment__proposed_amount"))
    )
    decided = decided_totals(round_=round_)
    rows = []
    for track in tracks:
        changes = list(track.budget_changes.all())
        rows.append(
            LedgerRow(
                track=track,
                initial_cap=track.budget_cap,
                cap=changes[-1].new_cap if changes else track.budget_cap,
                changes=changes,
                proposed=proposed.get(track.pk) or 0,
                decided=decided.get(track.pk) or 0,
            )
        )
    return rows


def status_counts(*, round_: Round) -> dict:
    """Applications per status and track: {"rows": [(status, label, [n per track], total)]}."""
    tracks = list(round_.tracks.all())
    counts = {
        (row["status"], row["track_id"]): row["n"]
        for row in Application.objects.filter(round=round_, status__in=SUBMITTED_STATUSES)
        .values("status", "track_id")
        .annotate(n=Count("id"))
    }
    rows = []
    for status in ApplicationStatus:
        if status not in SUBMITTED_STATUSES:
            continue
        per_track = [counts.get((status.value, t.pk), 0) for t in tracks]
        rows.append(
            {"status": status, "label": status.label, "counts": per_track, "total": sum(per_track)}
        )
    totals = [sum(r["counts"][i] for r in rows) for i in range(len(tracks))]
    return {"tracks": tracks, "rows": rows, "totals": totals, "total": sum(totals)}


def queue_for(user):
    """The queue's base queryset: visible applications with what every row shows, joined."""
    today = timezone.localdate()
    overdue = SupplementRequest.objects.filter(
        application=OuterRef("pk"), answered_at__isnull=True, due_date__lt=today
    )
    return (
        applications_for_staff(user)
        .select_related(
            "round", "track", "organisation__seat__lan", "assigned_officer", "assessment"
        )
        .annotate(
            score_total=Coalesce(F("assessment__score_relevance"), 0)
            + Coalesce(F("assessment__score_goal_fulfilment"), 0)
            + Coalesce(F("assessment__score_efficiency"), 0)
            + Coalesce(F("assessment__score_long_term"), 0),
            has_overdue_supplement=Exists(overdue),
        )
    )


def meeting_for_application(application) -> Subquery:
    return Subquery(
        Decision.objects.filter(application=OuterRef("pk")).values("meeting_id")[:1],
        output_field=IntegerField(),
    )


@dataclass
class EligibilityCheck:
    code: str
    label: str
    passed: bool | None
    detail: str


def eligibility_checks(application: Application) -> list[EligibilityCheck]:
    """The formal checks an officer starts with: organisation type, legal-form digit, municipality
    list, and two years of activity for associations."""
    org = application.organisation
    track = application.track
    checks = []
    type_ok = org.org_type in (track.eligible_types or [])
    checks.append(
        EligibilityCheck(
            "org_type",
            _("Organisation type"),
            type_ok,
            _("%(type)s may apply to this track.") % {"type": OrganisationType(org.org_type).label}
            if type_ok
            else _("%(type)s may not apply to this track.")
            % {"type": OrganisationType(org.org_type).label},
        )
    )
    allowed = LEGAL_FORM_DIGITS.get(org.org_type, ())
    digit = org.org_number[0] if org.org_number else ""
    checks.append(
        EligibilityCheck(
            "legal_form",
            _("Legal-form digit"),
            digit in allowed if allowed else None,
            _("The organisation number starts with %(digit)s; expected %(expected)s.")
            % {"digit": digit, "expected": _(" or ").join(allowed) or "–"},
        )
    )
    eligible = {k.pk for k in track.eligible_kommuner.all()}
    if not eligible:
        checks.append(
            EligibilityCheck(
                "municipalities",
                _("Municipality list"),
                True,
                _("Every municipality may apply to this track."),
            )
        )
    else:
        areas = list(application.areas.all())
        place = org.represents_kommun_id or org.seat_id
        outside = [a.name for a in areas if a.pk not in eligible]
        ok = (place in eligible or bool(areas)) and not outside
        checks.append(
            EligibilityCheck(
                "municipalities",
                _("Municipality list"),
                ok,
                _("All areas are on the track's list of municipalities.")
                if ok
                else _("Not on the track's list: %(names)s")
                % {"names": ", ".join(outside) or org.seat.name},
            )
        )
    if org.org_type in (
        OrganisationType.IDEELL_FORENING,
        OrganisationType.TROSSAMFUND,
        OrganisationType.STIFTELSE,
    ):
        reference = (application.submitted_at or timezone.now()).date()
        if org.founded_on is None:
            # The form does not ask when the organisation started: it asks the applicant to
            # certify two years of activity, so the check reads that answer.
            answer = (application.answers or {}).get("certifications", {}).get("active_two_years")
            checks.append(
                EligibilityCheck(
                    "two_years",
                    _("Two years of activity"),
                    {"yes": True, "no": False}.get(answer),
                    {
                        "yes": _("The applicant certifies at least two years of activity."),
                        "no": _(
                            "The applicant says the organisation has been active for less "
                            "than two years."
                        ),
                    }.get(answer, _("The applicant has not answered the certification.")),
                )
            )
        else:
            two_years = _years_before(reference, 2)
            ok = org.founded_on <= two_years
            checks.append(
                EligibilityCheck(
                    "two_years",
                    _("Two years of activity"),
                    ok,
                    _("Active since %(date)s.") % {"date": org.founded_on.isoformat()},
                )
            )
    return checks


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


@dataclass
class AnswerSection:
    key: str
    title: str
    rows: list[tuple[str, str]]


def answer_sections(application: Application) -> list[AnswerSection]:
    """Every section of the application as the applicant filled it in: the questions with the
    labels of the portal's own forms and the answers in words, in the active language. The
    attachments section is left to the page, which links each file."""
    return [
        AnswerSection(key, str(SECTION_TITLES[key]), section_display(application, key))
        for key in sections_for(application.track)
        if key != "attachments"
    ]


def case_file(application: Application) -> dict:
    """Everything the application page shows, each in one query."""
    org = application.organisation
    earlier_grants = list(
        Grant.objects.filter(application__organisation=org)
        .exclude(application=application)
        .select_related("application__round")
        .prefetch_related(Prefetch("reports", queryset=Report.objects.order_by("due_date")))
        .order_by("-awarded_on")
    )
    return {
        "answer_sections": answer_sections(application),
        "attachments": list(application.attachments.select_related("uploaded_by")),
        "earlier_grants": earlier_grants,
        "checks": eligibility_checks(application),
        "timeline": timeline(
            Event.objects.filter(application=application)
            .select_related("actor")
            .order_by("created_at", "id")
        ),
        "comments": list(application.internal_comments.select_related("author")),
        "supplement_requests": list(
            application.supplement_requests.select_related("requested_by").prefetch_related(
                "attachments"
            )
        ),
        "decisions": list(application.decisions.select_related("meeting")),
        "deliveries": deliveries(application),
        "open_meetings": list(
            DecisionMeeting.objects.filter(
                round_id=application.round_id, status__in=MEETING_OPEN_STATUSES
            )
        ),
    }


def meetings_for_round(round_: Round):
    return round_.meetings.annotate(n=Count("decisions")).order_by("-date", "-id")


def meeting_totals(*, meeting: DecisionMeeting) -> list[dict]:
    """Running totals per track against the current cap: decided before, this meeting, after."""
    round_ = meeting.round
    caps = current_caps(round_=round_)
    decided = decided_totals(round_=round_)
    this_meeting = dict(
        meeting.decisions.filter(outcome=Decision.Outcome.APPROVED)
        .values_list("application__track_id")
        .annotate(total=Sum("amount"))
    )
    rows = []
    for track in round_.tracks.all():
        before = decided.get(track.pk) or 0
        if meeting.status in MEETING_CLOSED_STATUSES:
            before -= this_meeting.get(track.pk) or 0
        here = this_meeting.get(track.pk) or 0
        cap = caps[track.pk]
        rows.append(
            {
                "track": track,
                "cap": cap,
                "before": before,
                "meeting": here,
                "total": before + here,
                "remaining": cap - before - here,
                "overshoot": max(0, before + here - cap),
            }
        )
    return rows


@dataclass
class CloseSummary:
    """What closing a meeting will do, for the decision maker to confirm: how many decisions
    become final, of which kind, what they grant per track against its cap, and what would make
    the close refused. `fingerprint` changes with any decision, the agenda or a cap, so that a
    confirmation given for one summary never closes a meeting that has changed since."""

    meeting: DecisionMeeting
    decisions: int
    approved: int
    rejected: int
    supplementary: int
    approved_total: int
    tracks: list[dict]
    undecided: list[Application]
    waiting: list[Application]  # paused for a supplement: cannot be decided until answered
    fingerprint: str

    @property
    def overshoots(self) -> list[dict]:
        return [row for row in self.tracks if row["overshoot"]]

    @property
    def can_close(self) -> bool:
        return not self.undecided and not self.waiting and not self.overshoots


def meeting_close_summary(meeting: DecisionMeeting) -> CloseSummary:
    decisions = list(
        meeting.decisions.select_related("application").order_by("application_id", "pk")
    )
    approved = [d for d in decisions if d.outcome == Decision.Outcome.APPROVED]
    counts: dict[int, int] = {}
    for d in approved:
        counts[d.application.track_id] = counts.get(d.application.track_id, 0) + 1
    tracks = [
        {**row, "approved": counts.get(row["track"].pk, 0)}
        for row in meeting_totals(meeting=meeting)
    ]
    undecided = list(
        meeting.agenda.exclude(decisions__meeting=meeting).order_by("case_sequence", "pk")
    )
    waiting = list(
        meeting.agenda.filter(status__in=APPLICATION.pauses).order_by("case_sequence", "pk")
    )
    content = {
        "decisions": [
            [d.pk, d.application_id, d.outcome, d.kind, d.amount, d.amount_per_year]
            for d in decisions
        ],
        "undecided": [a.pk for a in undecided],
        "waiting": [a.pk for a in waiting],
        "caps": [[row["track"].pk, row["cap"], row["before"]] for row in tracks],
    }
    return CloseSummary(
        meeting=meeting,
        decisions=len(decisions),
        approved=len(approved),
        rejected=len(decisions) - len(approved),
        supplementary=sum(1 for d in decisions if d.kind == Decision.Kind.SUPPLEMENTARY),
        approved_total=sum(d.amount for d in approved),
        tracks=tracks,
        undecided=undecided,
        waiting=waiting,
        fingerprint=fingerprint(content),
    )


def fingerprint(content) -> str:
    """A short hash of what a confirmation page showed (JSON-serialisable content)."""
    payload = json.dumps(content, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


def events_for_export():
    return Event.objects.select_related("actor", "application", "grant", "round").order_by(
        "created_at", "id"
    )


def grants_for_staff(user):
    """Grants whose application the user may open (conflicts of interest hide them too)."""
    return Grant.objects.filter(application__in=applications_for_staff(user))


def grant_for_staff_or_404(user, pk) -> Grant:
    return get_object_or_404(
        grants_for_staff(user).select_related(
            "application__organisation", "application__round", "application__track"
        ),
        pk=pk,
    )


def grant_file(grant: Grant) -> dict:
    """A grant's decisions, payments, reports, claims and timeline, one query each."""
    return {
        "decisions": list(grant.application.decisions.select_related("meeting")),
        "payments": list(Payment.objects.filter(grant=grant).order_by("number")),
        "reports": list(Report.objects.filter(grant=grant).order_by("due_date")),
        "claims": list(RecoveryClaim.objects.filter(grant=grant)),
        "timeline": timeline(
            Event.objects.filter(Q(grant=grant) | Q(application_id=grant.application_id))
            .select_related("actor")
            .order_by("created_at", "id")
        ),
    }


def payments_for_staff(user, *, status: str | None = None):
    rows = Payment.objects.filter(grant__in=grants_for_staff(user)).select_related(
        "grant__application__organisation", "grant__application__round"
    )
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("due_date", "grant_id", "number")


def reports_awaiting_review(user):
    return (
        Report.objects.filter(grant__in=grants_for_staff(user), review_status=Report.Review.PENDING)
        .select_related("grant__application__organisation")
        .order_by("submitted_at", "id")
    )


def open_claims(user):
    return (
        RecoveryClaim.objects.filter(grant__in=grants_for_staff(user), settled_at__isnull=True)
        .select_related("grant__application__organisation")
        .order_by("due_date")
    )


# Staff's label per event code (the full table, with the applicant's texts, is in timeline.py).
ACTION_LABELS = {action: kind.label for action, kind in EVENT_TYPES.items()}
