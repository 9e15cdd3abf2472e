"""Open data: the award list as CSV and JSON (any filtered list), and all published grants as a
360Giving data package. Identifiers follow 360Giving: grant ids under our `360G-` prefix,
organisations as `SE-ON-<organisationsnummer>` (org-id.guide), currency SEK.

Every export reads plain rows (`QuerySet.values()` through `iterator(chunk_size=…)`, a
server-side cursor on PostgreSQL), never model objects: one query for the grants, each row
carrying its municipalities' codes (the grant's own copy, `Grant.area_codes`, which the list's
filters read too; no subquery per row), whatever the number of grants. Memory stays flat
however large the export. A filtered CSV is written line by line from pieces rendered once
(the municipalities, the track, the dates, the published lists), not through a list of cells. The whole package and the whole CSV are written to files by a Celery
job (grants/tasks/opendata.py) and served as files; filtered lists stream from the database.

The CSV carries exactly what the JSON carries, under 360Giving's column titles, so the
360Giving tool `flattentool` turns one into the other (tests/grants/public/test_opendata.py).
Lists of varying length (the municipalities a project works in, the published lists that name
it) get numbered columns, as many as the export needs: `Beneficiary Location:0:Name`,
`Beneficiary Location:1:Name`, …"""

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterator
from itertools import chain, islice

from django.conf import settings
from django.db import connection
from django.db.models import CharField, Exists, F, Func, Max, Min, OuterRef, Value
from django.db.models.functions import Length, Replace
from django.urls import reverse
from django.utils.translation import override

from grants import exports
from grants.models import Decision, OpenDataRelease, OrganisationType, Publication
from grants.selectors import public as selectors
from grants.selectors.publications import ALL_TRACKS, swedish_key
from grants.workflow import MEETING_CLOSED_STATUSES
from regions.models import Kommun

PREFIX = "360G-delmos-"
FUNDER = {"id": "SE-ON-2021006958", "name": "Delegationen mot segregation"}
LICENSE = "https://creativecommons.org/publicdomain/zero/1.0/"
SCHEMA_VERSION = "1.4"
TRACK_VOCABULARY = f"{PREFIX}track"
CHUNK = 2000  # grants per database round trip (and per piece of a streamed response)
# A filtered CSV reads up to this many grants before its header: when the result ends among
# them, the widest grant (the number of municipality columns) is found in them; a longer result
# asks the database first (one aggregate).
AHEAD_ROWS = 2 * CHUNK

# The columns read per grant: the grant's own row, its listing copies (round, track,
# organisation name and type, seat) and the application and organisation for the rest.
FIELDS = (
    "pk",
    "public_title",
    "public_summary",
    "amount_total",
    "awarded_on",
    "org_name",
    "org_type",
    "seat_id",
    "round_id",
    "round__slug",
    "round__title",
    "round__grant_period_start",
    "round__grant_period_end",
    "track_id",
    "track__code",
    "track__name",
    "track__ordinance",
    "application__requested_amount",
    "application__start_date",
    "application__end_date",
    "application__organisation__org_number",
    "application__organisation__town",
)

# 360Giving's column titles for the flat (CSV) form of the standard, in three parts: before the
# municipalities the project works in, between them and the published lists, and the lists.
HEAD_COLUMNS = [
    "Identifier",
    "Title",
    "Description",
    "Currency",
    "Amount Awarded",
    "Amount Applied For",
    "Award Date",
    "Planned Dates:Start Date",
    "Planned Dates:End Date",
    "Planned Dates:Duration (months)",
    "Recipient Org:Identifier",
    "Recipient Org:Name",
    "Recipient Org:Organisation Type",
    "Recipient Org:City",
    "Recipient Org:County",
    "Recipient Org:Country",
    "Recipient Org:Location:0:Identifier",
    "Recipient Org:Location:0:Name",
    "Recipient Org:Location:0:Country Code",
    "Recipient Org:Location:0:Geographic Code",
    "Recipient Org:Location:0:Geographic Code Type",
]
AREA_TITLES = ("Identifier", "Name", "Country Code", "Geographic Code", "Geographic Code Type")
MIDDLE_COLUMNS = [
    "Funding Org:Identifier",
    "Funding Org:Name",
    "Grant Programme:Code",
    "Grant Programme:Title",
    "Classifications:0:Vocabulary",
    "Classifications:0:Code",
    "Classifications:0:Title",
    "Classifications:0:Description",
    "From An Open Call?",
    "URL",
    "Last Modified",
    "Data Source",
]
DOCUMENT_TITLES = ("Identifier", "Title", "Web Address", "Document Type", "Last Modified")


