"""Decision meetings: agenda, decisions, closing within every track's cap, budget reallocation.
Closing makes the decisions final, moves the applications, creates the grants with their payment
plan and reports, and after commit renders the decision letters."""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from grants import roles, workflow
from grants.models import (
    Application,
    BudgetChange,
    Decision,
    DecisionMeeting,
    Grant,
    MeetingConflict,
    Payment,
    Report,
    Round,
    Track,
)
from grants.selectors.officer import current_caps, decided_totals, meeting_close_summary
from grants.services import ServiceError
from grants.services.applications import application_transition
from grants.services.events import event_record
from grants.services.letters import letter_batch_enqueue
from grants.services.officer import second_assessment_missing
from grants.templatetags.delmos import format_sek
from grants.workflow import AGENDA_STATUSES, MEETING_OPEN_STATUSES, ApplicationStatus


def _require_decider(user) -> None:
    if not roles.is_decision_maker(user):
        raise ServiceError(_("Only decision makers may do this."), code="permission_denied")


def _require_open(meeting: DecisionMeeting) -> DecisionMeeting:
    locked = DecisionMeeting.objects.select_for_update().get(pk=meeting.pk)
    if locked.status not in MEETING_OPEN_STATUSES:
        raise workflow.MEETING.refusal(locked.status, DecisionMeeting.Status.CLOSED)
    return locked


@transaction.atomic
def meeting_create(*, round_: Round, user, date: dt.date, title: str = "", notes: str = ""):
    """Open a decision meeting for a round."""
    _require_decider(user)
    meeting = DecisionMeeting.objects.create(round=round_, date=date, title=title, notes=notes)
    event_record(
        action="meeting.created",
        actor=user,
        round=round_,
        target=str(meeting),
        data={"meeting": meeting.pk, "date": date.isoformat()},
    )
    return meeting


@transaction.atomic
def meeting_add_applications(*, meeting: DecisionMeeting, applications, user) -> int:
    """Put applications on a meeting's agenda. They must be assessed (in assessment), or approved
    already (for a supplementary grant)."""
    if not (roles.is_case_officer(user) or roles.is_decision_maker(user)):
        raise ServiceError(_("Only staff may do this."), code="permission_denied")
    meeting = _require_open(meeting)
    added = 0
    # Lock the applications, so two officers putting one case on two meetings at once wait for
    # each other and the second sees the first's meeting.
    ids = [a.pk for a in applications]
    list(Application.objects.select_for_update().filter(pk__in=ids).order_by("pk").values("pk"))
    on_agenda = set(meeting.agenda.values_list("pk", flat=True))
    elsewhere = {
        row.application_id: row.decisionmeeting
        for row in DecisionMeeting.agenda.through.objects.filter(
            application_id__in=ids, decisionmeeting__status=DecisionMeeting.Status.OPEN
        )
        .exclude(decisionmeeting=meeting)
        .select_related("decisionmeeting")
    }
    missing = second_assessment_missing(ids)
    if missing:
        raise _second_assessment_refusal(missing)
    for application in applications:
        if application.round_id != meeting.round_id:
            raise ServiceError(
                _("%(application)s belongs to another round than the meeting.")
                % {"application": application}
            )
        if application.status not in AGENDA_STATUSES:
            raise ServiceError(
                _(
                    "%(application)s is %(status)s; only applications in assessment (or approved, for a supplementary grant) go to a meeting."
                )
                % {"application": application, "status": application.get_status_display()}
            )
        if application.pk in elsewhere:
            other = elsewhere[application.pk]
            raise ServiceError(
                _(
                    "%(application)s is already on the open meeting %(meeting)s. Take it off "
                    "that meeting first."
                )
                % {"application": application, "meeting": _meeting_name(other)},
                code="on_other_meeting",
            )
        if application.pk in on_agenda:
            continue
        meeting.agenda.add(application)
        event_record(
            action="meeting.application_added",
            actor=user,
            application=application,
            data={"meeting": meeting.pk},
        )
        added += 1
    return added


def _second_assessment_refusal(missing) -> ServiceError:
    return ServiceError(
        _(
            "A second assessment by another case officer is required before a meeting decides "
            "%(cases)s (the amount applied for is above the track's limit)."
        )
        % {"cases": ", ".join(str(a) for a in missing)},
        code="second_assessment_missing",
    )


