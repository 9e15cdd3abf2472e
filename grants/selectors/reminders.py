"""What is due, overdue and new, for the reminders (applicants) and the daily digest (officers),
and for the same lists in the officers' workspace. Each list is one query."""

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from grants.models import (
    Application,
    Grant,
    Payment,
    RecoveryClaim,
    Reminder,
    Report,
    SupplementRequest,
)
from grants.workflow import SUBMITTED_STATUSES

K = Reminder.Kind
SUBMITTED_REVIEWS = (Report.Review.PENDING, Report.Review.APPROVED)
REPORT_KINDS = {
    Report.Kind.PROGRESS: (K.PROGRESS_REPORT_DUE, K.PROGRESS_REPORT_OVERDUE),
    Report.Kind.FINAL: (K.FINAL_REPORT_DUE, K.FINAL_REPORT_OVERDUE),
}


@dataclass(frozen=True)
class Due:
    """Something an applicant must do by a date: the reminder's key and what to say."""

    kind: str
    object_id: int
    occasion: dt.date
    application: Application
    subject: object  # the supplement request, grant or payment


def _windows(today: dt.date) -> tuple[dt.date, dt.date]:
    """(the last day a "falls due" reminder looks ahead to, the first overdue day still told)."""
    return (
        today + dt.timedelta(days=settings.REMINDER_DAYS_BEFORE),
        today - dt.timedelta(days=settings.REMINDER_OVERDUE_DAYS),
    )


def due_supplements(today: dt.date) -> list[Due]:
    ahead, behind = _windows(today)
    requests = SupplementRequest.objects.filter(
        answered_at__isnull=True,
        due_date__gte=behind,
        due_date__lte=ahead,
        application__status=Application.Status.SUPPLEMENT_REQUESTED,
    ).select_related("application__created_by", "application__organisation")
    return [
        Due(
            K.SUPPLEMENT_OVERDUE if r.due_date < today else K.SUPPLEMENT_DUE,
            r.pk,
            r.due_date,
            r.application,
            r,
        )
        for r in requests
    ]


def due_reports(today: dt.date) -> list[Due]:
    """Reports not submitted (or returned) whose own due date is near or passed: a multi-year
    grant's progress report per grant year, a final report where a correction moved it, as the
    grant page, the portal and the officers' overdue list show them (Report.due_date)."""
    ahead, behind = _windows(today)
    reports = (
        Report.objects.filter(
            grant__status=Grant.Status.ACTIVE,
            kind__in=REPORT_KINDS,
            due_date__gte=behind,
            due_date__lte=ahead,
        )
        .exclude(review_status__in=SUBMITTED_REVIEWS)
        .select_related(
            "grant__round", "grant__application__created_by", "grant__application__organisation"
        )
        .order_by("due_date", "pk")
    )
    found = []
    for report in reports:
        due_kind, overdue_kind = REPORT_KINDS[report.kind]
        found.append(
            Due(
                overdue_kind if report.due_date < today else due_kind,
                report.grant_id,
                report.due_date,
                report.grant.application,
                (report.grant, report.kind),
            )
        )
    return found


def due_payments(today: dt.date) -> list[Due]:
    """Instalments that wait for the applicant's progress report (their payment request)."""
    ahead, behind = _windows(today)
    approved = Exists(
        Report.objects.filter(
            grant_id=OuterRef("grant_id"),
            kind=Report.Kind.PROGRESS,
            review_status=Report.Review.APPROVED,
        )
    )
    payments = (
        Payment.objects.filter(
            status=Payment.Status.PLANNED,
            requires_progress_report=True,
            grant__status=Grant.Status.ACTIVE,
            due_date__gte=behind,
            due_date__lte=ahead,
        )
        .annotate(approved=approved)
        .filter(approved=False)
        .select_related("grant__application__created_by", "grant__application__organisation")
    )
    return [
        Due(
            K.PAYMENT_OVERDUE if p.due_date < today else K.PAYMENT_DUE,
            p.pk,
            p.due_date,
            p.grant.application,
            p,
        )
        for p in payments
    ]


def applicant_due(today: dt.date) -> list[Due]:
    """Everything an applicant is reminded of today (three queries)."""
    return [*due_supplements(today), *due_reports(today), *due_payments(today)]


@dataclass
class Digest:
    """What officers are told each morning, and see in the workspace."""

    since: dt.datetime
    submissions: list = field(default_factory=list)
    answered_supplements: list = field(default_factory=list)
    submitted_reports: list = field(default_factory=list)
    overdue_supplements: list = field(default_factory=list)
    overdue_reports: list = field(default_factory=list)
    overdue_claims: list = field(default_factory=list)

    @property
    def overdue_count(self) -> int:
        return len(self.overdue_supplements) + len(self.overdue_reports) + len(self.overdue_claims)

    def __bool__(self) -> bool:
        return any(
            (
                self.submissions,
                self.answered_supplements,
                self.submitted_reports,
                self.overdue_supplements,
                self.overdue_reports,
                self.overdue_claims,
            )
        )


def digest(*, since: dt.datetime, until: dt.datetime | None = None, today=None) -> Digest:
    """New since `since` (up to `until`), and overdue as of `today`: six queries."""
    today = today or timezone.localdate()
    window = Q(submitted_at__gte=since) & (Q(submitted_at__lt=until) if until else Q())
    # A report is overdue by its own due date (Report.is_overdue, as the grant page and the
    # portal show it): a multi-year grant's report per grant year, a final report moved by a
    # correction decision.
    overdue_report = Report.objects.filter(
        grant_id=OuterRef("pk"),
        review_status__in=(Report.Review.NOT_SUBMITTED, Report.Review.RETURNED),
        due_date__lt=today,
    )
    grants = (
        Grant.objects.filter(Exists(overdue_report), status=Grant.Status.ACTIVE)
        .select_related("round", "application__organisation")
        .order_by("round__year", "org_name")
    )
    answered = Q(answered_at__gte=since) & (Q(answered_at__lt=until) if until else Q())
    return Digest(
        since=since,
        submissions=list(
            Application.objects.filter(window, status__in=SUBMITTED_STATUSES)
            .select_related("organisation", "track")
            .order_by("submitted_at")
        ),
        answered_supplements=list(
            SupplementRequest.objects.filter(answered)
            .select_related("application__organisation")
            .order_by("answered_at")
        ),
        submitted_reports=list(
            Report.objects.filter(window, review_status=Report.Review.PENDING)
            .select_related("grant__application__organisation")
            .order_by("submitted_at")
        ),
        overdue_supplements=list(
            SupplementRequest.objects.filter(
                answered_at__isnull=True,
                due_date__lt=today,
                application__status=Application.Status.SUPPLEMENT_REQUESTED,
            )
            .select_related("application__organisation")
            .order_by("due_date")
        ),
        overdue_reports=list(grants),
        overdue_claims=list(
            RecoveryClaim.objects.filter(settled_at__isnull=True, due_date__lt=today)
            .select_related("grant__application__organisation")
            .order_by("due_date")
        ),
    )


def digest_for_day(day: dt.date) -> Digest:
    """The digest of the morning of `day`: what was new the day before, overdue on the day."""
    start = timezone.make_aware(dt.datetime.combine(day - dt.timedelta(days=1), dt.time()))
    end = start + dt.timedelta(days=1)
    return digest(since=start, until=end, today=day)


def recent_reminders(limit: int = 50):
    return Reminder.objects.select_related("recipient", "application", "job").order_by(
        "-created_at"
    )[:limit]
