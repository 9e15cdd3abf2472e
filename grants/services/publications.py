"""Publishing award lists: each publish makes a new version of each list in scope (one per track,
plus the combined list when a whole round is published). The row is the job's state; the PDF is
rendered by a Celery task enqueued after commit."""

import datetime as dt
import hashlib
import json

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grants import workflow
from grants.models import OutboxJob, Publication, Round, Track
from grants.outbox import enqueue
from grants.outbox import retry as outbox_retry
from grants.selectors.publications import award_rows, publication_scopes
from grants.services import ServiceError
from grants.services.events import event_record


def snapshot_hash(*, round_: Round, track: Track | None, as_of: dt.date, rows: list[dict]) -> str:
    """SHA-256 of the list's content: same rows, same scope and date, same hash."""
    payload = json.dumps(
        {
            "round": round_.slug,
            "track": track.code if track else None,
            "as_of": as_of.isoformat(),
            "rows": rows,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode()).hexdigest()


SAME_CONTENT = gettext_lazy(
    "The content is the same as in the latest version: no new version was made. Tick “Publish "
    "a new version even if nothing has changed” to make one anyway."
)


def _enqueue(publication: Publication) -> None:
    """The list's render job, in the outbox, in the caller's transaction."""
    enqueue(
        "publication",
        payload={"publication": publication.pk},
        round=publication.round,
        description=str(publication),
    )


def publication_publish(
    *,
    round_: Round,
    track: Track | None = None,
    as_of: dt.date | None = None,
    note: str = "",
    note_en: str = "",
    user=None,
    published_at: dt.datetime | None = None,
    is_demo: bool = False,
    new_version: bool = False,
) -> list[Publication]:
    """Publish a new version of the lists of `round_` (or of one track's list) with the decisions
    made up to `as_of` (default: today). Returns the new versions; rendering starts on commit.
    A list whose content (rows, scope, date) equals its latest version's gets no new version (a
    repeated or double-clicked publish does one thing) unless a new note or `new_version` asks
    for one explicitly."""
    as_of = as_of or timezone.localdate()
    note = (note or "").strip()
    note_en = (note_en or "").strip()
    if len(note) > 200 or len(note_en) > 200:
        raise ServiceError(_("The note may be at most 200 characters."), code="note")
    if track is not None and track.round_id != round_.pk:
        raise ServiceError(_("The track does not belong to this round."), code="track")
    with transaction.atomic():
        # One publish at a time per round: version numbers are given in order, without gaps.
        round_ = Round.objects.select_for_update().get(pk=round_.pk)
        scopes = publication_scopes(round_, track)
        created = []
        for scope in scopes:
            rows = award_rows(round_=round_, track=scope, as_of=as_of)
            content_hash = snapshot_hash(round_=round_, track=scope, as_of=as_of, rows=rows)
            previous = (
                Publication.objects.filter(round=round_, track=scope)
                .order_by("-version")
                .only("version", "content_hash", "note", "note_en")
                .first()
            )
            if (
                previous is not None
                and previous.content_hash == content_hash
                and not new_version
                and note in ("", previous.note)
                and note_en in ("", previous.note_en)
            ):
                continue  # the latest version says the same: nothing to publish
            latest = previous.version if previous is not None else 0
            publication = Publication.objects.create(
                round=round_,
                track=scope,
                version=latest + 1,
                as_of=as_of,
                note=note,
                note_en=note_en,
                rows=rows,
                row_count=len(rows),
                total_amount=sum(row["total"] for row in rows),
                content_hash=content_hash,
                published_by=user if user is not None and user.is_authenticated else None,
                published_at=published_at or timezone.now(),
                is_demo=is_demo,
            )
            event_record(
                action="publication.published",
                actor=user,
                round=round_,
                target=str(publication),
                data={
                    "publication": publication.pk,
                    "track": scope.code if scope else None,
                    "version": publication.version,
                    "as_of": as_of.isoformat(),
                    "rows": publication.row_count,
                    "total": publication.total_amount,
                    "note": note,
                    "note_en": note_en,
                },
            )
            _enqueue(publication)
            created.append(publication)
    return created


def publication_retry(*, publication: Publication, user=None) -> Publication:
    """Queue a failed publication again."""
    with transaction.atomic():
        publication = Publication.objects.select_for_update().get(pk=publication.pk)
        publication.error = ""
        workflow.transition(
            publication,
            Publication.Status.PENDING,
            user=user,
            data={"publication": publication.pk},
            fields=["error"],
        )
        job = (
            OutboxJob.objects.filter(kind="publication", payload__publication=publication.pk)
            .order_by("-pk")
            .first()
        )
        if job is not None and job.status == OutboxJob.Status.FAILED:
            outbox_retry(job=job, user=user, hooks=False)
        else:
            _enqueue(publication)
    return publication
