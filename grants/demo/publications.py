"""The two historical versions of the 2020 award lists: as of the meeting of 12 June, and as of
25 June ("uppdaterad 25 juni") after 13 more grants and Landskrona kommun's supplementary grant.

Each publish makes one list per track and the combined list. Their PDFs are rendered by the
usual task after commit (inline when Celery runs eagerly, as in `make run` without a broker)."""

from grants.demo.facts import MEETING_1, MEETING_2, ROUND_SLUG, at
from grants.models import Publication, Round
from grants.services.publications import publication_publish

VERSIONS = [
    (MEETING_1, "", ""),
    (MEETING_2, "uppdaterad 25 juni", "updated 25 June"),
]


def load_demo_publications() -> int:
    """Publish the 2020 lists in their two versions unless the round has lists already.
    Returns the number of publications created."""
    round_ = Round.objects.filter(slug=ROUND_SLUG).first()
    if round_ is None or Publication.objects.filter(round=round_).exists():
        return 0
    created = 0
    for as_of, note, note_en in VERSIONS:
        created += len(
            publication_publish(
                round_=round_,
                as_of=as_of,
                note=note,
                note_en=note_en,
                published_at=at(as_of, 16),
                is_demo=True,
            )
        )
    return created
