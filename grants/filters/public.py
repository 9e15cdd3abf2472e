"""The public award list's filters. Every value lives in the query string, so a link reproduces
the view and the CSV/JSON exports take the same parameters as the page."""

import copy

import django_filters
from django import forms
from django.forms.utils import flatatt
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_filters.fields import ChoiceField

from grants.limits import MAX_AMOUNT, MAX_COUNTER
from grants.models import DecisionMeeting, Grant, OrganisationType, Round, Track
from grants.selectors import public as selectors
from regions.models import Kommun, Lan

PAGE_SIZE = 50

SORTS = {name: selectors.list_ordering(name) for name in selectors.LIST_SORTS}
SORT_CHOICES = [
    ("organisation", _("Organisation, A–Ö")),
    ("-organisation", _("Organisation, Ö–A")),
    ("-amount", _("Amount, largest first")),
    ("amount", _("Amount, smallest first")),
    ("county", _("County, A–Ö")),
    ("-county", _("County, Ö–A")),
    ("-date", _("Decision date, latest first")),
    ("date", _("Decision date, earliest first")),
]
YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class FastSelect(forms.Select):
    """A select rendered in Python: the list has 290 municipalities twice, and Django's
    template-per-option rendering cost more than all of the page's SQL together. Grouped
    choices ((label, [(value, label), ...])) become optgroups."""

    def render(self, name, value, attrs=None, renderer=None):
        selected = {str(v) for v in self.format_value(value)}

        def option(key, label):
            key = str(key)
            mark = " selected" if key in selected else ""
            return f'<option value="{escape(key)}"{mark}>{escape(label)}</option>'

        parts = []
        for key, label in self.choices:
            if isinstance(label, (list, tuple)):
                inner = "".join(option(k, v) for k, v in label)
                parts.append(f'<optgroup label="{escape(key)}">{inner}</optgroup>')
            else:
                parts.append(option(key, label))
        final_attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        return mark_safe(f"<select{flatatt(final_attrs)}>{''.join(parts)}</select>")  # noqa: S308 - every part escaped above


class SharedChoiceField(ChoiceField):
    """A choice field whose copies share its choices: each form deep-copies its fields, and
    deep-copying 290 municipalities twice cost more per request than the page's query. Choices
    are only ever replaced (`field.choices = ...`), never changed in place, so sharing is safe."""

    def __deepcopy__(self, memo):
        result = copy.copy(self)
        memo[id(self)] = result
        result.widget = copy.copy(self.widget)
        result.widget.attrs = self.widget.attrs.copy()
        result.error_messages = self.error_messages.copy()
        result.validators = self.validators[:]
        return result


class ChoiceFilter(django_filters.ChoiceFilter):
    field_class = SharedChoiceField


def _english() -> bool:
    return (get_language() or "sv").startswith("en")


def filter_lookups() -> dict[str, list[tuple[str, str]]]:
    """The values each filter offers, in the current language: one small query per list."""
    english = _english()
    lookups = {
        "year": [
            (str(y), str(y))
            for y in Round.objects.exclude(status=Round.Status.DRAFT)
            .order_by("-year")
            .values_list("year", flat=True)
            .distinct()
        ],
        "track": [
            (str(t.pk), f"{t.round.year} – {(t.name_en if english and t.name_en else t.name)}")
            for t in Track.objects.exclude(round__status=Round.Status.DRAFT)
            .select_related("round")
            .order_by("-round__year", "position", "code")
        ],
        "county": [(lan.code, lan.name) for lan in Lan.objects.order_by("name")],
        "municipality": list(Kommun.objects.order_by("name").values_list("code", "name")),
        "meeting": [
            (str(m.pk), m.date.isoformat())
            for m in DecisionMeeting.objects.exclude(round__status=Round.Status.DRAFT)
            .order_by("-date", "id")
            .only("id", "date")
        ],
        "type": [(k, str(v)) for k, v in OrganisationType.choices],
        "supplementary": [(k, str(v)) for k, v in YES_NO],
    }
    lookups["seat"] = lookups["municipality"]
    return lookups


class GrantFilterForm(forms.Form):
    """Ranges whose ends are the wrong way round are an error at the second end."""

    def clean(self):
        data = super().clean()
        for low, high, message in (
            ("min", "max", _("The highest amount is lower than the lowest.")),
            ("decided_from", "decided_to", _("The last date is before the first.")),
        ):
            if data.get(low) is not None and data.get(high) is not None and data[low] > data[high]:
                self.add_error(high, message)
        return data


def grouped_by_county(municipalities: list[tuple[str, str]], counties: list[tuple[str, str]]):
    """Municipality choices in optgroups by county (counties by name): a kommunkod starts with
    its county's code."""
    by_county: dict[str, list] = {}
    for code, label in municipalities:
        by_county.setdefault(code[:2], []).append((code, label))
    return [(name, by_county[code]) for code, name in counties if code in by_county]


