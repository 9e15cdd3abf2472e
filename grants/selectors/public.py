"""The read side: querysets and figures with their visibility rules, never a query per row."""

from dataclasses import dataclass

from django.db.models import Count, Q, Sum

from grants.models import Application, Grant, Organisation, Round, Track


def public_rounds():
    """Rounds the public may see: everything except drafts."""
    return Round.objects.exclude(status=Round.Status.DRAFT).order_by("-year")


def featured_round() -> Round | None:
    """The round the home page features: the latest one with grants, else the latest visible."""
    visible = public_rounds()
    return visible.filter(applications__grant__isnull=False).distinct().first() or visible.first()


@dataclass
class TrackFigures:
    track: Track
    applications: int
    recipients: int
    granted: int


@dataclass
class RoundFigures:
    tracks: list[TrackFigures]
    applications: int
    recipients: int
    granted: int


def round_headline_figures(*, round_: Round) -> RoundFigures:
    """Applications received, recipients and kronor granted per track, in two queries."""
    received = dict(
        Application.objects.filter(round=round_)
        .exclude(status=Application.Status.DRAFT)
        .values_list("track_id")
        .annotate(n=Count("id"))
    )
    granted = {
        row["application__track_id"]: row
        for row in Grant.objects.filter(application__round=round_)
        .values("application__track_id")
        .annotate(n=Count("id"), total=Sum("amount_total"))
    }
    tracks = [
        TrackFigures(
            track=track,
            applications=received.get(track.pk, 0),
            recipients=granted.get(track.pk, {}).get("n", 0),
            granted=granted.get(track.pk, {}).get("total") or 0,
        )
        for track in round_.tracks.all()
    ]
    return RoundFigures(
        tracks=tracks,
        applications=sum(t.applications for t in tracks),
        recipients=sum(t.recipients for t in tracks),
        granted=sum(t.granted for t in tracks),
    )


def demo_data_exists() -> bool:
    return (
        Organisation.objects.filter(is_demo=True).exists()
        or Round.objects.filter(Q(is_demo=True)).exists()
    )
