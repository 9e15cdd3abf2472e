"""The ledger of a grant: every figure derived from what is recorded (decisions, instalments,
reports, claims and their repayments and write-offs), per grant year, and the same figures
summed per track and per round with SQL aggregates.

Reads only; the writers (grants.services.decisions, payments, reports, recovery) call
`grant_limits` under their row locks to refuse what would break the ledger's rules:

- instalments that are not cancelled never exceed what is granted;
- nothing is paid beyond what is granted;
- claims never exceed what was paid;
- repayments and write-offs never exceed what was claimed.

Public API (the figures page builds on it):

    grant_ledger(grant) -> GrantLedger          lines per grant year and totals
    track_totals(round_=None) -> {track_id: Totals}
    round_totals(round_ids=None) -> {round_id: Totals}
    totals_by(field, grants=None) -> {value: Totals}   any Grant column, e.g. "org_type"
    grant_limits(grant) -> Limits
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, fields, replace

from django.db.models import (
    BigIntegerField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from grants.models import ClaimEntry, Decision, Grant, Payment, RecoveryClaim, Report
from grants.workflow import MEETING_CLOSED_STATUSES

_P = Payment.Status
_ZERO = Value(0, output_field=BigIntegerField())


@dataclass(frozen=True)
class Totals:
    """The money of one grant year, one grant, or a sum of grants (kronor)."""

    granted: int = 0  # approved decisions incl. supplementary grants and corrections
    planned: int = 0  # instalments waiting (for a report or a date)
    released: int = 0  # released for payment, not yet paid
    paid: int = 0
    cancelled: int = 0
    used: int = 0  # reported used in approved reports
    claimed: int = 0  # recovery claims decided
    repaid: int = 0
    written_off: int = 0

    @property
    def instalments(self) -> int:
        """Instalments that count against the grant (not cancelled)."""
        return self.planned + self.released + self.paid

    @property
    def to_pay(self) -> int:
        """Instalments not yet paid and not cancelled."""
        return self.planned + self.released

    @property
    def open(self) -> int:
        """Claimed and neither repaid nor written off."""
        return self.claimed - self.repaid - self.written_off

    @property
    def unplanned(self) -> int:
        """Granted but in no instalment (after cancellations: money the grant will not pay)."""
        return self.granted - self.instalments

    def __add__(self, other: Totals) -> Totals:
        return Totals(
            **{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)}
        )

    def as_dict(self) -> dict[str, int]:
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(open=self.open, to_pay=self.to_pay, instalments=self.instalments)
        return values


@dataclass(frozen=True)
class YearLine:
    year: int
    totals: Totals


@dataclass(frozen=True)
class GrantLedger:
    grant: Grant
    lines: list[YearLine]  # per grant year, in order; claims belong to the grant as a whole
    totals: Totals
    claims: list[RecoveryClaim] = field(default_factory=list)

    @property
    def balances(self) -> bool:
        return not ledger_problems(self)


@dataclass(frozen=True)
class Limits:
    """What the ledger still allows on a grant."""

    payable: int  # more instalments may be planned up to this (granted − not cancelled)
    claimable: int  # a new claim may be at most this (paid − claimed)
    paid: int
    claimed: int


def base_year(grant: Grant) -> int:
    """The grant year of a decision without amounts per year: the year the round's grant period
    starts."""
    return grant.application.round.grant_period_start.year


def decision_years(decision: Decision, default_year: int) -> dict[int, int]:
    """The kronor a decision grants (or, a correction, changes) per grant year."""
    if decision.amount_per_year:
        return {int(y): int(v) for y, v in decision.amount_per_year.items() if int(v)}
    amount = decision.amount + decision.amount_change
    return {default_year: amount} if amount else {}


def final_decisions(**filters) -> QuerySet:
    """Approved decisions at closed meetings: what is granted."""
    return Decision.objects.filter(
        outcome=Decision.Outcome.APPROVED, meeting__status__in=MEETING_CLOSED_STATUSES, **filters
    )


def grant_ledger(grant: Grant) -> GrantLedger:
    """The lines per grant year and the totals of one grant (five queries)."""
    default_year = base_year(grant)
    years: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for decision in final_decisions(application_id=grant.application_id).only(
        "amount", "amount_change", "amount_per_year"
    ):
        for year, amount in decision_years(decision, default_year).items():
            years[year]["granted"] += amount
    for row in (
        Payment.objects.filter(grant=grant)
        .values("grant_year", "status")
        .annotate(total=Sum("amount"))
        .order_by()
    ):
        years[row["grant_year"] or default_year][row["status"]] += row["total"]
    final_used = None
    for report in Report.objects.filter(grant=grant, review_status=Report.Review.APPROVED).only(
        "kind", "grant_year", "money_used"
    ):
        if report.kind == Report.Kind.FINAL:
            final_used = report.money_used or 0
        else:
            years[report.grant_year or default_year]["used"] += report.money_used or 0
    lines = [
        YearLine(
            year,
            Totals(
                granted=v["granted"],
                planned=v[_P.PLANNED],
                released=v[_P.RELEASED],
                paid=v[_P.PAID],
                cancelled=v[_P.CANCELLED],
                used=v["used"],
            ),
        )
        for year, v in sorted(years.items())
    ]
    totals = sum((line.totals for line in lines), Totals())
    if final_used is not None:
        # The final report accounts for the whole grant.
        totals = replace(totals, used=final_used)
    claims = list(RecoveryClaim.objects.filter(grant=grant).order_by("created_at", "pk"))
    entries = dict(
        ClaimEntry.objects.filter(claim__grant=grant)
        .values_list("kind")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    totals = replace(
        totals,
        claimed=sum(c.amount for c in claims),
        repaid=entries.get(ClaimEntry.Kind.REPAID, 0),
        written_off=entries.get(ClaimEntry.Kind.WRITTEN_OFF, 0),
    )
    return GrantLedger(grant=grant, lines=lines, totals=totals, claims=claims)


def ledger_problems(ledger: GrantLedger) -> list[str]:
    """The rules the ledger breaks (empty when it balances)."""
    t = ledger.totals
    problems = []
    if t.instalments > t.granted:
        problems.append("instalments exceed the amount granted")
    if t.paid > t.granted:
        problems.append("paid beyond the amount granted")
    if t.claimed > t.paid:
        problems.append("claimed beyond what was paid")
    if t.repaid + t.written_off > t.claimed:
        problems.append("repaid and written off beyond what was claimed")
    if t.granted != ledger.grant.amount_total:
        problems.append("the grant's total differs from its decisions")
    for line in ledger.lines:
        if line.totals.instalments > line.totals.granted:
            problems.append(f"instalments of {line.year} exceed its amount")
    return problems


def grant_limits(grant: Grant) -> Limits:
    """What may still be paid and claimed (two queries). Call under the grant's row lock."""
    payments = Payment.objects.filter(grant=grant).aggregate(
        live=Coalesce(Sum("amount", filter=~Q(status=_P.CANCELLED)), _ZERO),
        paid=Coalesce(Sum("amount", filter=Q(status=_P.PAID)), _ZERO),
    )
    claimed = RecoveryClaim.objects.filter(grant=grant).aggregate(
        total=Coalesce(Sum("amount"), _ZERO)
    )["total"]
    return Limits(
        payable=grant.amount_total - payments["live"],
        claimable=payments["paid"] - claimed,
        paid=payments["paid"],
        claimed=claimed,
    )


