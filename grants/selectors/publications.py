"""The read side of published award lists: the rows a list holds as of a date, the versions of a
list, and what changed between two versions."""

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field

from django.db.models import F
from django.http import Http404
from django.shortcuts import get_object_or_404

from grants.models import Decision, Publication, Round, Track
from grants.workflow import MEETING_CLOSED_STATUSES

_SWEDISH_ORDER = str.maketrans(
    {"å": "z\x01", "ä": "z\x02", "æ": "z\x02", "ö": "z\x03", "ø": "z\x03"}
)


def swedish_key(text: str) -> str:
    """Sort key in Swedish alphabetical order: … x y z å ä ö."""
    return text.casefold().translate(_SWEDISH_ORDER)


def award_rows(*, round_: Round, track: Track | None, as_of: dt.date) -> list[dict]:
    """One row per granted application in the scope, from the approved decisions of closed
    meetings held up to `as_of`: the original amount and the supplementary grants apart.
    Two queries whatever the number of rows."""
    decisions = (
        Decision.objects.filter(
            application__round=round_,
            outcome=Decision.Outcome.APPROVED,
            meeting__status__in=MEETING_CLOSED_STATUSES,
            meeting__date__lte=as_of,
        )
        .select_related(
            "application__organisation__seat__lan",
            "application__track",
            "application__grant",
        )
        .order_by("meeting__date", "id")
    )
    if track is not None:
        decisions = decisions.filter(application__track=track)
    rows: dict[int, dict] = {}
    for decision in decisions:
        application = decision.application
        row = rows.get(application.pk)
        if row is None:
            organisation = application.organisation
            grant = getattr(application, "grant", None)
            row = rows[application.pk] = {
                "case_number": application.case_number or f"#{application.pk}",
                "track": application.track.code,
                "organisation": organisation.name,
                "org_number": organisation.org_number,
                "org_type": organisation.org_type,
                "municipality": organisation.seat.name,
                "county": organisation.seat.lan.name,
                "title": (grant.public_title if grant else "") or application.project_title,
                "amount": 0,
                "supplementary": 0,
                "total": 0,
            }
        if decision.kind == Decision.Kind.SUPPLEMENTARY:
            row["supplementary"] += decision.amount
        elif decision.kind == Decision.Kind.CORRECTION:
            row["amount"] = decision.amount  # a correction replaces the original amount
        else:
            row["amount"] += decision.amount
        row["total"] = row["amount"] + row["supplementary"]
    return sorted(rows.values(), key=lambda r: (swedish_key(r["organisation"]), r["case_number"]))


def publication_scopes(round_: Round, track: Track | None) -> list[Track | None]:
    """The lists one publish makes: the track's, or each track's and the combined one (None)."""
    return [track] if track is not None else [*round_.tracks.order_by("position", "code"), None]


@dataclass
class PublishPreview:
    """What a publish will make, for the decision maker to confirm: per list its next version,
    how many recipients and what total, beside the version published before. `fingerprint`
    changes with any row or version, so a confirmation never publishes lists that changed."""

    round: Round
    track: Track | None
    as_of: dt.date
    lists: list[dict]
    fingerprint: str


def publish_preview(*, round_: Round, track: Track | None, as_of: dt.date) -> PublishPreview:
    lists = []
    for scope in publication_scopes(round_, track):
        rows = award_rows(round_=round_, track=scope, as_of=as_of)
        previous = (
            Publication.objects.filter(round=round_, track=scope)
            .defer("rows")
            .order_by("-version")
            .first()
        )
        lists.append(
            {
                "scope": scope,
                "version": (previous.version if previous else 0) + 1,
                "recipients": len(rows),
                "total": sum(row["total"] for row in rows),
                "previous": previous,
                "rows": rows,
            }
        )
    content = [
        [item["scope"].pk if item["scope"] else None, item["version"], item["rows"]]
        for item in lists
    ]
    payload = json.dumps([as_of.isoformat(), content], sort_keys=True, default=str)
    return PublishPreview(
        round=round_,
        track=track,
        as_of=as_of,
        lists=lists,
        fingerprint=hashlib.sha256(payload.encode()).hexdigest()[:32],
    )


