"""The read side: querysets and figures with their visibility rules, never a query per row."""

import datetime as dt
from dataclasses import dataclass

import psycopg
from django.conf import settings
from django.db import connection
from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    Window,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce, Mod, RowNumber
from django.http import Http404

from grants.models import (
    Application,
    BudgetChange,
    Decision,
    DecisionMeeting,
    Grant,
    Organisation,
    Partner,
    Publication,
    PublicDataVersion,
    Round,
    Track,
)
from grants.text import fold
from grants.workflow import SUBMITTED_STATUSES
from regions.models import Kommun, Lan


def public_rounds():
    """Rounds the public may see: everything except drafts."""
    return Round.objects.exclude(status=Round.Status.DRAFT).order_by("-year")


def featured_round() -> Round | None:
    """The round the home page features: the latest one with grants, else the latest visible."""
    visible = public_rounds()
    return visible.filter(applications__grant__isnull=False).distinct().first() or visible.first()


def home_rounds() -> list[Round]:
    """The rounds the home page leads with: those of settings.HOME_ROUND_YEARS that have grants
    (the 2020 round, which the public comes for) and the featured (newest) round, each once."""
    pinned = list(
        public_rounds()
        .filter(year__in=settings.HOME_ROUND_YEARS, applications__grant__isnull=False)
        .distinct()
    )
    newest = featured_round()
    if newest is not None and newest not in pinned:
        pinned.append(newest)
    prefetch_related_objects(pinned, "tracks")
    return pinned


@dataclass
class TrackFigures:
    track: Track
    applications: int
    recipients: int
    granted: int
    cap: int = 0

    @property
    def share_of_cap(self) -> int:
        return round(100 * self.granted / self.cap) if self.cap else 0


@dataclass
class RoundFigures:
    tracks: list[TrackFigures]
    applications: int
    recipients: int
    granted: int