# -- sums over many grants, in SQL ---------------------------------------------------------------


def _grouped(queryset, prefix: str, keys: tuple[str, ...], **sums) -> dict:
    """{value: {sum name: amount}} grouped by the Grant columns `keys`, reached from the
    queryset's model through `prefix` (a value is a tuple for several keys)."""
    names = [f"key_{i}" for i in range(len(keys))]
    rows = (
        queryset.annotate(
            **{name: F(f"{prefix}{key}") for name, key in zip(names, keys, strict=True)}
        )
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


def totals_by(key: str | tuple[str, ...], grants: QuerySet | None = None) -> dict:
    """Totals per value of a Grant column or lookup (`round_id`, `track_id`, `org_type`,
    `seat__lan_id`, `round__year`, ...), or per tuple of values of several (`key` a tuple), over
    `grants` (default: every grant), in five aggregate queries."""
    keys = key if isinstance(key, tuple) else (key,)
    grants = Grant.objects.all() if grants is None else grants
    granted = _grouped(
        final_decisions(application__grant__in=grants),
        "application__grant__",
        keys,
        granted=Sum(F("amount") + F("amount_change")),
    )
    payments = _grouped(
        Payment.objects.filter(grant__in=grants),
        "grant__",
        keys,
        **{s: Sum("amount", filter=Q(status=s)) for s in _P.values},
    )
    has_final = Report.objects.filter(
        grant_id=OuterRef("grant_id"),
        kind=Report.Kind.FINAL,
        review_status=Report.Review.APPROVED,
    )
    used = _grouped(
        Report.objects.filter(grant__in=grants, review_status=Report.Review.APPROVED)
        .annotate(final_done=Exists(has_final))
        .filter(Q(kind=Report.Kind.FINAL) | Q(final_done=False)),
        "grant__",
        keys,
        used=Sum("money_used"),
    )
    claimed = _grouped(
        RecoveryClaim.objects.filter(grant__in=grants),
        "grant__",
        keys,
        claimed=Sum("amount"),
    )
    entries = _grouped(
        ClaimEntry.objects.filter(claim__grant__in=grants),
        "claim__grant__",
        keys,
        repaid=Sum("amount", filter=Q(kind=ClaimEntry.Kind.REPAID)),
        written_off=Sum("amount", filter=Q(kind=ClaimEntry.Kind.WRITTEN_OFF)),
    )
    result = {}
    for value in {*granted, *payments, *used, *claimed, *entries}:
        p = payments.get(value, {})
        result[value] = Totals(
            granted=granted.get(value, {}).get("granted", 0),
            planned=p.get(_P.PLANNED, 0),
            released=p.get(_P.RELEASED, 0),
            paid=p.get(_P.PAID, 0),
            cancelled=p.get(_P.CANCELLED, 0),
            used=used.get(value, {}).get("used", 0),
            claimed=claimed.get(value, {}).get("claimed", 0),
            repaid=entries.get(value, {}).get("repaid", 0),
            written_off=entries.get(value, {}).get("written_off", 0),
        )
    return result


def track_totals(round_=None) -> dict[int, Totals]:
    """Totals per track (of one round, or of all)."""
    grants = Grant.objects.filter(round=round_) if round_ is not None else None
    return totals_by("track_id", grants)


def round_totals(round_ids=None) -> dict[int, Totals]:
    """Totals per round."""
    grants = Grant.objects.filter(round_id__in=round_ids) if round_ids is not None else None
    return totals_by("round_id", grants)


def paid_subquery() -> Subquery:
    """The amount paid on the outer grant, for annotating grant lists."""
    return Coalesce(
        Subquery(
            Payment.objects.filter(grant_id=OuterRef("pk"), status=_P.PAID)
            .values("grant_id")
            .annotate(total=Sum("amount"))
            .values("total")[:1]
        ),
        _ZERO,
    )


LEDGER_CSV_HEADER = [
    "grant_year",
    *[f.name for f in fields(Totals)],
    "open",
]


def ledger_csv_rows(ledger: GrantLedger):
    """The ledger's lines and totals as CSV rows (LEDGER_CSV_HEADER)."""
    for line in ledger.lines:
        yield [line.year, *[getattr(line.totals, f.name) for f in fields(Totals)], ""]
    yield ["total", *[getattr(ledger.totals, f.name) for f in fields(Totals)], ledger.totals.open]