def conflicted_cases(*, meeting: DecisionMeeting, user) -> list[Application]:
    """The agenda items the user may take no part in: a conflict of interest declared at this
    meeting, or on the application itself."""
    return list(
        meeting.agenda.filter(
            Q(meeting_conflicts__meeting=meeting, meeting_conflicts__decision_maker=user)
            | Q(conflicts__officer=user)
        )
        .distinct()
        .order_by("case_sequence", "pk")
    )


@transaction.atomic
def meeting_conflict_declare(
    *, meeting: DecisionMeeting, application: Application, user, reason: str = ""
) -> MeetingConflict:
    """A decision maker declares a conflict of interest on one agenda item of an open meeting:
    they may then neither decide it nor close the meeting (another decision maker does)."""
    _require_decider(user)
    meeting = _require_open(meeting)
    if not meeting.agenda.filter(pk=application.pk).exists():
        raise ServiceError(_("The application is not on this meeting's agenda."))
    conflict, created = MeetingConflict.objects.get_or_create(
        meeting=meeting, application=application, decision_maker=user, defaults={"reason": reason}
    )
    if created:
        event_record(
            action="meeting.conflict_declared",
            actor=user,
            application=application,
            data={"meeting": meeting.pk, "reason": reason},
        )
    return conflict


def _meeting_name(meeting: DecisionMeeting) -> str:
    day = meeting.date.isoformat()
    return f"{day} ({meeting.title})" if meeting.title else day


@transaction.atomic
def meeting_remove_application(*, meeting: DecisionMeeting, application: Application, user):
    """Take an application off an open meeting's agenda. A decision recorded on it at this
    meeting is not final yet and goes with it; only a decision maker may drop one."""
    if not (roles.is_case_officer(user) or roles.is_decision_maker(user)):
        raise ServiceError(_("Only staff may do this."), code="permission_denied")
    meeting = _require_open(meeting)
    if not meeting.agenda.filter(pk=application.pk).exists():
        raise ServiceError(_("The application is not on this meeting's agenda."))
    decisions = Decision.objects.filter(meeting=meeting, application=application)
    had_decision = decisions.exists()
    if had_decision and not roles.is_decision_maker(user):
        raise ServiceError(
            _("A decision is recorded on %(application)s; only a decision maker may take it off.")
            % {"application": application},
            code="permission_denied",
        )
    decisions.delete()
    meeting.agenda.remove(application)
    event_record(
        action="meeting.application_removed",
        actor=user,
        application=application,
        data={"meeting": meeting.pk, "decision_dropped": had_decision},
    )


@dataclass(frozen=True)
class DecisionTerms:
    outcome: str
    amount: int
    amount_per_year: dict
    reasons: str


def decision_terms(
    *, outcome: str, amount: int | None = 0, amount_per_year: dict | None = None, reasons: str = ""
) -> tuple[DecisionTerms, dict[str, str]]:
    """The decision rules: the terms as they are recorded (a rejection grants nothing; an amount
    left out is the sum of the amounts per year) and what is wrong with them, by field
    ("amount", "amount_per_year", "reasons"; empty when nothing). The decision form shows the
    same problems at its fields."""
    per_year = dict(amount_per_year or {})
    amount = amount or 0
    problems: dict[str, str] = {}
    if outcome == Decision.Outcome.REJECTED:
        amount, per_year = 0, {}
        if not (reasons or "").strip():
            problems["reasons"] = _("Give the reasons for a rejection.")
    else:
        if per_year and not amount:
            amount = sum(per_year.values())
        if amount <= 0:
            problems["amount"] = _("Give the amount granted.")
        elif per_year and sum(per_year.values()) != amount:
            problems["amount_per_year"] = _("The amounts per year must add up to the amount.")
    terms = DecisionTerms(
        outcome=outcome, amount=amount, amount_per_year=per_year, reasons=reasons or ""
    )
    return terms, problems


