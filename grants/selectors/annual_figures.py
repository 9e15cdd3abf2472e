"""The figures for the annual report (årsredovisning): applications, granted, paid, used, claimed
back, repaid, written off and open, per round, grant year (the round's year), track, type of
organisation, county and municipality.

Every figure is a SQL aggregate grouped by one dimension, so the page asks a fixed number of
queries whatever the number of grants (asserted in tests). A grant's money counts in the round,
track and grant year it was awarded in, for its organisation's type and seat at the time of the
award (the listing columns on Grant), so each breakdown adds up to the same totals.

Money comes from the ledger's sums (grants.services.ledger.totals_by), the one home of the
rules: granted from the decisions (supplementary and correction decisions included), paid from
paid instalments, used from approved reports (the final report's figure once it is approved,
else the progress reports'), claimed from recovery claims, repaid and written off from the
claims' entries.
"""

from dataclasses import dataclass, fields

from django.db.models import BigIntegerField, Count, Exists, F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from grants.models import (
    Application,
    Grant,
    OrganisationType,
    Payment,
    RecoveryClaim,
    Report,
    Round,
    Track,
)
from grants.services.ledger import Totals, totals_by
from regions.models import Kommun, Lan


@dataclass
class Figures:
    """One row of the annual report's tables (kronor, except the two counts)."""

    applications: int = 0
    grants: int = 0
    granted: int = 0
    paid: int = 0
    used: int = 0
    claimed: int = 0
    repaid: int = 0
    written_off: int = 0

    @property
    def open(self) -> int:
        """Claimed and neither repaid nor written off."""
        return self.claimed - self.repaid - self.written_off

    def add(self, other: "Figures") -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


# The measures in the order of the tables and the export, with their headings.
MEASURES = [
    ("applications", _("Applications")),
    ("grants", _("Grants")),
    ("granted", _("Granted (SEK)")),
    ("paid", _("Paid (SEK)")),
    ("used", _("Used (SEK)")),
    ("claimed", _("Claimed back (SEK)")),
    ("repaid", _("Repaid (SEK)")),
    ("written_off", _("Written off (SEK)")),
    ("open", _("Open claims (SEK)")),
]

# dimension → (its column on Grant, its column on Application, heading)
DIMENSIONS = {
    "round": ("round_id", "round_id", _("Round")),
    "year": ("round__year", "round__year", _("Grant year")),
    "track": ("track_id", "track_id", _("Track")),
    "org_type": ("org_type", "organisation__org_type", _("Type of organisation")),
    "county": ("seat__lan_id", "organisation__seat__lan_id", _("County")),
    "municipality": ("seat_id", "organisation__seat_id", _("Municipality")),
}
# The export's detailed breakdown: round, track and type of organisation together.
DETAILED = {
    "round_track_type": (
        ("round_id", "track_id", "org_type"),
        ("round_id", "track_id", "organisation__org_type"),
        _("Round, track and type of organisation"),
    )
}


def _grouped(queryset, columns, **sums) -> dict:
    """{value: {sum name: amount}} grouped by the columns (a value is a tuple for several)."""
    names = [f"key_{i}" for i in range(len(columns))]
    rows = (
        queryset.annotate(**{name: F(column) for name, column in zip(names, columns, strict=True)})
        .values(*names)
        .annotate(**sums)
        .order_by()
    )
    return {
        (row[names[0]] if len(names) == 1 else tuple(row[n] for n in names)): {
            name: row[name] or 0 for name in sums
        }
        for row in rows
    }


def figures_by(dimension: str) -> dict:
    """{value of the dimension: Figures}: the counts in two aggregate queries, the money from
    the ledger's sums (grants.services.ledger.totals_by, five more), so the page, the grant
    pages and the portal count money by one rule."""
    grant_keys, application_keys, _heading = {**DIMENSIONS, **DETAILED}[dimension]
    grant_keys = grant_keys if isinstance(grant_keys, tuple) else (grant_keys,)
    application_keys = (
        application_keys if isinstance(application_keys, tuple) else (application_keys,)
    )
    applications = _grouped(
        Application.objects.filter(submitted_at__isnull=False), application_keys, n=Count("pk")
    )
    grants = _grouped(Grant.objects.all(), grant_keys, n=Count("pk"))
    money = totals_by(grant_keys if len(grant_keys) > 1 else grant_keys[0])
    result = {}
    for value in {*applications, *grants, *money}:
        totals = money.get(value, Totals())
        result[value] = Figures(
            applications=applications.get(value, {}).get("n", 0),
            grants=grants.get(value, {}).get("n", 0),
            granted=totals.granted,
            paid=totals.paid,
            used=totals.used,
            claimed=totals.claimed,
            repaid=totals.repaid,
            written_off=totals.written_off,
        )
    return result


@dataclass
class Table:
    key: str
    heading: str
    rows: list  # [(label, Figures)] in display order
    total: Figures


