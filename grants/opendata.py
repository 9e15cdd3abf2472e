"""Open data: the award list as CSV and JSON (any filtered list), and all published grants as a
360Giving data package. Identifiers follow 360Giving: grant ids under our `360G-` prefix,
organisations as `SE-ON-<organisationsnummer>` (org-id.guide), currency SEK.

Every export reads plain rows (`QuerySet.values()` through `iterator(chunk_size=…)`, a
server-side cursor on PostgreSQL), never model objects: one query for the grants, each row
carrying its municipalities' codes (a correlated subquery), whatever the number of grants. Memory stays flat
however large the export. The whole package and the whole CSV are written to files by a Celery
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
from django.db.models import (
    Aggregate,
    CharField,
    Count,
    Exists,
    Max,
    Min,
    OuterRef,
    Subquery,
    Window,
)
from django.urls import reverse
from django.utils.translation import override

from grants import exports
from grants.models import Decision, Grant, OpenDataRelease, OrganisationType, Publication
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

# The columns read per grant: the grant's own row, its listing copies (round, track,
# organisation name and type, seat) and the application and organisation for the rest.
FIELDS = (
    "pk",
    "public_title",
    "public_summary",
    "amount_total",
    "awarded_on",
    "modified_at",
    "org_name",
    "org_type",
    "seat_id",
    "seat__name",
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


def _stamp(moment: dt.datetime | None) -> str:
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


class _Codes(Aggregate):
    """The municipality codes of one grant joined by commas, in the same row as the grant (a
    correlated subquery: no second query, no list of ids sent back)."""

    function = "GROUP_CONCAT"
    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler,
            connection,
            function="STRING_AGG",
            template="%(function)s(%(expressions)s, ',')",
            **extra_context,
        )


def _through():
    Through = Grant.beneficiary_kommuner.through
    return Through.objects.filter(grant_id=OuterRef("pk")).order_by().values("grant_id")


def _area_codes():
    return Subquery(_through().annotate(codes=_Codes("kommun_id")).values("codes"))


def _chunks(queryset, chunk_size: int = CHUNK, *, widest: bool = False) -> Iterator[list[dict]]:
    """The grants of `queryset` as plain rows (with `codes`, the municipalities' codes), a chunk
    at a time: one query, read through a server-side cursor on PostgreSQL. `widest`: each row
    also carries `most`, the largest number of municipalities of any grant in the result (a
    window over the result, which the database sorts whole anyway)."""
    if connection.vendor == "postgresql":
        # The server-side cursor is read to its end: plan for all rows, not the first tenth
        # (PostgreSQL's default for cursors chose a plan 6 times slower for a county's CSV).
        # Only cursors heed it, and every cursor of this project is read whole (exports).
        with connection.cursor() as cursor:
            cursor.execute("SET cursor_tuple_fraction = 1.0")
    extra = {"codes": _area_codes()}
    if widest:
        count = Subquery(_through().annotate(n=Count("kommun_id")).values("n"))
        extra["most"] = Window(Max(count))
    rows = queryset.values(*FIELDS, **extra).iterator(chunk_size=chunk_size)
    while chunk := list(islice(rows, chunk_size)):
        yield chunk


def _split(codes: str | None) -> list[str]:
    return codes.split(",") if codes else []


def most_areas(queryset) -> int:
    """The largest number of municipalities one grant of `queryset` works in (one query)."""
    Through = Grant.beneficiary_kommuner.through
    counts = (
        Through.objects.filter(grant_id__in=queryset.order_by().values("pk"))
        .values("grant_id")
        .annotate(n=Count("kommun_id"))
        .order_by()
    )
    return counts.aggregate(most=Max("n"))["most"] or 0


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
    organisation = {
        "id": org_identifier(row["application__organisation__org_number"]),
        "name": row["org_name"],
        "organisationType": ctx.type_labels.get(row["org_type"], row["org_type"]),
        "addressLocality": row["application__organisation__town"],
        "addressRegion": row["seat__name"],
        "addressCountry": "SE",
        "location": [_area(seat_code, row["seat__name"])],
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
            for code in ctx.area_order(_split(row["codes"]))
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
        "dateModified": _stamp(row["modified_at"]),
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


class _CsvCells:
    """One CSV line per row, in the order of csv_columns(areas, documents), straight from the
    database row (no record dict in between: this is the hot path of a filtered CSV). Text that
    people typed (titles, names, towns) is neutralised for spreadsheets (grants.exports); the
    rest (identifiers, codes, dates, numbers, our own addresses) cannot begin like a formula.
    The pieces shared by many grants (a municipality, a published list) are built once."""

    def __init__(self, ctx: _Context, areas: int, documents: int):
        self.ctx = ctx
        self.areas = areas
        self.documents = documents
        self.area_memo: dict[str, list] = {}
        self.document_memo: dict[tuple, list] = {}
        self.blank_area = [""] * len(AREA_TITLES)
        self.blank_document = [""] * len(DOCUMENT_TITLES)
        self.data_source = ctx.data_source

    def area(self, code: str) -> list:
        cells = self.area_memo.get(code)
        if cells is None:
            name = exports.neutralise(self.ctx.kommun_names.get(code, ""))
            cells = self.area_memo[code] = [f"SE-KOMMUN-{code}", name, "SE", code, "kommunkod"]
        return cells

    def related(self, row: dict) -> list:
        key = (row["round_id"], row["track_id"], row["awarded_on"])
        cells = self.document_memo.get(key)
        if cells is None:
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
            self.document_memo[key] = cells
        return cells

    def __call__(self, row: dict) -> list:
        text = exports.neutralise_text
        start, end = _planned(row)
        track_name = text(row["track__name"])
        cells = [
            f"{PREFIX}{row['pk']}",
            text(row["public_title"]),
            text(row["public_summary"] or row["public_title"]),
            "SEK",
            row["amount_total"],
            row["application__requested_amount"],
            _iso(row["awarded_on"]),
            _iso(start),
            _iso(end),
            _months(start, end),
            org_identifier(row["application__organisation__org_number"]),
            text(row["org_name"]),
            self.ctx.type_labels.get(row["org_type"], row["org_type"]),
            text(row["application__organisation__town"]),
            text(row["seat__name"] or ""),
            "SE",
            *self.area(row["seat_id"]),
        ]
        codes = _split(row["codes"])
        ordered = self.ctx.area_order(codes)[: self.areas] if len(codes) > 1 else codes
        for code in ordered:
            cells += self.area(code)
        cells += self.blank_area * (self.areas - len(ordered))
        cells += [
            FUNDER["id"],
            FUNDER["name"],
            f"{row['round__slug']}/{row['track__code']}",
            text(f"{row['round__title']} – {row['track__name']}"),
            TRACK_VOCABULARY,
            row["track__code"],
            track_name,
            text(f"Förordning {row['track__ordinance']}"),
            "Yes",
            self.ctx.grant_url(row["pk"]),
            _stamp(row["modified_at"]),
            self.data_source,
        ]
        cells += self.related(row)
        return cells


def records(
    queryset, *, chunk_size: int = CHUNK, ctx: _Context | None = None
) -> Iterator[list[dict]]:
    """The 360Giving records of `queryset`'s grants, a chunk (list) at a time."""
    ctx = ctx or _Context()
    for chunk in _chunks(queryset, chunk_size):
        yield [_record(row, ctx) for row in chunk]


def csv_chunks(
    queryset, *, areas: int | None = None, chunk_size: int = CHUNK, bom: bool = False
) -> Iterator[str]:
    """The CSV text of `queryset`'s grants: a header of 360Giving column titles, then one line
    per grant, yielded a chunk of lines at a time. Cells that a spreadsheet would run as a
    formula are escaped (grants.exports). `areas`: municipality columns (default: as many as the
    widest grant of the result, read with the rows)."""
    ctx = _Context()
    chunks = _chunks(queryset, chunk_size, widest=areas is None)
    first = next(chunks, [])
    if areas is None:
        areas = first[0]["most"] if first else 0
    areas = max(1, areas or 0)
    documents = max(1, ctx.documents.most)
    cells = _CsvCells(ctx, areas, documents)
    lines = exports.csv_lines(
        csv_columns(areas, documents),
        (cells(row) for chunk in chain([first], chunks) for row in chunk),
        bom=bom,
        neutralised=True,
    )
    while piece := "".join(islice(lines, chunk_size)):
        yield piece


def csv_rows(queryset):
    """The CSV of a (filtered) list as text pieces for a streaming response."""
    return csv_chunks(queryset)


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def list_json_chunks(queryset, *, chunk_size: int = CHUNK) -> Iterator[str]:
    """A filtered list as JSON, streamed: `{"count": n, "grants": [...]}` with the same records
    as the 360Giving package, without its metadata."""
    count = queryset.order_by().count()
    yield f'{{"count":{count},"grants":['
    first = True
    for chunk in records(queryset, chunk_size=chunk_size):
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