class GrantFilter(django_filters.FilterSet):
    """The award list's filters. Choices are read once per request (one query per lookup list);
    `show_counts` then writes each value's number of grants into its label."""

    q = django_filters.CharFilter(
        label=_("Search organisation or project"), method="filter_text", max_length=100
    )
    year = ChoiceFilter(
        widget=FastSelect,
        label=_("Call for applications"),
        field_name="round__year",
        empty_label=_("All years"),
    )
    track = ChoiceFilter(
        widget=FastSelect,
        label=_("Track"),
        field_name="track_id",
        empty_label=_("All tracks"),
    )
    type = ChoiceFilter(
        widget=FastSelect,
        label=_("Type of organisation"),
        field_name="org_type",
        choices=OrganisationType.choices,
        empty_label=_("All types"),
    )
    county = ChoiceFilter(
        widget=FastSelect,
        label=_("County where the project works"),
        method="filter_county",
        empty_label=_("All counties"),
    )
    municipality = ChoiceFilter(
        widget=FastSelect,
        label=_("Municipality where the project works"),
        method="filter_municipality",
        empty_label=_("All municipalities"),
    )
    seat = ChoiceFilter(
        widget=FastSelect,
        label=_("Municipality where the organisation has its seat"),
        field_name="seat_id",
        empty_label=_("All municipalities"),
    )
    min = django_filters.NumberFilter(
        label=_("Amount at least (SEK)"),
        field_name="amount_total",
        lookup_expr="gte",
        min_value=0,
        max_value=MAX_AMOUNT,
    )
    max = django_filters.NumberFilter(
        label=_("Amount at most (SEK)"),
        field_name="amount_total",
        lookup_expr="lte",
        min_value=0,
        max_value=MAX_AMOUNT,
    )
    decided_from = django_filters.DateFilter(
        label=_("Decided on or after"),
        field_name="awarded_on",
        lookup_expr="gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    decided_to = django_filters.DateFilter(
        label=_("Decided on or before"),
        field_name="awarded_on",
        lookup_expr="lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    meeting = ChoiceFilter(
        widget=FastSelect,
        label=_("Decision meeting"),
        method="filter_meeting",
        empty_label=_("All meetings"),
    )
    supplementary = ChoiceFilter(
        widget=FastSelect,
        label=_("Supplementary grant"),
        choices=YES_NO,
        method="filter_supplementary",
        empty_label=_("With or without"),
    )
    sort = ChoiceFilter(
        widget=FastSelect,
        label=_("Sort by"),
        choices=SORT_CHOICES,
        method="filter_sort",
        empty_label=None,
    )

    class Meta:
        model = Grant
        fields: list[str] = []
        form = GrantFilterForm

    def __init__(self, data=None, *args, lookups: dict | None = None, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.lookups = lookups if lookups is not None else filter_lookups()
        for name, choices in self.lookups.items():
            self.filters[name].extra["choices"] = choices

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("sort"):
            queryset = self.filter_sort(queryset, "sort", "organisation")
        return queryset

    def filter_text(self, queryset, name, value):
        return selectors.search_grants(queryset, value) if value.strip() else queryset

    def filter_county(self, queryset, name, value):
        return queryset.filter(selectors.works_in_lan(value))

    def filter_municipality(self, queryset, name, value):
        return queryset.filter(selectors.works_in_kommun(value))

    def filter_meeting(self, queryset, name, value):
        return queryset.filter(selectors.had_meeting(int(value)))

    def filter_supplementary(self, queryset, name, value):
        return queryset.filter(has_supplementary=value == "yes")

    def filter_sort(self, queryset, name, value):
        return selectors.with_sort_keys(queryset).order_by(*SORTS.get(value, SORTS["organisation"]))

    def show_counts(self, facets: dict[str, dict], meeting_label) -> None:
        """Write the number of grants in the result beside each value of a filter."""
        keyed = {
            "year": lambda k: int(k),
            "track": lambda k: int(k),
            "type": lambda k: k,
            "county": lambda k: k,
            "municipality": lambda k: k,
            "supplementary": lambda k: k == "yes",
        }
        form = self.form
        for name, key in keyed.items():
            counts = facets.get(name, {})
            field = form.fields[name]
            field.choices = [
                (value, f"{capfirst(label)} ({counts.get(key(value), 0)})")
                for value, label in self.lookups[name]
            ]
        # Municipalities grouped by county (static/js/form.js then keeps only the chosen
        # county's group in the list of where the project works).
        for name in ("municipality", "seat"):
            field = form.fields[name]
            flat = [c for c in field.choices if c[0] != ""]  # the empty choice is added again
            field.choices = grouped_by_county(flat, self.lookups["county"])
        meeting_counts = facets.get("meeting", {})
        field = form.fields["meeting"]
        field.choices = [
            (value, f"{meeting_label(label)} ({meeting_counts.get(int(value), 0)})")
            for value, label in self.lookups["meeting"]
        ]

    @property
    def active(self) -> bool:
        """Whether any filter (not the sort order) narrows the list."""
        if not self.is_bound:
            return False
        return any(self.data.get(name) for name in self.filters if name != "sort")


class PageForm(forms.Form):
    """A page of the list: its number, and the id of the last row of the page before it
    (`after`) or of the first row of the page after it (`before`), which the pager's links carry
    so that the page starts at that row's sort key (keyset pagination) instead of counting."""

    page = forms.IntegerField(min_value=1, max_value=MAX_COUNTER, required=False)
    after = forms.IntegerField(min_value=1, max_value=2**63 - 1, required=False)
    before = forms.IntegerField(min_value=1, max_value=2**63 - 1, required=False)