@transaction.atomic
def decision_record(
    *,
    meeting: DecisionMeeting,
    application: Application,
    user,
    outcome: str,
    amount: int = 0,
    amount_per_year: dict | None = None,
    reasons: str = "",
) -> Decision:
    """Record (or, while the meeting is open, change) the decision on one agenda item."""
    _require_decider(user)
    meeting = _require_open(meeting)
    if not meeting.agenda.filter(pk=application.pk).exists():
        raise ServiceError(_("The application is not on this meeting's agenda."))
    if application in conflicted_cases(meeting=meeting, user=user):
        raise ServiceError(
            _(
                "You have declared a conflict of interest on %(case)s: another decision maker "
                "decides it."
            )
            % {"case": application},
            code="conflict_of_interest",
        )
    terms, problems = decision_terms(
        outcome=outcome, amount=amount, amount_per_year=amount_per_year, reasons=reasons
    )
    if problems:
        raise ServiceError(next(iter(problems.values())), code="invalid_decision")
    amount, amount_per_year = terms.amount, terms.amount_per_year
    has_grant = Grant.objects.filter(application=application).exists()
    if has_grant and outcome == Decision.Outcome.REJECTED:
        raise ServiceError(_("A supplementary grant can only be approved."))
    kind = Decision.Kind.SUPPLEMENTARY if has_grant else Decision.Kind.ORIGINAL
    decision = Decision.objects.filter(meeting=meeting, application=application).first()
    if decision is None:
        decision = Decision(meeting=meeting, application=application)
    decision.outcome = outcome
    decision.kind = kind
    decision.amount = amount
    decision.amount_per_year = amount_per_year or {}
    decision.reasons = reasons
    decision.created_by = user
    decision.created_at = timezone.now()
    decision.save()
    event_record(
        action="decision.recorded",
        actor=user,
        application=application,
        data={"meeting": meeting.pk, "outcome": outcome, "amount": amount, "kind": kind},
    )
    return decision


def _caps(round_: Round) -> dict[int, int]:

    return current_caps(round_=round_)


def meeting_overshoots(*, meeting: DecisionMeeting) -> list[tuple[Track, int]]:
    """Tracks whose cap the meeting's approvals would exceed, with the overshoot in kronor."""

    caps = _caps(meeting.round)
    decided = decided_totals(round_=meeting.round)
    here = dict(
        meeting.decisions.filter(outcome=Decision.Outcome.APPROVED)
        .values_list("application__track_id")
        .annotate(total=Sum("amount"))
    )
    result = []
    for track in meeting.round.tracks.all():
        total = (decided.get(track.pk) or 0) + (here.get(track.pk) or 0)
        if total > caps[track.pk]:
            result.append((track, total - caps[track.pk]))
    return result