def _labels(dimension: str, values) -> dict:
    english = get_language() == "en"
    values = [v for v in values if v is not None]
    if dimension == "round":
        return {
            r.pk: (r.title_en if english and r.title_en else r.title)
            for r in Round.objects.filter(pk__in=values)
        }
    if dimension == "track":
        return {
            t.pk: f"{t.round.year}: {t.name_en if english and t.name_en else t.name}"
            for t in Track.objects.filter(pk__in=values).select_related("round")
        }
    if dimension == "org_type":
        names = dict(OrganisationType.choices)
        return {v: capfirst(str(names.get(v, v))) for v in values}
    if dimension == "county":
        return {c.pk: c.name for c in Lan.objects.filter(pk__in=values)}
    if dimension == "municipality":
        return {k.pk: k.name for k in Kommun.objects.filter(pk__in=values)}
    if dimension == "round_track_type":
        tracks = _labels("track", {track for _round, track, _type in values})
        types = _labels("org_type", {org_type for _round, _track, org_type in values})
        return {
            value: f"{tracks.get(value[1], '–')} · {types.get(value[2], '–')}" for value in values
        }
    return {v: str(v) for v in values}


def annual_tables(*, detailed: bool = False) -> list[Table]:
    """One table per dimension, each with its total row; a fixed number of queries. `detailed`
    adds round × track × type of organisation (the export's)."""
    tables = []
    dimensions = {**DIMENSIONS, **DETAILED} if detailed else DIMENSIONS
    for dimension, (_grant_key, _application_key, heading) in dimensions.items():
        by_value = figures_by(dimension)
        labels = _labels(dimension, by_value)
        none = str(_("(none)"))
        rows = sorted(
            (labels.get(value, none) if value is not None else none, value, figures)
            for value, figures in by_value.items()
        )
        if dimension == "year":
            rows.sort(key=lambda row: -(row[1] or 0))
        total = Figures()
        for _label, _value, figures in rows:
            total.add(figures)
        tables.append(
            Table(
                key=dimension,
                heading=str(heading),
                rows=[(label, figures) for label, _value, figures in rows],
                total=total,
            )
        )
    return tables


def settled_grants():
    """Every grant with an approved final report, annotated with what was paid, used and
    claimed back (subqueries, not joins: a join of payments and claims would multiply rows)
    and `difference` = paid − used − claimed, which is 0 for a grant that adds up."""
    # order_by(): the models' default orderings would join the grant into every subquery.
    paid = (
        Payment.objects.filter(grant_id=OuterRef("pk"), status=Payment.Status.PAID)
        .order_by()
        .values("grant_id")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    used = (
        Report.objects.filter(
            grant_id=OuterRef("pk"), kind=Report.Kind.FINAL, review_status=Report.Review.APPROVED
        )
        .order_by()
        .values("money_used")
    )
    claimed = (
        RecoveryClaim.objects.filter(grant_id=OuterRef("pk"))
        .order_by()
        .values("grant_id")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return (
        Grant.objects.filter(
            Exists(
                Report.objects.filter(
                    grant_id=OuterRef("pk"),
                    kind=Report.Kind.FINAL,
                    review_status=Report.Review.APPROVED,
                )
            )
        )
        .annotate(
            paid=_subquery_sum(paid), used=_subquery_sum(used), claimed=_subquery_sum(claimed)
        )
        .annotate(difference=F("paid") - F("used") - F("claimed"))
    )


@dataclass
class SettledRound:
    label: str
    grants: int
    paid: int
    used: int
    claimed: int
    not_adding_up: int


def settled_check(limit: int = 100) -> tuple[list[SettledRound], list[Grant]]:
    """Per round: the settled grants (an approved final report), their paid, used and claimed
    back, and how many do not add up (paid − used ≠ claimed back); and those grants (at most
    `limit`). Three aggregate queries grouped by grant, combined here (correlated subqueries
    over every grant took seconds at 20 000 grants), plus one for the labels."""
    settled = (
        Report.objects.filter(kind=Report.Kind.FINAL, review_status=Report.Review.APPROVED)
        .order_by()
        .values_list("grant_id", "grant__round_id", "money_used")
    )
    paid = dict(
        Payment.objects.filter(status=Payment.Status.PAID)
        .order_by()
        .values("grant_id")
        .annotate(total=Sum("amount"))
        .values_list("grant_id", "total")
    )
    claimed = dict(
        RecoveryClaim.objects.order_by()
        .values("grant_id")
        .annotate(total=Sum("amount"))
        .values_list("grant_id", "total")
    )
    by_round: dict = {}
    off_ids = []
    for grant_id, round_id, used in settled:
        row = by_round.setdefault(round_id, [0, 0, 0, 0, 0])
        grant_paid, grant_claimed, used = paid.get(grant_id, 0), claimed.get(grant_id, 0), used or 0
        off = grant_paid - used != grant_claimed
        for index, amount in enumerate((1, grant_paid, used, grant_claimed, int(off))):
            row[index] += amount
        if off:
            off_ids.append(grant_id)
    labels = _labels("round", set(by_round))
    rounds = [
        SettledRound(labels.get(round_id, "–"), *figures)
        for round_id, figures in sorted(by_round.items(), key=lambda item: item[0] or 0)
    ]
    not_adding_up = (
        list(Grant.objects.filter(pk__in=sorted(off_ids)[:limit]).only("pk", "public_title"))
        if off_ids
        else []
    )
    return rounds, not_adding_up


def _subquery_sum(queryset):
    return Coalesce(Subquery(queryset), Value(0), output_field=BigIntegerField())
