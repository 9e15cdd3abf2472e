"""Rendering published award lists to PDF, and the sweeper that brings back lost jobs.

PostgreSQL is the truth, Redis only the doorbell: the Publication row carries the state
(pending → rendering → done or failed). The task may run twice, be killed half-way or lose its
message; it still yields exactly one pair of files per version:
- while rendering, the task holds a PostgreSQL advisory lock on the row, so a second copy of the
  task backs off, and the lock goes away by itself when a killed worker's connection closes;
- files are written to a temporary name and renamed into place, so the public only ever sees
  complete files, and a second render replaces the same name rather than adding a file;
- a done row is left alone;
- the job is an outbox job of kind "publication" (grants.outbox): its sweeper re-enqueues it when
  its message was lost or its worker died, and its back-off retries a transient error.
"""

import contextlib
import hashlib
import logging
import os
import tempfile
from pathlib import Path

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils.translation import gettext, override

from grants import pdf_chunked, workflow
from grants.models import OrganisationType, OutboxJob, Publication
from grants.outbox import PermanentError, RetryLater, handler
from grants.selectors.publications import ALL_TRACKS
from grants.workflow import PUBLICATION_CLAIMABLE_STATUSES

log = logging.getLogger(__name__)

LANGUAGES = ("sv", "en")
LOCK_CLASS = 4004  # first key of the advisory lock; the second is the publication's id
TIME_LIMIT = getattr(settings, "PUBLICATION_RENDER_TIME_LIMIT", 900)


@contextlib.contextmanager
def render_lock(publication_id: int):
    """A session-level advisory lock on PostgreSQL (True when taken); always True elsewhere."""
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_CLASS, publication_id])
        taken = cursor.fetchone()[0]
    try:
        yield taken
    finally:
        if taken:
            with contextlib.suppress(DatabaseError), connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_CLASS, publication_id])


def lock_is_free(publication_id: int) -> bool:
    """True when no worker holds the publication's render lock (PostgreSQL only)."""
    with render_lock(publication_id) as taken:
        return taken


def file_name(publication: Publication, language: str) -> str:
    scope = publication.track.code if publication.track_id else "alla"
    return f"lists/{publication.round.slug}/{scope}-v{publication.version}.{language}.pdf"


def write_atomically(name: str, data: bytes, storage=None) -> str:
    """Write `data` under the storage `name` (default storage unless given): to a temporary file
    first, then renamed into place, so a reader sees the old file or the whole new one, never a
    part, and a second run replaces the file rather than adding one. Returns its SHA-256."""
    storage = storage or default_storage
    try:
        target = Path(storage.path(name))
    except NotImplementedError:
        # Object storage (STORAGES, e.g. S3): a PUT replaces the object whole, never in part.
        if storage.exists(name):
            storage.delete(name)
        saved = storage.save(name, ContentFile(data))
        if saved != name:
            raise RuntimeError(f"storage saved {name!r} as {saved!r}") from None
        return hashlib.sha256(data).hexdigest()
    target.parent.mkdir(parents=True, exist_ok=True)
    for leftover in target.parent.glob(f".{target.name}.*.part"):  # from a worker killed mid-write
        leftover.unlink(missing_ok=True)
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    return hashlib.sha256(data).hexdigest()


def page_counter_css(language: str) -> str:
    """The CSS `content` for "sida N av M" / "page N of M" in the language."""
    with override(language):
        label = gettext("page {page} of {pages}")
    before, rest = label.split("{page}", 1)
    between, after = rest.split("{pages}", 1)
    return f'"{before}" counter(page) "{between}" counter(pages) "{after}"'


def list_context(publication: Publication) -> dict:
    """What the PDF and the HTML page of a version show."""
    labels = dict(OrganisationType.choices)
    rows = [
        {**row, "type_label": labels.get(row["org_type"], row["org_type"])}
        for row in publication.rows
    ]
    supplementary = sum(row["supplementary"] for row in publication.rows)
    tracks = [publication.track] if publication.track_id else list(publication.round.tracks.all())
    return {
        "publication": publication,
        "round": publication.round,
        "track": publication.track,
        "tracks": tracks,
        "rows": rows,
        "total": publication.total_amount,
        "supplementary_total": supplementary,
        "original_total": publication.total_amount - supplementary,
    }


def public_version_url(publication: Publication, language: str) -> str:
    """The version's public page, from SITE_URL (never from a request's host)."""
    scope = publication.track.code if publication.track_id else ALL_TRACKS
    with override(language):
        path = reverse(
            "publications:version",
            kwargs={"year": publication.round.year, "scope": scope, "version": publication.version},
        )
    return settings.SITE_URL.rstrip("/") + path


def footer_left(publication: Publication) -> str:
    track = f" – {publication.track.code}" if publication.track_id else ""
    return f"Delmos – {publication.round.year}{track} – v{publication.version}"


def render_publication_pdf(publication: Publication, language: str, *, progress=None) -> bytes:
    """The list's PDF in `language`; a long list in chunks (grants/pdf_chunked.py), calling
    `progress(rows_done, rows)` as it goes."""
    context = list_context(publication)
    context["page_counter"] = page_counter_css(language)
    context["public_url"] = public_version_url(publication, language)
    context["footer_left"] = footer_left(publication)
    return pdf_chunked.render_list(
        "pdf/award_list.html", context, context["rows"], language=language, progress=progress
    )


DEFAULT_SECONDS_PER_ROW = 0.02  # one PDF, before any list has been rendered on this machine


