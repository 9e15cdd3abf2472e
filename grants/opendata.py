"""Open data: the award list as CSV and JSON (any filtered list), and all public grants as a
360Giving data package. Identifiers follow 360Giving: grant ids under our `360G-` prefix,
organisations as `SE-ON-<organisationsnummer>` (org-id.guide), currency SEK."""

import csv
import datetime as dt
import io
import json

from django.conf import settings
from django.db.models import Exists, Max, Min, OuterRef
from django.urls import reverse
from django.utils.translation import override

from grants.models import Decision, Grant
from grants.selectors import public as selectors
from grants.workflow import MEETING_CLOSED_STATUSES

PREFIX = "360G-delmos-"
FUNDER = {"id": "SE-ON-2021006958", "name": "Delegationen mot segregation"}
LICENSE = "https://creativecommons.org/publicdomain/zero/1.0/"
SCHEMA_VERSION = "1.4"

# 360Giving's column titles for the flat (CSV) form of the standard.
CSV_COLUMNS = [
    "Identifier",
    "Title",
    "Description",
    "Currency",
    "Amount Awarded",
    "Award Date",
    "Planned Dates:Start Date",
    "Planned Dates:End Date",
    "Recipient Org:Identifier",
    "Recipient Org:Name",
    "Recipient Org:Location:0:Name",
    "Recipient Org:Location:0:Geographic Code",
    "Beneficiary Location:0:Name",
    "Beneficiary Location:0:Geographic Code",
    "Beneficiary Location:0:Geographic Code Type",
    "Funding Org:Identifier",
    "Funding Org:Name",
    "Grant Programme:Code",
    "Grant Programme:Title",
    "URL",
]


def org_identifier(org_number: str) -> str:
    return f"SE-ON-{org_number.replace('-', '')}"


def grant_identifier(grant: Grant) -> str:
    return f"{PREFIX}{grant.pk}"


def grant_url(grant: Grant) -> str:
    with override("sv"):
        return settings.SITE_URL.rstrip("/") + reverse("public:grant", args=[grant.pk])


def grants_for_export(queryset):
    return selectors.grants_for_list(queryset).prefetch_related("beneficiary_kommuner")


def _programme(grant: Grant) -> dict:
    track = grant.application.track
    round_ = grant.application.round
    return {
        "code": f"{round_.slug}/{track.code}",
        "title": f"{round_.title} – {track.name}",
    }


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def planned_dates(grant: Grant) -> tuple[dt.date, dt.date]:
    application = grant.application
    round_ = application.round
    return (
        application.start_date or round_.grant_period_start,
        application.end_date or round_.grant_period_end,
    )


def csv_rows(queryset):
    """Yield the CSV lines: a header of 360Giving column titles, then one line per grant."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush():
        value = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate(0)
        return value

    writer.writerow(CSV_COLUMNS)
    yield flush()
    for grant in grants_for_export(queryset).iterator(chunk_size=2000):
        org = grant.application.organisation
        areas = list(grant.beneficiary_kommuner.all())
        start, end = planned_dates(grant)
        programme = _programme(grant)
        writer.writerow(
            [
                grant_identifier(grant),
                grant.public_title,
                grant.public_summary,
                "SEK",
                grant.amount_total,
                _iso(grant.awarded_on),
                _iso(start),
                _iso(end),
                org_identifier(org.org_number),
                org.name,
                org.seat.name,
                org.seat.code,
                "; ".join(k.name for k in areas),
                "; ".join(k.code for k in areas),
                "kommunkod" if areas else "",
                FUNDER["id"],
                FUNDER["name"],
                programme["code"],
                programme["title"],
                grant_url(grant),
            ]
        )
        yield flush()


def grant_record(grant: Grant) -> dict:
    """One grant in the 360Giving JSON form."""
    org = grant.application.organisation
    start, end = planned_dates(grant)
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    return {
        "id": grant_identifier(grant),
        "title": grant.public_title,
        "description": grant.public_summary or grant.public_title,
        "currency": "SEK",
        "amountAwarded": grant.amount_total,
        "amountAppliedFor": grant.application.requested_amount,
        "awardDate": _iso(grant.awarded_on),
        "url": grant_url(grant),
        "plannedDates": [{"startDate": _iso(start), "endDate": _iso(end), "duration": months}],
        "recipientOrganization": [
            {
                "id": org_identifier(org.org_number),
                "name": org.name,
                "location": [
                    {
                        "id": f"SE-KOMMUN-{org.seat.code}",
                        "name": org.seat.name,
                        "countryCode": "SE",
                        "geoCode": org.seat.code,
                        "geoCodeType": "kommunkod",
                    }
                ],
            }
        ],
        "beneficiaryLocation": [
            {
                "id": f"SE-KOMMUN-{kommun.code}",
                "name": kommun.name,
                "countryCode": "SE",
                "geoCode": kommun.code,
                "geoCodeType": "kommunkod",
            }
            for kommun in grant.beneficiary_kommuner.all()
        ],
        "fundingOrganization": [FUNDER],
        "grantProgramme": [_programme(grant)],
        "fromOpenCall": "Yes",
    }


def list_json(queryset) -> dict:
    """A filtered list as JSON: the same records as the 360Giving package, without metadata."""
    grants = [grant_record(g) for g in grants_for_export(queryset)]
    return {"count": len(grants), "grants": grants}


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
    published grant, and the latest decision or grant row. Two aggregate queries."""
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
    last_grant = published.aggregate(last=Max("created_at"))["last"]
    candidates = [
        value
        for value in (decisions["last_meeting"], decisions["last_decision"], last_grant)
        if value is not None
    ]
    modified = max(candidates).replace(microsecond=0) if candidates else None
    issued = decisions["first"].replace(microsecond=0) if decisions["first"] else modified
    return issued, modified


def package_360giving() -> dict:
    """Every published grant as a 360Giving data package (schema 1.4). The addresses come from
    SITE_URL, whatever host the request came to; the dates from the data."""
    issued, modified = data_dates()
    with override("sv"):
        download = settings.SITE_URL.rstrip("/") + reverse("public:opendata_360giving")
        access = settings.SITE_URL.rstrip("/") + reverse("public:opendata")
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
        "downloadURL": download,
        "accessURL": access,
        "grants": [grant_record(g) for g in grants_for_export(published_grants())],
    }


def dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1)
