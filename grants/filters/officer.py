"""The case officers' queue filter."""

import datetime as dt

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grants import roles
from grants.limits import MAX_AMOUNT, MAX_COUNTER
from grants.models import Application, OrganisationType, Round, SupplementRequest, Track, User
from grants.workflow import SUBMITTED_STATUSES, ApplicationStatus
from regions.models import Kommun, Lan

SORTS = {
    "case": ("case_sequence", "id"),
    "-case": ("-case_sequence", "-id"),
    "organisation": ("organisation__name", "id"),
    "-organisation": ("-organisation__name", "-id"),
    "amount": ("requested_amount", "id"),
    "-amount": ("-requested_amount", "-id"),
    "score": ("score_total", "id"),
    "-score": ("-score_total", "-id"),
    "submitted": ("submitted_at", "id"),
    "-submitted": ("-submitted_at", "-id"),
}


class QueueFilter(django_filters.FilterSet):
    round = django_filters.ModelChoiceFilter(
        queryset=Round.objects.exclude(status=Round.Status.DRAFT), label=_("Round")
    )
    track = django_filters.ModelChoiceFilter(
        queryset=Track.objects.select_related("round"), label=_("Track")
    )
    status = django_filters.ChoiceFilter(
        choices=[c for c in ApplicationStatus.choices if c[0] in SUBMITTED_STATUSES],
        label=_("Status"),
    )
    org_type = django_filters.ChoiceFilter(
        field_name="organisation__org_type",
        choices=OrganisationType.choices,
        label=_("Type of organisation"),
    )
    county = django_filters.ModelChoiceFilter(
        field_name="organisation__seat__lan", queryset=Lan.objects.all(), label=_("County")
    )
    municipality = django_filters.ModelChoiceFilter(
        queryset=Kommun.objects.all(), method="filter_municipality", label=_("Municipality")
    )
    officer = django_filters.ModelChoiceFilter(
        field_name="assigned_officer",
        queryset=User.objects.filter(groups__name=roles.CASE_OFFICER).distinct(),
        label=_("Case officer"),
        null_label=_("Not assigned"),
    )
    amount_min = django_filters.NumberFilter(
        field_name="requested_amount",
        lookup_expr="gte",
        label=_("Amount applied for, from"),
        min_value=0,
        max_value=MAX_AMOUNT,
    )
    amount_max = django_filters.NumberFilter(
        field_name="requested_amount",
        lookup_expr="lte",
        label=_("Amount applied for, up to"),
        min_value=0,
        max_value=MAX_AMOUNT,
    )
    score_min = django_filters.NumberFilter(
        field_name="score_total",
        lookup_expr="gte",
        label=_("Total score, from"),
        min_value=-MAX_COUNTER,
        max_value=MAX_COUNTER,
    )
    score_max = django_filters.NumberFilter(
        field_name="score_total",
        lookup_expr="lte",
        label=_("Total score, up to"),
        min_value=-MAX_COUNTER,
        max_value=MAX_COUNTER,
    )
    overdue = django_filters.BooleanFilter(
        field_name="has_overdue_supplement",
        label=_("Supplement overdue"),
        widget=forms.Select(choices=[("", _("All")), ("true", _("Yes")), ("false", _("No"))]),
    )
    due = django_filters.ChoiceFilter(
        method="filter_due",
        label=_("Supplement due"),
        choices=[("week", _("This week"))],
    )
    q = django_filters.CharFilter(method="filter_text", label=_("Search"))
    sort = django_filters.ChoiceFilter(
        method="filter_sort",
        label=_("Sort by"),
        empty_label=None,
        choices=[
            ("case", _("Case number")),
            ("-case", _("Case number, descending")),
            ("organisation", _("Organisation")),
            ("-organisation", _("Organisation, descending")),
            ("-amount", _("Amount, largest first")),
            ("amount", _("Amount, smallest first")),
            ("-score", _("Score, highest first")),
            ("score", _("Score, lowest first")),
            ("-submitted", _("Latest submitted")),
            ("submitted", _("First submitted")),
        ],
    )

    class Meta:
        model = Application
        fields: list = []

    def filter_municipality(self, queryset, name, value):
        return queryset.filter(
            Q(organisation__seat=value) | Q(organisation__represents_kommun=value) | Q(areas=value)
        ).distinct()

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(case_number__icontains=value)
            | Q(project_title__icontains=value)
            | Q(organisation__name__icontains=value)
            | Q(organisation__org_number__icontains=value)
        )

    def filter_due(self, queryset, name, value):
        """Applications with an unanswered supplement request due this week (Monday to
        Sunday)."""
        today = timezone.localdate()
        monday = today - dt.timedelta(days=today.weekday())
        due = SupplementRequest.objects.filter(
            application=OuterRef("pk"),
            answered_at__isnull=True,
            due_date__range=(monday, monday + dt.timedelta(days=6)),
        )
        return queryset.filter(Exists(due)) if value == "week" else queryset

    def order_fields(self) -> tuple[str, str]:
        """The queue's order as it is sorted now: a field (possibly descending), then id."""
        sort = getattr(self.form, "cleaned_data", {}).get("sort") if self.is_bound else None
        return SORTS.get(sort or "case", SORTS["case"])

    def filter_sort(self, queryset, name, value):
        return queryset.order_by(*SORTS.get(value, SORTS["case"]))

    @property
    def qs(self):
        queryset = super().qs
        if not getattr(self.form, "cleaned_data", {}).get("sort"):
            queryset = queryset.order_by(*SORTS["case"])
        return queryset
