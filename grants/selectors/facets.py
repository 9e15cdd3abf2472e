"""The award list's counts per filter state, precomputed (issue 14, item 5).

`grant_aggregates` (grants/selectors/public.py) scans the filtered grants: at 500 000 grants the
first visitor of an unfiltered or county-wide state waited 1.6 s. Here the same figures come
from GrantFacet, rows that are summed instead: for every filter value of the kinds below, per
cell of (year, track, type of organisation, supplementary grant), how many grants and kronor
fall under each facet value (the whole result; each municipality and county the projects work
in; each meeting that approved them), with the largest and smallest amount.

Precomputed filter states: any combination of year, track, type of organisation and
supplementary grant, with at most one of
  - county where the project works (`county`),
  - municipality where the project works (`municipality`; with a county too when the
    municipality lies in that county, which is then implied),
  - municipality of the organisation's seat (`seat`),
  - decision meeting (`meeting`),
and any sort order. Every other state (a text search, an amount or date range, two of the four
above) is answered by the scan, which the indexes bound: the trigram indexes serve the text,
county and municipality filters, and the amount and date indexes the ranges.

The rows are rebuilt whole by the open data job (grants/tasks/opendata.py) when the facts have
changed: database triggers change GrantFacetState.facts_version in every statement that writes
grants, their municipalities, decisions or rounds (grants/dbtriggers.py), and the rows are read
only in the same statement that checks that they were built from the current facts version. So
the counts are never stale: until the job has rebuilt them after a change, the scan answers.
"""

import logging
import secrets

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from grants.models import Decision, Grant, GrantFacet, GrantFacetState
from grants.selectors import public as selectors

log = logging.getLogger(__name__)

# Filter kinds (GrantFacet.fkind) and facet kinds (GrantFacet.kind).
NO_FILTER, WORKS_IN_MUNICIPALITY, WORKS_IN_COUNTY, SEAT, MEETING = range(5)
RANGE_AND_TEXT = ("q", "min", "max", "decided_from", "decided_to")


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def filter_value(cleaned: dict) -> tuple[int, str] | None:
    """The one precomputed filter value of a filter state (kind, value), (NO_FILTER, "") for
    none, or None when the state is not precomputed (see the module's docstring)."""
    if any(cleaned.get(name) not in (None, "") for name in RANGE_AND_TEXT if name != "q"):
        return None
    if (cleaned.get("q") or "").strip():
        return None
    county = cleaned.get("county") or ""
    municipality = cleaned.get("municipality") or ""
    if county and municipality and municipality.startswith(county):
        county = ""  # working in the municipality is working in its county
    chosen = [
        (kind, str(value))
        for kind, value in (
            (WORKS_IN_COUNTY, county),
            (WORKS_IN_MUNICIPALITY, municipality),
            (SEAT, cleaned.get("seat") or ""),
            (MEETING, cleaned.get("meeting") or ""),
        )
        if value
    ]
    if len(chosen) > 1:
        return None
    return chosen[0] if chosen else (NO_FILTER, "")


def _cell_conditions(cleaned: dict) -> tuple[list[str], list]:
    conditions, params = [], []
    if cleaned.get("year"):
        conditions.append("year = %s")
        params.append(int(cleaned["year"]))
    if cleaned.get("track"):
        conditions.append("track_id = %s")
        params.append(int(cleaned["track"]))
    if cleaned.get("type"):
        conditions.append("org_type = %s")
        params.append(cleaned["type"])
    if cleaned.get("supplementary"):
        conditions.append("supplementary = %s")
        params.append(cleaned["supplementary"] == "yes")
    return conditions, params


def precomputed_aggregates(cleaned: dict):
    """The figures `grant_aggregates` gives for this filter state, from the precomputed rows, or
    None when the state is not precomputed or the rows are not current. One query."""
    chosen = filter_value(cleaned)
    if chosen is None:
        return None
    conditions, params = _cell_conditions(cleaned)
    where = " AND ".join(["fkind = %s", "fvalue = %s", *conditions])
    facet = _q(GrantFacet._meta.db_table)
    state = _q(GrantFacetState._meta.db_table)
    # One statement, so that the rows and the check that they are current see one snapshot.
    sql = (
        "SELECT kind,"  # noqa: S608 - our own table names and conditions; values are parameters
        " CASE WHEN kind = 0 THEN track_id ELSE key_number END,"
        " CASE WHEN kind = 0 THEN year END,"
        " CASE WHEN kind = 0 THEN org_type ELSE key_text END,"
        " CASE WHEN kind = 0 THEN supplementary END,"
        " CAST(SUM(n) AS BIGINT), CAST(SUM(amount) AS BIGINT), MAX(largest), MIN(smallest)"
        f" FROM {facet} WHERE {where}"
        " GROUP BY kind, CASE WHEN kind = 0 THEN track_id ELSE key_number END,"
        " CASE WHEN kind = 0 THEN year END,"
        " CASE WHEN kind = 0 THEN org_type ELSE key_text END,"
        " CASE WHEN kind = 0 THEN supplementary END"
        " UNION ALL"
        " SELECT -1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL"
        f" FROM {state} WHERE id = 1 AND built_version = facts_version"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*chosen, *params])
        rows = cursor.fetchall()
    if not any(row[0] == -1 for row in rows):
        return None  # not built, or built before the facts last changed
    return selectors.fold_aggregate_rows([row for row in rows if row[0] != -1])