def rounds_headline_figures(rounds) -> dict[int, RoundFigures]:
    """Applications received, recipients and kronor granted per track of each of `rounds`, by
    round id: two queries however many rounds, and one per round for its tracks unless they
    are prefetched."""
    by_id = {r.pk: r for r in rounds}
    round_ids = list(by_id)
    received = dict(
        Application.objects.filter(round_id__in=round_ids, status__in=SUBMITTED_STATUSES)
        .values_list("track_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    granted = {
        row["application__track_id"]: row
        for row in Grant.objects.filter(application__round_id__in=round_ids)
        .values("application__track_id")
        .annotate(n=Count("id"), total=Sum("amount_total"))
        .order_by()
    }
    # Each round's tracks as the caller fetched them (prefetched: no query).
    per_round = {
        pk: [
            TrackFigures(
                track=track,
                applications=received.get(track.pk, 0),
                recipients=granted.get(track.pk, {}).get("n", 0),
                granted=granted.get(track.pk, {}).get("total") or 0,
            )
            for track in round_.tracks.all()
        ]
        for pk, round_ in by_id.items()
    }
    return {
        pk: RoundFigures(
            tracks=tracks,
            applications=sum(t.applications for t in tracks),
            recipients=sum(t.recipients for t in tracks),
            granted=sum(t.granted for t in tracks),
        )
        for pk, tracks in per_round.items()
    }


def round_headline_figures(*, round_: Round) -> RoundFigures:
    """Applications received, recipients and kronor granted per track, in two queries."""
    return rounds_headline_figures([round_])[round_.pk]


def demo_data_exists() -> bool:
    return (
        Organisation.objects.filter(is_demo=True).exists()
        or Round.objects.filter(Q(is_demo=True)).exists()
    )


def search_grants(queryset, text: str):
    """Grants where every word of the text is in the organisation's name, the project's title or
    the name of a municipality the project works in, ignoring case and Swedish diacritics: one
    stored, folded column (Grant.search_text; a trigram index serves it on PostgreSQL)."""
    for word in fold(text).split():
        queryset = queryset.filter(search_text__contains=word)
    return queryset


# -- grants ----------------------------------------------------------------------------------------


def public_grants():
    """Every grant the public may see: grants in rounds that are not drafts."""
    return Grant.objects.exclude(round__status=Round.Status.DRAFT)


def grants_for_list(queryset):
    """The columns the award list shows, in one query."""
    return queryset.select_related(
        "application__organisation__seat__lan",
        "application__track",
        "application__round",
    )


# The award list's sort orders: the columns of each (the grant's id breaks ties) and whether it
# runs downwards. Every column of a key runs the same way, so "after this row" is one comparison.
LIST_SORTS: dict[str, tuple[tuple[str, ...], bool]] = {
    "organisation": (("org_name",), False),
    "-organisation": (("org_name",), True),
    "amount": (("amount_total",), False),
    "-amount": (("amount_total",), True),
    "county": (("k_county", "org_name"), False),
    "-county": (("k_county", "org_name"), True),
    "date": (("awarded_on",), False),
    "-date": (("awarded_on",), True),
}
LIST_COLUMNS = (
    "pk",
    "public_title",
    "has_supplementary",
    "application__organisation__name",
    "application__organisation__org_number",
    "seat__lan__name",
    "round__year",
    "track__name",
    "track__name_en",
    "awarded_on",
    "amount_total",
)


def with_sort_keys(queryset):
    """The computed columns LIST_SORTS names (the seat's county name, "" when unknown)."""
    return queryset.annotate(k_county=Coalesce(F("seat__lan__name"), Value("")))


def list_ordering(sort: str, *, reverse: bool = False) -> list:
    """ORDER BY for one of LIST_SORTS, upside down when `reverse`."""
    fields, descending = LIST_SORTS.get(sort, LIST_SORTS["organisation"])
    down = descending != reverse
    return [F(name).desc() if down else F(name).asc() for name in (*fields, "pk")]


def _beyond(sort: str, cursor: int, *, greater: bool) -> Q:
    """Rows whose sort key comes after (greater) or before the key of grant `cursor`: a keyset
    condition. The cursor's key is read by subqueries in the same statement; the leading
    `>=`/`<=` on the first column lets PostgreSQL start the index scan at the cursor."""
    fields, _descending = LIST_SORTS.get(sort, LIST_SORTS["organisation"])
    keys = (*fields, "pk")
    at = with_sort_keys(public_grants()).filter(pk=cursor).order_by()

    def value(name):
        return cursor if name == "pk" else Subquery(at.values(name)[:1])

    strict = "gt" if greater else "lt"
    loose = "gte" if greater else "lte"
    condition = Q(**{f"pk__{strict}": cursor})
    for name in reversed(keys[:-1]):
        condition = Q(**{f"{name}__{strict}": value(name)}) | (Q(**{name: value(name)}) & condition)
    return Q(**{f"{keys[0]}__{loose}": value(keys[0])}) & condition


def _list_queryset(queryset, *, sort, limit, offset=0, after=None, before=None):
    _fields, descending = LIST_SORTS.get(sort, LIST_SORTS["organisation"])
    queryset = with_sort_keys(queryset.order_by())
    if after is not None:
        queryset = queryset.filter(_beyond(sort, after, greater=not descending))
    elif before is not None:
        queryset = queryset.filter(_beyond(sort, before, greater=descending))
    else:
        offset = offset or 0
    backwards = before is not None and after is None
    ordered = queryset.order_by(*list_ordering(sort, reverse=backwards)).values(*LIST_COLUMNS)
    start = offset if after is None and before is None else 0
    return ordered[start : start + limit]


def list_rows(
    queryset,
    *,
    sort: str,
    limit: int,
    offset: int = 0,
    after: int | None = None,
    before: int | None = None,
) -> list[dict]:
    """One page of the award list as plain rows (LIST_COLUMNS), in one query. With `after` or
    `before` (the id of the last or first row of the neighbouring page) the page starts at that
    row's sort key, so a deep page costs what the first costs; otherwise it starts at `offset`."""
    rows = list(
        _list_queryset(queryset, sort=sort, limit=limit, offset=offset, after=after, before=before)
    )
    return rows[::-1] if before is not None and after is None else rows


def page_ends(queryset, *, sort: str, page_size: int) -> list[int]:
    """The id of the last row of each full page of `queryset` in `sort` order: entry n - 2 is
    the row that page n starts after, so a page number typed into the address is fetched like a
    page reached by the pager (keyset: `list_rows(after=…)`) instead of counting past the
    pages before it (OFFSET). One pass over the result's sort keys, done once per filter state
    and data version and kept with the state's other parts; 2 000 ids at 100 000 grants."""
    ordered = (
        with_sort_keys(queryset.order_by())
        .annotate(n=Window(RowNumber(), order_by=list_ordering(sort)))
        .annotate(m=Mod(F("n"), page_size))
        .filter(m=0)
        .order_by("n")
    )
    return list(ordered.values_list("pk", flat=True))


# A cursor value no grant has: compiled into a page query in place of the real cursor.
_CURSOR_PLACEHOLDER = -7_777_777_771


def compile_list_query(queryset, *, sort: str, limit: int, mode: str) -> tuple[str, tuple]:
    """The SQL of `list_rows` for one filter state, compiled once and kept with the state's
    other parts: mode "first" (the first page), "after" or "before" (a keyset page, the cursor
    left as a placeholder that `run_list_query` fills in).

    On PostgreSQL the filter values are written into the SQL as literals (quoted by psycopg) and
    only the cursor stays a parameter: the statement is prepared once per connection and filter
    state (`run_list_query`), and its one plan is made knowing the filter values, so that it
    can be reused as is ("generic plan") instead of planned again for each request."""
    cursor = {"after": {"after": _CURSOR_PLACEHOLDER}, "before": {"before": _CURSOR_PLACEHOLDER}}
    values = _list_queryset(queryset, sort=sort, limit=limit, **cursor.get(mode, {}))
    sql, params = values.query.sql_with_params()
    if connection.vendor == "postgresql":
        inlined = _with_literals(sql, params)
        if inlined is not None:
            return inlined
    return sql, tuple(params)


def _is_cursor(param) -> bool:
    return type(param) is int and param == _CURSOR_PLACEHOLDER


def _with_literals(sql: str, params) -> tuple[str, tuple] | None:
    """`sql` with every parameter but the cursor written in as a literal, or None when the
    placeholder's digits also occur elsewhere in the text (say, typed into the search box)."""
    connection.ensure_connection()
    literal = psycopg.ClientCursor(connection.connection).mogrify(sql, params)
    marker = str(_CURSOR_PLACEHOLDER)
    cursors = sum(1 for param in params if _is_cursor(param))
    if literal.count(marker) != cursors:
        return None
    return literal.replace("%", "%%").replace(marker, "%s"), (_CURSOR_PLACEHOLDER,) * cursors


def _prepared_statements_on(raw) -> None:
    """Let this psycopg connection prepare the statements that ask for it. Django turns prepared
    statements off (for transaction-pooling proxies; this project connects to PostgreSQL
    directly); a threshold no query reaches keeps Django's own queries unprepared, and only the
    list's statements (`prepare=True`) are prepared. Their plans are made once: the filter
    values are literals, and the cursor only picks the row a subquery reads."""
    if raw.prepare_threshold is None:
        raw.prepare_threshold = 2**31 - 1
        with raw.cursor() as db:
            db.execute("SET plan_cache_mode = force_generic_plan")


def run_list_query(compiled: tuple[str, tuple], *, mode: str, cursor: int | None = None):
    """Rows of a page query compiled by `compile_list_query`: what `list_rows` returns."""
    sql, params = compiled
    params = [cursor if _is_cursor(p) else p for p in params]
    with connection.cursor() as db:
        if connection.vendor == "postgresql":
            # A prepared statement per connection and filter state: planning the six joins cost
            # several times more than running the query (8-40 ms against 1 ms under load).
            _prepared_statements_on(db.connection)
            with psycopg.Cursor(db.connection) as prepared:
                prepared.execute(sql, params, prepare=True)
                fetched = prepared.fetchall()
            if connection.queries_logged:  # counted like any other query (tests, debug)
                connection.queries_log.append({"sql": sql, "time": "0.000"})
        else:
            db.execute(sql, params)
            fetched = db.fetchall()
        rows = [dict(zip(LIST_COLUMNS, row, strict=True)) for row in fetched]
    for row in rows:  # SQLite answers dates as text
        if isinstance(row["awarded_on"], str):
            row["awarded_on"] = dt.date.fromisoformat(row["awarded_on"])
    return rows[::-1] if mode == "before" else rows


def works_in_lan(lan_code: str) -> Q:
    # A kommunkod starts with its county's code (SCB; checked in tests/regions), and each code in
    # Grant.area_codes follows a space.
    return Q(area_codes__contains=f" {lan_code}")


def works_in_kommun(kommun_code: str) -> Q:
    return Q(area_codes__contains=f" {kommun_code} ")


def had_meeting(meeting_id: int):
    return Exists(
        Decision.objects.filter(
            application_id=OuterRef("application_id"),
            meeting_id=meeting_id,
            outcome=Decision.Outcome.APPROVED,
        )
    )


@dataclass
class Summary:
    count: int
    total: int
    largest: int
    smallest: int


def facet_columns() -> dict[str, F]:
    """The columns of a grant that its filter values are counted by, as the count scan
    (grant_aggregates) and the precomputed counts (grants.selectors.facets) both read them."""
    return {
        "f_id": F("pk"),
        "f_app": F("application_id"),
        "f_track": F("track_id"),
        "f_year": F("round__year"),
        "f_type": F("org_type"),
        "f_supp": F("has_supplementary"),
        "f_amount": F("amount_total"),
    }


def grant_aggregates(queryset) -> tuple[Summary, dict[str, dict]]:
    """The summary line and how many grants of the result fall under each filter value, in one
    query: the filtered grants are computed once (a common table expression) and grouped four
    ways. Distinct pairs are grouped by hashing rather than COUNT(DISTINCT), which sorts.

    On PostgreSQL the municipalities come from each grant's own copy of their codes
    (`Grant.area_codes`, which the county and municipality filters read too) rather than from a
    probe of the join table per grant, and each grant's approved decisions are looked up by
    its application (a lateral subquery that the planner may not merge): as a join, the
    decisions of a county's 13 000 grants at 500 000 grants were found by reading all 525 000
    decisions in order (90 ms of the scan's 210)."""
    filtered = queryset.order_by().values(**facet_columns(), f_codes=F("area_codes"))
    filtered_sql, params = filtered.query.sql_with_params()
    quote = connection.ops.quote_name
    areas = quote(Grant.beneficiary_kommuner.through._meta.db_table)
    decisions = quote(Decision._meta.db_table)
    postgresql = connection.vendor == "postgresql"
    if postgresql:
        # One row per grant and municipality code ("" has none; the copy starts and ends with
        # a space).
        area_rows = (
            "(SELECT code AS kommun_id, f.f_id AS grant_id, f.f_amount AS amount FROM f,"
            " unnest(string_to_array(btrim(f.f_codes), ' ')) AS code WHERE f.f_codes <> '')"
        )
        # OFFSET 0 keeps the subquery apart, so it is run per grant through the index.
        approved = (
            "(SELECT DISTINCT d.meeting_id, f.f_app FROM f CROSS JOIN LATERAL"  # noqa: S608
            f" (SELECT d.meeting_id FROM {decisions} d WHERE d.application_id = f.f_app"
            " AND d.outcome = %s OFFSET 0) d)"
        )
    else:
        area_rows = (
            f"(SELECT a.kommun_id, a.grant_id, f.f_amount AS amount FROM {areas} a"  # noqa: S608
            " INNER JOIN f ON a.grant_id = f.f_id)"
        )
        approved = (
            f"(SELECT DISTINCT d.meeting_id, d.application_id FROM {decisions} d"  # noqa: S608
            " INNER JOIN f ON d.application_id = f.f_app WHERE d.outcome = %s)"
        )
    sql = (
        f"WITH f AS ({filtered_sql}), "  # noqa: S608 - our own SQL and table names only
        # Each grant and municipality once, for both groupings below.
        f"a AS {area_rows} "
        "SELECT 0, f_track, f_year, f_type, f_supp, COUNT(*), SUM(f_amount), MAX(f_amount),"
        " MIN(f_amount) FROM f GROUP BY f_track, f_year, f_type, f_supp"
        " UNION ALL"
        " SELECT 1, NULL, NULL, a.kommun_id, NULL, COUNT(*), NULL, NULL, NULL"
        " FROM a GROUP BY a.kommun_id"
        " UNION ALL"
        " SELECT 2, NULL, NULL, s.lan, NULL, COUNT(*), SUM(s.amount), NULL, NULL FROM"
        # A kommunkod starts with its county's code (SCB; checked in tests/regions).
        " (SELECT DISTINCT SUBSTR(a.kommun_id, 1, 2) AS lan, a.grant_id, a.amount"
        " FROM a) s GROUP BY s.lan"
        " UNION ALL"
        " SELECT 3, s.meeting_id, NULL, NULL, NULL, COUNT(*), NULL, NULL, NULL"
        f" FROM {approved} s GROUP BY s.meeting_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, Decision.Outcome.APPROVED])
        rows = cursor.fetchall()
    return fold_aggregate_rows(rows)


def fold_aggregate_rows(rows) -> tuple[Summary, dict[str, dict]]:
    """The summary and facets from rows of (kind, number, year, text, supplementary, n, amount,
    largest, smallest): kind 0 per track, year, type and supplementary; 1 per municipality;
    2 per county; 3 per meeting (what `grant_aggregates` and grants/selectors/facets.py read)."""
    facets: dict[str, dict] = {
        name: {}
        for name in ("year", "track", "type", "supplementary", "county", "municipality", "meeting")
    }
    # Kronor granted per year, type and county (a grant working in two counties in each).
    amounts: dict[str, dict] = {"year": {}, "type": {}, "county": {}}
    facets["amounts"] = amounts

    def add(name, key, n, amount=0):
        facets[name][key] = facets[name].get(key, 0) + n
        if name in amounts:
            amounts[name][key] = amounts[name].get(key, 0) + int(amount or 0)

    count = total = 0
    largest = smallest = None
    for kind, number, year, text, supp, n, amount, high, low in rows:
        if kind == 0:
            add("track", number, n)
            add("year", year, n, amount)
            add("type", text, n, amount)
            add("supplementary", bool(supp), n)
            count += n
            total += int(amount or 0)
            largest = high if largest is None else max(largest, high)
            smallest = low if smallest is None else min(smallest, low)
        elif kind == 1:
            add("municipality", text, n)
        elif kind == 2:
            add("county", text, n, amount)
        else:
            add("meeting", number, n)
    summary = Summary(count=count, total=total, largest=largest or 0, smallest=smallest or 0)
    return summary, facets


def grant_detail(*, pk: int) -> Grant:
    """One public grant with everything its page shows, in a fixed number of queries."""
    grant = (
        grants_for_list(public_grants())
        .prefetch_related("beneficiary_kommuner__lan")
        .filter(pk=pk)
        .first()
    )
    if grant is None:
        raise Http404
    application = grant.application
    grant.decisions = list(
        Decision.objects.filter(application=application, outcome=Decision.Outcome.APPROVED)
        .select_related("meeting")
        .order_by("meeting__date", "id")
    )
    grant.partners = list(Partner.objects.filter(application=application).order_by("id"))
    return grant


def organisation_by_number(org_number: str) -> Organisation:
    organisation = (
        Organisation.objects.select_related("seat__lan")
        .filter(org_number=org_number, applications__grant__in=public_grants())
        .first()
    )
    if organisation is None:
        raise Http404
    return organisation


def lan_by_code(code: str) -> Lan:
    lan = Lan.objects.filter(code=code).annotate(population=Sum("kommuner__population")).first()
    if lan is None:
        raise Http404
    return lan


def kommun_by_code(code: str) -> Kommun:
    kommun = Kommun.objects.select_related("lan").filter(code=code).first()
    if kommun is None:
        raise Http404
    return kommun


def kronor_per_inhabitant(total: int, population: int | None) -> float | None:
    if not population:
        return None
    return total / population


@dataclass
class CountyFigure:
    lan: Lan
    population: int
    grants: int
    total: int

    @property
    def per_inhabitant(self) -> float:
        return self.total / self.population if self.population else 0.0


def county_figures(queryset=None) -> list[CountyFigure]:
    """Kronor granted to projects working in each county, per inhabitant. A grant working in
    several counties counts in each of them, its amount split evenly between its municipalities."""
    grants = (queryset if queryset is not None else public_grants()).order_by()
    through = Grant.beneficiary_kommuner.through.objects.filter(grant_id__in=grants.values("pk"))
    per_grant_areas = dict(
        Grant.beneficiary_kommuner.through.objects.filter(grant_id__in=grants.values("pk"))
        .values_list("grant_id")
        .annotate(n=Count("kommun_id"))
    )
    totals: dict[str, float] = {}
    counted: dict[str, set] = {}
    for grant_id, lan_code, amount in through.values_list(
        "grant_id", "kommun__lan_id", "grant__amount_total"
    ):
        totals[lan_code] = totals.get(lan_code, 0) + amount / per_grant_areas[grant_id]
        counted.setdefault(lan_code, set()).add(grant_id)
    lans = Lan.objects.annotate(population=Sum("kommuner__population")).order_by("code")
    return [
        CountyFigure(
            lan=lan,
            population=lan.population or 0,
            grants=len(counted.get(lan.code, ())),
            total=round(totals.get(lan.code, 0)),
        )
        for lan in lans
    ]


def round_for_year(year: int) -> Round:
    round_ = (
        public_rounds()
        .filter(year=year)
        .prefetch_related("tracks__budget_changes", "meetings")
        .order_by("slug")
        .first()
    )
    if round_ is None:
        raise Http404
    return round_


def round_meetings(round_: Round):
    return DecisionMeeting.objects.filter(round=round_).order_by("date", "id")


def round_publications(round_: Round):
    return (
        Publication.objects.filter(round=round_, status=Publication.Status.DONE)
        .select_related("track")
        .order_by("-published_at")
    )


def budget_history(track: Track) -> list[BudgetChange]:
    return sorted(track.budget_changes.all(), key=lambda c: (c.effective_on, c.pk))


def type_figures(queryset) -> list[dict]:
    return list(
        queryset.order_by()
        .values("org_type")
        .annotate(n=Count("id"), total=Sum("amount_total"))
        .order_by("-total")
    )


def public_data_fingerprint() -> int | None:
    """What changes when the public pages must change: the version the database's triggers set
    in every transaction that writes public data (migration 0005). One primary-key lookup."""
    table = connection.ops.quote_name(PublicDataVersion._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT version FROM {table} WHERE id = 1")  # noqa: S608 - table name only
        row = cursor.fetchone()
    return row[0] if row else None


def organisation_grants(organisation: Organisation) -> list[Grant]:
    """An organisation's public grants, newest round first."""
    return list(
        grants_for_list(public_grants())
        .filter(application__organisation=organisation)
        .order_by("-application__round__year", "awarded_on", "pk")
    )


def grants_in_lan(lan: Lan):
    return public_grants().filter(works_in_lan(lan.code))


def grants_in_kommun(kommun: Kommun):
    return public_grants().filter(works_in_kommun(kommun.code))


def round_grants(round_: Round):
    return public_grants().filter(application__round=round_)


def area_grants(queryset) -> list[Grant]:
    """A county's or municipality's grants as its page lists them, by organisation."""
    return list(grants_for_list(queryset).order_by("application__organisation__name", "pk"))