def estimate_seconds(publication: Publication) -> int:
    """Seconds to render both PDFs of `publication`, from the last list rendered here."""
    last = (
        Publication.objects.filter(
            status=Publication.Status.DONE, row_count__gt=0, started_at__isnull=False
        )
        .exclude(finished_at=None)
        .order_by("-finished_at")
        .values("row_count", "started_at", "finished_at")
        .first()
    )
    per_row = DEFAULT_SECONDS_PER_ROW * len(LANGUAGES)
    if last:
        per_row = (last["finished_at"] - last["started_at"]).total_seconds() / last["row_count"]
    return max(1, round(per_row * max(publication.row_count, 1)))


def _progress(publication_id: int, **values) -> None:
    publication = Publication.objects.only("progress").get(pk=publication_id)
    Publication.objects.filter(pk=publication_id).update(
        progress={**(publication.progress or {}), **values}
    )


def _claim(publication_id: int) -> Publication | None:
    with transaction.atomic():
        publication = (
            Publication.objects.select_for_update(of=("self",))
            .select_related("round", "track")
            .filter(pk=publication_id)
            .first()
        )
        if publication is None or publication.status not in PUBLICATION_CLAIMABLE_STATUSES:
            return None
        publication.attempts += 1
        publication.progress = {
            "languages": len(LANGUAGES),
            "languages_done": [],
            "rows_done": 0,
            "rows_total": publication.row_count * len(LANGUAGES),
            "estimate_seconds": estimate_seconds(publication),
        }
        workflow.transition(
            publication,
            Publication.Status.RENDERING,
            data={"publication": publication.pk, "attempt": publication.attempts},
            fields=["attempts", "progress"],
        )
    return publication


def _settle(publication_id: int, *, status: str, error: str = "", files=None) -> None:
    with transaction.atomic():
        publication = (
            Publication.objects.select_for_update(of=("self",))
            .select_related("round", "track")
            .get(pk=publication_id)
        )
        publication.error = error
        fields = ["error"]
        data = {"publication": publication.pk}
        if files:
            publication.pdf.name = files["sv"][0]
            publication.pdf_en.name = files["en"][0]
            fields += ["pdf", "pdf_en"]
            data["attempts"] = publication.attempts
            data["files"] = {lang: {"name": n, "sha256": h} for lang, (n, h) in files.items()}
        if error:
            data["error"] = error[:500]
        workflow.transition(publication, status, data=data, fields=fields)


def publication_render(publication_id: int, *, last_attempt: bool = True) -> str:
    """Render one publication's Swedish and English PDFs. Safe to run any number of times:
    "done", "skipped" (done already, or not claimable), "busy" (another worker renders it) or
    "failed". A transient error (a full disk, a lost database connection) puts the row back to
    pending and is raised, so the outbox tries again after its back-off, unless this is the
    `last_attempt`: then the row fails with the error."""
    with render_lock(publication_id) as taken:
        if not taken:
            return "busy"  # another worker renders it right now
        publication = _claim(publication_id)
        if publication is None:
            return "skipped"
        try:
            files = {}
            for index, language in enumerate(LANGUAGES):

                def rows_laid_out(done, rows, before=index * publication.row_count):
                    _progress(publication_id, rows_done=before + done)

                data = render_publication_pdf(publication, language, progress=rows_laid_out)
                name = file_name(publication, language)
                files[language] = (name, write_atomically(name, data))
                _progress(publication_id, languages_done=list(files))
        except SoftTimeLimitExceeded:
            _settle(
                publication_id,
                status=Publication.Status.FAILED,
                error=f"Rendering took longer than {TIME_LIMIT - 30} s.",
            )
            return "failed"
        except (OSError, DatabaseError) as exc:
            log.warning("Publication %s: %s", publication_id, exc)
            if last_attempt:
                _settle(publication_id, status=Publication.Status.FAILED, error=repr(exc))
                return "failed"
            _settle(publication_id, status=Publication.Status.PENDING, error=repr(exc))
            raise
        except Exception as exc:  # a bug or bad data: retrying would not help
            log.exception("Publication %s failed", publication_id)
            _settle(publication_id, status=Publication.Status.FAILED, error=repr(exc))
            return "failed"
        _settle(publication_id, status=Publication.Status.DONE, files=files)
        return "done"


def publication_job_failed(job: OutboxJob) -> None:
    """The outbox gave up on a list: a row left rendering shows the job's error as failed."""
    publication = (
        Publication.objects.select_for_update(of=("self",))
        .select_related("round", "track")
        .filter(pk=job.payload["publication"])
        .first()
    )
    if publication is not None and publication.status == Publication.Status.RENDERING:
        publication.error = job.error
        workflow.transition(
            publication,
            Publication.Status.FAILED,
            data={"publication": publication.pk, "error": job.error[:500]},
            fields=["error"],
        )


def publication_job_retried(job: OutboxJob, user) -> None:
    """An officer retried the list's job: the failed list is queued again with it."""
    publication = (
        Publication.objects.select_for_update(of=("self",))
        .select_related("round", "track")
        .filter(pk=job.payload["publication"])
        .first()
    )
    if publication is not None and publication.status == Publication.Status.FAILED:
        publication.error = ""
        workflow.transition(
            publication,
            Publication.Status.PENDING,
            data={"publication": publication.pk, "job": job.pk},
            fields=["error"],
        )


@handler("publication", failed=publication_job_failed, retried=publication_job_retried)
def publication_job(job: OutboxJob) -> dict:
    publication_id = job.payload["publication"]
    outcome = publication_render(publication_id, last_attempt=job.attempts >= job.max_attempts)
    if outcome == "busy":
        raise RetryLater("Another worker renders this list right now.")
    publication = Publication.objects.only("status", "error", "pdf", "pdf_en").get(
        pk=publication_id
    )
    if publication.status == Publication.Status.FAILED:
        raise PermanentError(publication.error or "The list failed to render.")
    return {"outcome": outcome, "file": publication.pdf.name, "file_en": publication.pdf_en.name}