def aggregates(filterset, queryset):
    """The summary and counts of the award list's filter state: precomputed where they can be
    (see the module's docstring), else `grant_aggregates`'s scan of the filtered grants."""
    if not filterset.is_bound:
        cleaned = {}
    elif filterset.form.is_valid():
        cleaned = filterset.form.cleaned_data
    else:
        cleaned = None
    if cleaned is not None:
        found = precomputed_aggregates(cleaned)
        if found is not None:
            return found
    return selectors.grant_aggregates(queryset)


def is_current() -> bool:
    return GrantFacetState.objects.filter(
        pk=1, built_version=F("facts_version"), built_version__isnull=False
    ).exists()


def _build_sql() -> tuple[str, list]:
    filtered = (
        selectors.public_grants()
        .order_by()
        .values(**selectors.facet_columns(), f_seat=F("seat_id"))
    )
    filtered_sql, params = filtered.query.sql_with_params()
    areas = _q(Grant.beneficiary_kommuner.through._meta.db_table)
    decisions = _q(Decision._meta.db_table)
    facet = _q(GrantFacet._meta.db_table)
    approved = Decision.Outcome.APPROVED
    cell = "f.f_year, f.f_track, f.f_type, f.f_supp"
    # A kommunkod starts with its county's code (SCB; checked in tests/regions).
    sql = (
        f"INSERT INTO {facet} (fkind, fvalue, year, track_id, org_type, supplementary, kind,"  # noqa: S608
        " key_number, key_text, n, amount, largest, smallest)"
        f" WITH f AS ({filtered_sql}),"
        f" m AS (SELECT DISTINCT d.application_id AS app, d.meeting_id AS meeting FROM {decisions}"
        " d WHERE d.outcome = %s),"
        f" l AS (SELECT DISTINCT a.grant_id AS g, SUBSTR(a.kommun_id, 1, 2) AS lan FROM {areas} a),"
        " t AS ("
        " SELECT f.f_id AS g, 0 AS fk, '' AS fv FROM f"
        f" UNION ALL SELECT a.grant_id, 1, a.kommun_id FROM {areas} a"
        " INNER JOIN f ON a.grant_id = f.f_id"
        " UNION ALL SELECT l.g, 2, l.lan FROM l INNER JOIN f ON l.g = f.f_id"
        " UNION ALL SELECT f.f_id, 3, f.f_seat FROM f WHERE f.f_seat IS NOT NULL"
        " UNION ALL SELECT f.f_id, 4, CAST(m.meeting AS TEXT) FROM m"
        " INNER JOIN f ON m.app = f.f_app)"
        f" SELECT t.fk, t.fv, {cell}, 0, CAST(NULL AS BIGINT), '', COUNT(*), SUM(f.f_amount),"
        " MAX(f.f_amount), MIN(f.f_amount)"
        f" FROM t INNER JOIN f ON t.g = f.f_id GROUP BY t.fk, t.fv, {cell}"
        f" UNION ALL SELECT t.fk, t.fv, {cell}, 1, NULL, a.kommun_id, COUNT(*), NULL, NULL, NULL"
        f" FROM t INNER JOIN f ON t.g = f.f_id INNER JOIN {areas} a ON a.grant_id = t.g"
        f" GROUP BY t.fk, t.fv, {cell}, a.kommun_id"
        f" UNION ALL SELECT t.fk, t.fv, {cell}, 2, NULL, l.lan, COUNT(*), SUM(f.f_amount),"
        " NULL, NULL"
        " FROM t INNER JOIN f ON t.g = f.f_id INNER JOIN l ON l.g = t.g"
        f" GROUP BY t.fk, t.fv, {cell}, l.lan"
        f" UNION ALL SELECT t.fk, t.fv, {cell}, 3, m.meeting, '', COUNT(*), NULL, NULL, NULL"
        " FROM t INNER JOIN f ON t.g = f.f_id INNER JOIN m ON m.app = f.f_app"
        f" GROUP BY t.fk, t.fv, {cell}, m.meeting"
    )
    return sql, [*params, approved]


def refresh(*, force: bool = False) -> bool:
    """Rebuild the precomputed counts unless they are current. True when rebuilt."""
    state, created = GrantFacetState.objects.get_or_create(
        pk=1, defaults={"facts_version": secrets.randbits(52)}
    )
    if not created and not force and state.built_version == state.facts_version:
        return False
    with transaction.atomic():
        # Read first: a write committed after this read changes facts_version again, so the
        # rows built below are then taken for stale, never for current.
        version = GrantFacetState.objects.values_list("facts_version", flat=True).get(pk=1)
        GrantFacet.objects.all().delete()
        sql, params = _build_sql()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            written = cursor.rowcount
        GrantFacetState.objects.filter(pk=1).update(built_version=version, built_at=timezone.now())
    log.info("Award list counts rebuilt: %s rows for facts version %s", written, version)
    return True