def csv_columns(areas: int = 1, documents: int = 1) -> list[str]:
    """The CSV header for an export whose grants work in up to `areas` municipalities and are
    named by up to `documents` published lists (PDF files)."""
    return [
        *HEAD_COLUMNS,
        *(f"Beneficiary Location:{i}:{title}" for i in range(areas) for title in AREA_TITLES),
        *MIDDLE_COLUMNS,
        *(f"Related Document:{i}:{title}" for i in range(documents) for title in DOCUMENT_TITLES),
    ]


# For the open data page: the columns with one municipality and one list.
CSV_COLUMNS = csv_columns()


def org_identifier(org_number: str) -> str:
    return f"SE-ON-{org_number.replace('-', '')}"


def grant_identifier(grant) -> str:
    return f"{PREFIX}{grant.pk}"


def _site(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def _stamp(moment: dt.datetime | str | None) -> str:
    """A moment in ISO 8601 to the second; text (formatted by the database) passes as it is."""
    if isinstance(moment, str):
        return moment
    return moment.replace(microsecond=0).isoformat() if moment else ""


def _months(start: dt.date, end: dt.date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month + 1


def package_url() -> str:
    with override("sv"):
        return _site(reverse("public:opendata_360giving"))


class _Documents:
    """The published award lists (PDF, Swedish and English) that name a grant: the newest
    rendered version of its track's list and of its round's combined list, each only if that
    version's decisions reach the grant's award date. Read once per export (one query)."""

    def __init__(self):
        scopes: dict[tuple[int, int | None], list[Publication]] = defaultdict(list)
        publications = (
            Publication.objects.filter(status=Publication.Status.DONE)
            .select_related("round", "track")
            .order_by("-version")
        )
        for publication in publications:
            scopes[(publication.round_id, publication.track_id)].append(publication)
        self.scopes = dict(scopes)
        self.memo: dict[tuple, list[dict]] = {}

    @property
    def most(self) -> int:
        """The largest number of documents one grant can have (columns for the CSV): its
        track's list and its round's combined list, in both languages."""
        most = 0
        for (round_id, track_id), versions in list(self.scopes.items()):
            combined = self.scopes.get((round_id, None), [])[:1]
            own = versions[:1] if track_id is not None else []
            most = max(most, self._count(own) + self._count(combined))
        return most

    @staticmethod
    def _count(versions) -> int:
        return sum(bool(p.pdf) + bool(p.pdf_en) for p in versions)

    def of(self, round_id: int, track_id: int, awarded_on: dt.date) -> list[dict]:
        key = (round_id, track_id, awarded_on)
        if key not in self.memo:
            documents = []
            for scope in ((round_id, track_id), (round_id, None)):
                publication = next(
                    (p for p in self.scopes.get(scope, ()) if p.as_of >= awarded_on), None
                )
                if publication is not None:
                    documents += self._documents(publication)
            self.memo[key] = documents
        return self.memo[key]

    @staticmethod
    def _documents(publication: Publication) -> list[dict]:
        round_ = publication.round
        scope = publication.track.code if publication.track_id else ALL_TRACKS
        list_name = publication.track.name if publication.track_id else "alla spår"
        out = []
        for language, field, language_name in (
            ("sv", publication.pdf, "svenska"),
            ("en", publication.pdf_en, "engelska"),
        ):
            if not field:
                continue
            with override("sv"):
                path = reverse(
                    "publications:pdf",
                    kwargs={
                        "year": round_.year,
                        "scope": scope,
                        "version": publication.version,
                        "language": language,
                    },
                )
            out.append(
                {
                    "id": f"{PREFIX}lista-{publication.pk}-{language}",
                    "title": (
                        f"Beviljade bidrag {round_.year}, {list_name}, version "
                        f"{publication.version} (pdf på {language_name})"
                    ),
                    "url": _site(path),
                    "documentType": "Lista över beviljade bidrag (pdf)",
                    "dateModified": _stamp(publication.finished_at or publication.published_at),
                }
            )
        return out


class _Context:
    """What every record of one export shares, read once: municipality names, labels, the grant
    page's address pattern and the published lists."""

    def __init__(self):
        self.kommun_names = dict(Kommun.objects.values_list("code", "name"))
        with override("sv"):
            self.type_labels = {
                value: str(label).capitalize() for value, label in OrganisationType.choices
            }
            marker = 987654321
            self.grant_path = reverse("public:grant", args=[marker]).split(str(marker))
        self.site = settings.SITE_URL.rstrip("/")
        self.data_source = package_url()
        self.documents = _Documents()

    def grant_url(self, pk: int) -> str:
        return f"{self.site}{self.grant_path[0]}{pk}{self.grant_path[1]}"

    def area_order(self, codes: list[str]) -> list[str]:
        return sorted(codes, key=lambda code: swedish_key(self.kommun_names.get(code, code)))


_shared_contexts: dict[int, _Context] = {}


def shared_context(version: int | None) -> _Context:
    """The export context of the public data version `version` (the data fingerprint, which
    changes with any grant, municipality or published list), built once per worker and version
    instead of on every filtered export; a new version's context replaces the old."""
    if version is None:
        return _Context()
    ctx = _shared_contexts.get(version)
    if ctx is None:
        _shared_contexts.clear()
        ctx = _shared_contexts[version] = _Context()
    return ctx


class _UtcStamp(Func):
    """A timestamp as ISO 8601 text in UTC to the second ("2026-12-04T19:53:34+00:00")."""

    template = "to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"+00:00\"')"
    output_field = CharField()


def _area_count():
    """How many municipality codes a grant's `area_codes` holds (" 2180 2181 " has 2): the
    number of spaces less one, computed in the row (no subquery)."""
    return Length("area_codes") - Length(Replace("area_codes", Value(" "), Value("")))


def _chunks(queryset, chunk_size: int = CHUNK) -> Iterator[list[dict]]:
    """The grants of `queryset` as plain rows, a chunk at a time: one query, read through a
    server-side cursor on PostgreSQL. Each row's `area_codes` holds its municipalities' codes
    (the copy the list's filters read, kept by Grant.fill_listing); the seat's name is not
    joined (the context has every municipality's name)."""
    postgresql = connection.vendor == "postgresql"
    if postgresql:
        with connection.cursor() as cursor:
            # The server-side cursor is read to its end: plan for all rows, not the first tenth
            # (PostgreSQL's default for cursors chose a plan 6 times slower for a county's CSV).
            # Only cursors heed it, and every cursor of this project is read whole (exports).
            # The tables are read from memory: with the default cost of a random page the
            # planner read all 100 000 applications to join 3 000 of a county's grants by hash
            # rather than by their primary key. For this query only (reset below). Both in one
            # round trip.
            cursor.execute("SET cursor_tuple_fraction = 1.0; SET random_page_cost = 1.1")
    # `modified`: the grant's dateModified, formatted by PostgreSQL (UTC, to the second, as
    # _stamp writes it) rather than parsed into a datetime per row and formatted again.
    extra = {"modified": _UtcStamp("modified_at") if postgresql else F("modified_at")}
    try:
        rows = queryset.values(*FIELDS, "area_codes", **extra).iterator(chunk_size=chunk_size)
        while chunk := list(islice(rows, chunk_size)):
            yield chunk
    finally:
        if postgresql and connection.connection is not None:
            with connection.cursor() as cursor:
                cursor.execute("RESET random_page_cost")


def _split(codes: str | None) -> list[str]:
    return codes.split() if codes else []


def most_areas(queryset) -> int:
    """The largest number of municipalities one grant of `queryset` works in (one query)."""
    spaces = queryset.order_by().aggregate(most=Max(_area_count()))["most"] or 0
    return max(spaces - 1, 0)


def _planned(row) -> tuple[dt.date, dt.date]:
    return (
        row["application__start_date"] or row["round__grant_period_start"],
        row["application__end_date"] or row["round__grant_period_end"],
    )


def _record(row: dict, ctx: _Context) -> dict:
    """One grant in the 360Giving JSON form. Fields without a value are left out, as the CSV
    leaves their cells empty."""
    start, end = _planned(row)
    seat_code = row["seat_id"]
    seat_name = ctx.kommun_names.get(seat_code)
    organisation = {
        "id": org_identifier(row["application__organisation__org_number"]),
        "name": row["org_name"],
        "organisationType": ctx.type_labels.get(row["org_type"], row["org_type"]),
        "addressLocality": row["application__organisation__town"],
        "addressRegion": seat_name,
        "addressCountry": "SE",
        "location": [_area(seat_code, seat_name)],
    }
    if not organisation["addressLocality"]:
        del organisation["addressLocality"]
    record = {
        "id": f"{PREFIX}{row['pk']}",
        "title": row["public_title"],
        "description": row["public_summary"] or row["public_title"],
        "currency": "SEK",
        "amountAwarded": row["amount_total"],
        "amountAppliedFor": row["application__requested_amount"],
        "awardDate": _iso(row["awarded_on"]),
        "plannedDates": [
            {"startDate": _iso(start), "endDate": _iso(end), "duration": _months(start, end)}
        ],
        "recipientOrganization": [organisation],
        "beneficiaryLocation": [
            _area(code, ctx.kommun_names.get(code, ""))
            for code in ctx.area_order(_split(row["area_codes"]))
        ],
        "fundingOrganization": [FUNDER],
        "grantProgramme": [
            {
                "code": f"{row['round__slug']}/{row['track__code']}",
                "title": f"{row['round__title']} – {row['track__name']}",
            }
        ],
        "classifications": [
            {
                "vocabulary": TRACK_VOCABULARY,
                "code": row["track__code"],
                "title": row["track__name"],
                "description": f"Förordning {row['track__ordinance']}",
            }
        ],
        "fromOpenCall": "Yes",
        "url": ctx.grant_url(row["pk"]),
        "dateModified": _stamp(row["modified"]),
        "dataSource": ctx.data_source,
    }
    documents = ctx.documents.of(row["round_id"], row["track_id"], row["awarded_on"])
    if documents:
        record["relatedDocument"] = documents
    if not record["beneficiaryLocation"]:
        del record["beneficiaryLocation"]
    return record


def _area(code: str, name: str) -> dict:
    return {
        "id": f"SE-KOMMUN-{code}",
        "name": name,
        "countryCode": "SE",
        "geoCode": code,
        "geoCodeType": "kommunkod",
    }


class _CsvLines:
    """One CSV line per row, in the order of csv_columns(areas, documents), straight from the
    database row (no record dict, no list of cells in between: this is the hot path of a
    filtered CSV). Text that people typed (titles, names, towns) is neutralised for spreadsheets
    (grants.exports); the rest (identifiers, codes, dates, numbers, our own addresses) cannot
    begin like a formula. The pieces shared by many grants (the municipalities, the track, the
    dates, the published lists) are written once, as CSV text, and joined per line."""

    def __init__(self, ctx: _Context, areas: int, documents: int):
        self.ctx = ctx
        self.areas = areas
        self.documents = documents
        self.area_memo: dict[str, list] = {}
        self.seat_memo: dict[str | None, str] = {}
        self.areas_memo: dict[str | None, str] = {}
        self.programme_memo: dict[tuple, str] = {}
        self.dates_memo: dict[tuple, str] = {}
        self.document_memo: dict[tuple, str] = {}
        self.blank_area = [""] * len(AREA_TITLES)
        self.blank_document = [""] * len(DOCUMENT_TITLES)
        self.type_labels = {k: exports.csv_text(v) for k, v in ctx.type_labels.items()}
        self.grant_url = (ctx.site + ctx.grant_path[0], ctx.grant_path[1])
        self.data_source = exports.csv_text(ctx.data_source)

    def area(self, code: str) -> list:
        cells = self.area_memo.get(code)
        if cells is None:
            name = exports.neutralise(self.ctx.kommun_names.get(code, ""))
            cells = self.area_memo[code] = [f"SE-KOMMUN-{code}", name, "SE", code, "kommunkod"]
        return cells

    def seat(self, code: str | None) -> str:
        """The seat's county cell (its name), the country and its five location cells."""
        text = self.seat_memo.get(code)
        if text is None:
            name = exports.neutralise(self.ctx.kommun_names.get(code) or "")
            text = self.seat_memo[code] = exports.csv_join([name, "SE", *self.area(code)])
        return text

    def areas_of(self, codes: str | None) -> str:
        """The municipalities in `area_codes`, in Swedish name order, padded to the export's
        number of municipality columns."""
        text = self.areas_memo.get(codes)
        if text is None:
            found = _split(codes)
            ordered = self.ctx.area_order(found)[: self.areas] if len(found) > 1 else found
            cells = [cell for code in ordered for cell in self.area(code)]
            cells += self.blank_area * (self.areas - len(ordered))
            text = self.areas_memo[codes] = exports.csv_join(cells)
        return text

    def programme(self, row: dict) -> str:
        """The funder's and the track's cells, the same for every grant of a track."""
        key = (row["round_id"], row["track_id"])
        text = self.programme_memo.get(key)
        if text is None:
            neutral = exports.neutralise_text
            text = self.programme_memo[key] = exports.csv_join(
                [
                    FUNDER["id"],
                    FUNDER["name"],
                    f"{row['round__slug']}/{row['track__code']}",
                    neutral(f"{row['round__title']} – {row['track__name']}"),
                    TRACK_VOCABULARY,
                    row["track__code"],
                    neutral(row["track__name"]),
                    neutral(f"Förordning {row['track__ordinance']}"),
                    "Yes",
                ]
            )
        return text

    def dates(self, row: dict) -> str:
        """Award date, planned start and end and the duration in months."""
        start, end = _planned(row)
        key = (row["awarded_on"], start, end)
        text = self.dates_memo.get(key)
        if text is None:
            text = self.dates_memo[key] = exports.csv_join(
                [_iso(row["awarded_on"]), _iso(start), _iso(end), _months(start, end)]
            )
        return text

    def related(self, row: dict) -> str:
        key = (row["round_id"], row["track_id"], row["awarded_on"])
        text = self.document_memo.get(key)
        if text is None:
            cells = []
            documents = self.ctx.documents.of(*key)[: self.documents]
            for document in documents:
                cells += [
                    document["id"],
                    exports.neutralise(document["title"]),
                    document["url"],
                    document["documentType"],
                    document["dateModified"],
                ]
            cells += self.blank_document * (self.documents - len(documents))
            text = self.document_memo[key] = exports.csv_join(cells)
        return text

    def __call__(self, row: dict) -> str:
        text = exports.neutralise_text
        quote = exports.csv_text
        pk = row["pk"]
        org_type = row["org_type"]
        requested = row["application__requested_amount"]
        title = row["public_title"]
        return (
            ",".join(
                (
                    f"{PREFIX}{pk}",
                    quote(text(title)),
                    quote(text(row["public_summary"] or title)),
                    "SEK",
                    str(row["amount_total"]),
                    "" if requested is None else str(requested),
                    self.dates(row),
                    org_identifier(row["application__organisation__org_number"]),
                    quote(text(row["org_name"])),
                    self.type_labels.get(org_type) or quote(org_type),
                    quote(text(row["application__organisation__town"])),
                    self.seat(row["seat_id"]),
                    self.areas_of(row["area_codes"]),
                    self.programme(row),
                    f"{self.grant_url[0]}{pk}{self.grant_url[1]}",
                    _stamp(row["modified"]),
                    self.data_source,
                    self.related(row),
                )
            )
            + "\r\n"
        )


def records(
    queryset, *, chunk_size: int = CHUNK, ctx: _Context | None = None
) -> Iterator[list[dict]]:
    """The 360Giving records of `queryset`'s grants, a chunk (list) at a time."""
    ctx = ctx or _Context()
    for chunk in _chunks(queryset, chunk_size):
        yield [_record(row, ctx) for row in chunk]


def csv_chunks(
    queryset,
    *,
    areas: int | None = None,
    chunk_size: int = CHUNK,
    bom: bool = False,
    ctx: _Context | None = None,
) -> Iterator[str]:
    """The CSV text of `queryset`'s grants: a header of 360Giving column titles, then one line
    per grant, yielded a chunk of lines at a time. Cells that a spreadsheet would run as a
    formula are escaped (grants.exports). `areas`: municipality columns (default: as many as the
    widest grant of the result, found in the rows read ahead or by one aggregate)."""
    ctx = ctx or _Context()
    chunks = _chunks(queryset, chunk_size)
    ahead: list[list[dict]] = []
    if areas is None:
        read = 0
        while read < AHEAD_ROWS and (chunk := next(chunks, None)) is not None:
            ahead.append(chunk)
            read += len(chunk)
        if read < AHEAD_ROWS:  # the whole result
            areas = max((len(_split(row["area_codes"])) for c in ahead for row in c), default=0)
        else:
            areas = most_areas(queryset)
    areas = max(1, areas or 0)
    documents = max(1, ctx.documents.most)
    line = _CsvLines(ctx, areas, documents)
    head = "".join(exports.csv_lines(csv_columns(areas, documents), [], bom=bom))
    for chunk in chain(ahead, chunks):
        body = "".join([line(row) for row in chunk])
        yield head + body if head else body
        head = ""
    if head:  # no grants: the header alone
        yield head


def csv_rows(queryset, *, ctx: _Context | None = None):
    """The CSV of a (filtered) list as text pieces for a streaming response."""
    return csv_chunks(queryset, ctx=ctx)


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def list_json_chunks(
    queryset, *, chunk_size: int = CHUNK, ctx: _Context | None = None
) -> Iterator[str]:
    """A filtered list as JSON, streamed: `{"count": n, "grants": [...]}` with the same records
    as the 360Giving package, without its metadata."""
    count = queryset.order_by().count()
    yield f'{{"count":{count},"grants":['
    first = True
    for chunk in records(queryset, chunk_size=chunk_size, ctx=ctx):
        body = ",".join(_dumps(record) for record in chunk)
        yield body if first else "," + body
        first = False
    yield "]}"


def releases():
    """The written open data files, newest first."""
    return OpenDataRelease.objects.order_by("-written_at", "-pk")


def current_release() -> OpenDataRelease | None:
    """The newest release whose files are complete: the one the web serves, whether or not the
    data has changed since (the next one is then being written)."""
    return releases().first()


def published_grants():
    """Grants with at least one final decision: approved at a closed decision meeting."""
    final = Decision.objects.filter(
        application_id=OuterRef("application_id"),
        outcome=Decision.Outcome.APPROVED,
        meeting__status__in=MEETING_CLOSED_STATUSES,
    )
    return selectors.public_grants().filter(Exists(final)).order_by("pk")


def data_dates() -> tuple[dt.datetime | None, dt.datetime | None]:
    """When the published data was first issued and last modified, from the data itself (not the
    time of the request): the first and last closing of a decision meeting that approved a
    published grant, and the latest change of a published grant. Two aggregate queries."""
    published = published_grants().order_by()
    decisions = Decision.objects.filter(
        application__grant__in=published.values("pk"),
        outcome=Decision.Outcome.APPROVED,
        meeting__status__in=MEETING_CLOSED_STATUSES,
    ).aggregate(
        first=Min("meeting__closed_at"),
        last_meeting=Max("meeting__closed_at"),
        last_decision=Max("created_at"),
    )
    last_grant = published.aggregate(last=Max("modified_at"))["last"]
    candidates = [
        value
        for value in (decisions["last_meeting"], decisions["last_decision"], last_grant)
        if value is not None
    ]
    modified = max(candidates).replace(microsecond=0) if candidates else None
    issued = decisions["first"].replace(microsecond=0) if decisions["first"] else modified
    return issued, modified


def package_metadata() -> dict:
    """The 360Giving package without its grants (schema 1.4). The addresses come from
    SITE_URL, whatever host the request came to; the dates from the data."""
    issued, modified = data_dates()
    with override("sv"):
        access = _site(reverse("public:opendata"))
    dates = {}
    if issued and modified:
        dates = {"issued": issued.isoformat(), "modified": modified.isoformat()}
    return {
        "version": SCHEMA_VERSION,
        "title": "Delmos statsbidrag mot segregation",
        "description": (
            "Beviljade statsbidrag från Delegationen mot segregation (Delmos) enligt SFS 2018:118 "
            "och SFS 2018:119."
        ),
        **dates,
        "identifier": "delmos-360giving",
        "publisher": {"name": FUNDER["name"], "identifier": FUNDER["id"]},
        "license": LICENSE,
        "downloadURL": package_url(),
        "accessURL": access,
    }


def package_chunks(*, chunk_size: int = CHUNK) -> Iterator[str]:
    """Every published grant as a 360Giving data package, as text pieces: the metadata, then
    the grants a chunk at a time. Memory stays flat whatever the number of grants."""
    head = _dumps(package_metadata())
    yield head[:-1] + ',"grants":['
    first = True
    for chunk in records(published_grants(), chunk_size=chunk_size):
        body = ",\n".join(_dumps(record) for record in chunk)
        yield ("\n" if first else ",\n") + body
        first = False
    yield "\n]}\n"


def package_360giving() -> dict:
    """The whole package as one dict: for tests and small data only (the files are written by
    package_chunks)."""
    return json.loads("".join(package_chunks()))


def full_csv_chunks(*, chunk_size: int = CHUNK) -> Iterator[str]:
    """The CSV of the same grants as the package, in the same order (the full CSV file). The
    municipality columns come from one aggregate first, so the database streams the rows as it
    reads them."""
    grants = published_grants()
    return csv_chunks(grants, areas=most_areas(grants), chunk_size=chunk_size)


def dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1)