def publications_of_round(round_: Round):
    """Every version of every list of a round: combined list first, then tracks in order."""
    return (
        Publication.objects.filter(round=round_)
        .select_related("track", "round")
        .order_by(
            F("track__position").asc(nulls_first=True),
            "track__code",
            "-version",
        )
        .defer("rows")
    )


def publication_versions(publication: Publication):
    """All versions of the same list, newest first, without their rows."""
    return (
        Publication.objects.filter(round_id=publication.round_id, track_id=publication.track_id)
        .order_by("-version")
        .defer("rows")
    )


def previous_version(publication: Publication) -> Publication | None:
    return (
        Publication.objects.filter(
            round_id=publication.round_id,
            track_id=publication.track_id,
            version__lt=publication.version,
        )
        .order_by("-version")
        .first()
    )


@dataclass
class AmountChange:
    row: dict
    before: int
    after: int

    @property
    def difference(self) -> int:
        return self.after - self.before


@dataclass
class VersionDiff:
    added: list[dict] = field(default_factory=list)
    removed: list[dict] = field(default_factory=list)
    changed: list[AmountChange] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def version_diff(old_rows: list[dict], new_rows: list[dict]) -> VersionDiff:
    """Recipients added or removed, and amounts changed, between two versions of a list."""
    old = {row["case_number"]: row for row in old_rows}
    new = {row["case_number"]: row for row in new_rows}
    diff = VersionDiff(
        added=[row for key, row in new.items() if key not in old],
        removed=[row for key, row in old.items() if key not in new],
    )
    for key, row in new.items():
        if key in old and old[key]["total"] != row["total"]:
            diff.changed.append(AmountChange(row=row, before=old[key]["total"], after=row["total"]))
    return diff


def publication_diff(publication: Publication) -> tuple[Publication | None, VersionDiff | None]:
    """The previous version and what changed since it (None for a first version)."""
    previous = previous_version(publication)
    if previous is None:
        return None, None
    return previous, version_diff(previous.rows, publication.rows)


ALL_TRACKS = "alla"


def public_round_or_404(year: int) -> Round:
    round_ = Round.objects.exclude(status=Round.Status.DRAFT).filter(year=year).order_by("slug")
    found = round_.first()
    if found is None:
        raise Http404
    return found


def publication_or_404(*, year: int, scope: str, version: int) -> Publication:
    round_ = public_round_or_404(year)
    publications = Publication.objects.select_related("round", "track").filter(
        round=round_, version=version
    )
    if scope == ALL_TRACKS:
        publications = publications.filter(track__isnull=True)
    else:
        publications = publications.filter(track__code=scope)
    return get_object_or_404(publications)


@dataclass
class ListVersions:
    track: Track | None
    versions: list[Publication]

    @property
    def scope(self) -> str:
        return self.track.code if self.track else ALL_TRACKS

    @property
    def latest(self) -> Publication:
        return self.versions[0]


def lists_of_round(round_: Round) -> list[ListVersions]:
    """The round's lists (tracks in order, then the combined list), each with its versions,
    newest first. Two queries."""
    by_track: dict[int | None, list[Publication]] = {}
    for publication in publications_of_round(round_):
        by_track.setdefault(publication.track_id, []).append(publication)
    tracks = list(round_.tracks.all())
    lists = [ListVersions(track, by_track[track.pk]) for track in tracks if track.pk in by_track]
    if None in by_track:
        lists.append(ListVersions(None, by_track[None]))
    return lists


def recent_publications(limit: int | None = 30):
    queryset = (
        Publication.objects.select_related("round", "track")
        .defer("rows")
        .order_by("-published_at", "-id")
    )
    return queryset[:limit] if limit else queryset


def recent_publication_or_404(pk) -> Publication:
    """A publication as the manage page lists it (with its round and track)."""
    return get_object_or_404(recent_publications(limit=None), pk=pk)


def publication_by_pk_or_404(pk) -> Publication:
    return get_object_or_404(Publication, pk=pk)