def _shift_year(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def grant_year_start(round_: Round, year: int, index: int) -> dt.date:
    """When the money of a grant year may be paid: the project period's start for the first
    year; for later years the day after the previous grant year ends (grant years run to
    30 April, as in the 2021 round)."""
    if index == 0:
        return round_.grant_period_start
    return max(dt.date(year, 5, 1), round_.grant_period_start)


def grant_plan_rows(
    *, round_: Round, amount: int, amount_per_year: dict, today: dt.date
) -> tuple[list[dict], list[dict]]:
    """The instalments and reports of a new grant, as field values.

    A multi-year decision (amounts for more than one grant year) gets one instalment per grant
    year, due when that year starts, and one progress report per grant year; each later
    year's instalment waits for the approved report of the year before. A single-year grant
    keeps the round's instalments: the first released when the grant is made (due at the
    start of the project period), the rest waiting for the progress report."""
    per_year = {int(y): int(v) for y, v in (amount_per_year or {}).items() if int(v)}
    first_due = max(today, round_.grant_period_start)
    payments: list[dict] = []
    reports: list[dict] = []
    if len(per_year) > 1:
        for index, (year, value) in enumerate(sorted(per_year.items())):
            payments.append(
                {
                    "number": index + 1,
                    "grant_year": year,
                    "amount": value,
                    "due_date": max(first_due, grant_year_start(round_, year, index)),
                    "requires_progress_report": index > 0,
                }
            )
            due = (
                _shift_year(round_.progress_report_due, index)
                if round_.progress_report_due
                else dt.date(year + 1, 6, 30)
            )
            reports.append({"kind": Report.Kind.PROGRESS, "grant_year": year, "due_date": due})
        final_year = max(per_year)
    else:
        year = next(iter(per_year), round_.grant_period_start.year)
        count = round_.instalments
        base = amount // count
        amounts = [base] * count
        amounts[0] += amount - base * count
        for n, value in enumerate(amounts, start=1):
            if value <= 0:
                continue
            payments.append(
                {
                    "number": len(payments) + 1,
                    "grant_year": year,
                    "amount": value,
                    "due_date": first_due
                    if n == 1
                    else max(first_due, round_.progress_report_due or round_.grant_period_start),
                    "requires_progress_report": n > 1,
                }
            )
        if round_.progress_report_due:
            reports.append(
                {
                    "kind": Report.Kind.PROGRESS,
                    "grant_year": year,
                    "due_date": round_.progress_report_due,
                }
            )
        final_year = year
    reports.append(
        {"kind": Report.Kind.FINAL, "grant_year": final_year, "due_date": round_.final_report_due}
    )
    return payments, reports


def releases_now(due_date: dt.date, requires_progress_report: bool, today: dt.date) -> bool:
    """An instalment is released when it is made only if it waits for no report and its grant
    year has started: money is not released on the day of a decision for a project period that
    starts later (grants.services.payments.payments_release_due releases it on its day)."""
    return not requires_progress_report and due_date <= today


def grant_plan_create(grant: Grant, round_: Round, decision: Decision) -> None:
    """Instalments per grant year and the reports due (grant_plan_rows)."""
    payments, reports = grant_plan_rows(
        round_=round_,
        amount=grant.amount_total,
        amount_per_year=decision.amount_per_year,
        today=timezone.localdate(),
    )
    now = timezone.now()
    today = timezone.localdate()
    Payment.objects.bulk_create(
        [
            workflow.new(
                Payment,
                status=Payment.Status.RELEASED
                if releases_now(row["due_date"], row["requires_progress_report"], today)
                else Payment.Status.PLANNED,
                grant=grant,
                released_at=now
                if releases_now(row["due_date"], row["requires_progress_report"], today)
                else None,
                **row,
            )
            for row in payments
        ]
    )
    Report.objects.bulk_create([Report(grant=grant, **row) for row in reports])


def _grant_apply(decision: Decision, meeting: DecisionMeeting) -> Grant:
    application = decision.application
    grant = Grant.objects.select_for_update().filter(application=application).first()
    if grant is None:
        grant = Grant.objects.create(
            application=application,
            public_title=application.project_title,
            public_summary=application.project_summary,
            amount_total=decision.amount,
            awarded_on=meeting.date,
            last_decided_on=meeting.date,
        )
        areas = list(application.areas.all())
        grant.beneficiary_kommuner.set(areas or [application.organisation.seat])
        grant_plan_create(grant, meeting.round, decision)
        event_record(
            action="grant.created",
            actor=decision.created_by,
            application=application,
            grant=grant,
            data={"amount": decision.amount},
            visible_to_applicant=True,
        )
    else:
        grant.amount_total += decision.amount
        grant.last_decided_on = meeting.date
        grant.has_supplementary = (
            grant.has_supplementary or decision.kind == Decision.Kind.SUPPLEMENTARY
        )
        grant.save(update_fields=["amount_total", "last_decided_on", "has_supplementary"])
        last = grant.payments.order_by("-number").first()
        per_year = {int(y): int(v) for y, v in (decision.amount_per_year or {}).items()}
        # As the ledger counts it: a supplement without amounts per year belongs to the year
        # the grant period starts.
        default_year = meeting.round.grant_period_start.year
        for offset, (year, value) in enumerate(
            sorted(per_year.items()) or [(default_year, decision.amount)]
        ):
            if value <= 0:
                continue
            due = max(timezone.localdate(), meeting.round.grant_period_start)
            release = releases_now(due, False, timezone.localdate())
            workflow.new(
                Payment,
                status=Payment.Status.RELEASED if release else Payment.Status.PLANNED,
                grant=grant,
                number=(last.number if last else 0) + offset + 1,
                grant_year=year,
                due_date=due,
                amount=value,
                released_at=timezone.now() if release else None,
            ).save()
        event_record(
            action="grant.supplemented",
            actor=decision.created_by,
            application=application,
            grant=grant,
            data={"amount": decision.amount, "total": grant.amount_total},
            visible_to_applicant=True,
        )
    return grant


def close_conflict_refusal(*, meeting: DecisionMeeting, user) -> ServiceError | None:
    """Why `user` may not close `meeting` because of a declared conflict of interest, or None."""
    conflicted = conflicted_cases(meeting=meeting, user=user)
    if not conflicted:
        return None
    return ServiceError(
        _(
            "You have declared a conflict of interest on %(cases)s at this meeting, so you "
            "may not close it: another decision maker closes it."
        )
        % {"cases": ", ".join(str(a) for a in conflicted)},
        code="conflict_of_interest",
    )


@transaction.atomic
def meeting_close(
    *, meeting: DecisionMeeting, user, confirmed: str | None = None
) -> DecisionMeeting:
    """Close the meeting: refused if an agenda item has no decision or a track's cap would be
    exceeded (with the overshoot in kronor). Otherwise decisions become final, applications move
    to approved or rejected, grants are created or supplemented, and letters follow after commit.
    `confirmed`: the fingerprint of the summary the decision maker confirmed
    (selectors.officer.meeting_close_summary); refused if the meeting no longer matches it."""
    _require_decider(user)
    meeting = _require_open(meeting)
    # Lock the round so two meetings of it cannot close at once and together exceed a cap.
    Round.objects.select_for_update().get(pk=meeting.round_id)
    refusal = close_conflict_refusal(meeting=meeting, user=user)
    if refusal is not None:
        raise refusal
    missing = second_assessment_missing(meeting.agenda.values_list("pk", flat=True))
    if missing:
        raise _second_assessment_refusal(missing)
    # Decisions and the agenda change only under the meeting's lock, caps under the round's: the
    # summary read now is the one that closes.
    if confirmed is not None and meeting_close_summary(meeting).fingerprint != confirmed:
        raise ServiceError(
            _(
                "The decisions changed after this page was shown. Check the summary again and "
                "confirm."
            ),
            code="summary_changed",
        )
    undecided = meeting.agenda.exclude(decisions__meeting=meeting)
    if undecided.exists():
        raise ServiceError(
            _("Every application on the agenda needs a decision first: %(cases)s")
            % {"cases": ", ".join(str(a) for a in undecided)},
            code="undecided",
        )
    waiting = meeting.agenda.filter(status__in=workflow.APPLICATION.pauses).order_by("pk")
    if waiting.exists():
        raise ServiceError(
            _(
                "Waiting for a supplement: %(cases)s. The meeting can close once it is answered, "
                "or once the case is taken off the agenda."
            )
            % {"cases": ", ".join(str(a) for a in waiting)},
            code="awaiting_supplement",
        )
    overshoots = meeting_overshoots(meeting=meeting)
    if overshoots:
        raise ServiceError(
            _("The meeting cannot be closed: it would exceed the cap of %(tracks)s.")
            % {
                "tracks": "; ".join(
                    _("%(track)s by %(amount)s") % {"track": t.name, "amount": format_sek(n)}
                    for t, n in overshoots
                )
            },
            code="cap_exceeded",
        )
    decisions = list(
        meeting.decisions.select_related("application__organisation", "application__round")
    )
    for decision in decisions:
        application = decision.application
        if decision.kind == Decision.Kind.ORIGINAL:
            application_transition(
                application=application,
                to_status=ApplicationStatus.APPROVED
                if decision.outcome == Decision.Outcome.APPROVED
                else ApplicationStatus.REJECTED,
                user=user,
                data={"meeting": meeting.pk, "amount": decision.amount},
            )
        if decision.outcome == Decision.Outcome.APPROVED:
            _grant_apply(decision, meeting)
    meeting.closed_by = user
    workflow.transition(
        meeting,
        DecisionMeeting.Status.CLOSED,
        user=user,
        data={"meeting": meeting.pk, "decisions": len(decisions)},
        fields=["closed_by"],
    )

    letter_batch_enqueue(decisions, meeting=meeting, round_=meeting.round, user=user)
    return meeting


@transaction.atomic
def budget_reallocate(
    *,
    from_track: Track,
    to_track: Track,
    amount: int,
    effective_on: dt.date,
    reference: str,
    reason: str,
    user,
) -> tuple[BudgetChange, BudgetChange]:
    """Move money between two tracks of a round: two budget changes with the same reference."""

    _require_decider(user)
    if from_track.round_id != to_track.round_id or from_track.pk == to_track.pk:
        raise ServiceError(_("Choose two different tracks of the same round."))
    round_ = Round.objects.select_for_update().get(pk=from_track.round_id)
    caps = _caps(round_)
    decided = decided_totals(round_=round_).get(from_track.pk) or 0
    new_from = caps[from_track.pk] - amount
    if new_from < decided:
        raise ServiceError(
            _("%(track)s has %(decided)s decided already; at most %(max)s can be moved.")
            % {
                "track": from_track.name,
                "decided": format_sek(decided),
                "max": format_sek(caps[from_track.pk] - decided),
            }
        )
    common = {
        "effective_on": effective_on,
        "reference": reference,
        "reason": reason,
        "created_by": user,
    }
    out = BudgetChange.objects.create(track=from_track, new_cap=new_from, **common)
    into = BudgetChange.objects.create(track=to_track, new_cap=caps[to_track.pk] + amount, **common)
    event_record(
        action="budget.reallocated",
        actor=user,
        round=round_,
        target=reference,
        data={
            "from_track": from_track.pk,
            "to_track": to_track.pk,
            "amount": amount,
            "effective_on": effective_on.isoformat(),
            "reference": reference,
        },
    )
    return out, into
