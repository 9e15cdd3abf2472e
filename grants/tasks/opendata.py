"""Writing the open data files: the whole 360Giving package and the whole CSV, once per public
data version (grants/dbtriggers.py changes the version in every transaction that writes public
data).

The job compares the current data version with the newest OpenDataRelease and, when they
differ, writes both files from one consistent snapshot of the database (a REPEATABLE READ,
read-only transaction on PostgreSQL, whose first read is the version itself), streaming: a chunk
of grants at a time into a temporary file that is renamed into place, so memory stays flat and a
reader never sees half a file. The row is created only once both files are complete; the web
serves the newest row's files and, while a newer version is being written, goes on serving the
previous one (grants/views/public.py).

The job first rebuilds the award list's precomputed counts when the grants have changed
(grants/selectors/facets.py), under a lock of its own.

Celery beat runs the job every OPENDATA_SWEEP_SECONDS, the way the publication sweeper runs:
the database triggers that change the version know nothing of Celery, so the job looks rather
than being told. A PostgreSQL advisory lock keeps a second copy from writing at the same time;
a job killed half-way leaves only a `.part` file, removed by the next run, and no row.
"""

import contextlib
import hashlib
import logging
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from celery import shared_task
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from grants import opendata
from grants.models import OpenDataRelease
from grants.selectors import facets
from grants.selectors.public import public_data_fingerprint

log = logging.getLogger(__name__)

LOCK = (4005, 1)  # the advisory lock's two keys; 4004 is the publications'
COUNTS_LOCK = (4005, 2)  # the award list's precomputed counts (grants/selectors/facets.py)
KEEP = 2  # releases whose files stay on disk: the one served and the one before
TIME_LIMIT = getattr(settings, "OPENDATA_WRITE_TIME_LIMIT", 1800)
PACKAGE_NAME = "360giving.json"
CSV_NAME = "beviljade-bidrag.csv"


@contextlib.contextmanager
def write_lock(keys: tuple[int, int] = LOCK):
    """A session-level advisory lock on PostgreSQL (True when taken); always True elsewhere."""
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", keys)
        taken = cursor.fetchone()[0]
    try:
        yield taken
    finally:
        if taken:
            with contextlib.suppress(DatabaseError), connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", keys)


def refresh_counts() -> str:
    """Rebuild the award list's precomputed counts if the grants changed since they were built
    (first, and under a lock of their own: writing the files takes minutes at 500 000 grants,
    and until the counts are rebuilt the list's first visitors pay a scan)."""
    with write_lock(COUNTS_LOCK) as taken:
        if not taken:
            return "busy"
        return "rebuilt" if facets.refresh() else "current"


@contextlib.contextmanager
def snapshot():
    """One consistent view of the data for the whole write. SQLite (development, tests) reads
    without a transaction: its IMMEDIATE transactions would hold the write lock meanwhile.
    Inside a transaction already (a test), that transaction is the snapshot."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def stream_to_storage(name: str, pieces: Iterable[str]) -> tuple[str, str, int]:
    """Write the text `pieces` (UTF-8) under the storage `name` through a temporary file that is
    renamed into place. Returns the name, the SHA-256 and the size in bytes."""
    digest = hashlib.sha256()
    size = 0
    try:
        target = Path(default_storage.path(name))
    except NotImplementedError:
        target = None  # object storage (S3): spool locally, then one upload of the whole file
    directory = target.parent if target else None
    if directory:
        directory.mkdir(parents=True, exist_ok=True)
        for leftover in directory.glob(f".{target.name}.*.part"):  # a job killed mid-write
            leftover.unlink(missing_ok=True)
    fd, temporary = tempfile.mkstemp(dir=directory, prefix=f".{Path(name).name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            for piece in pieces:
                data = piece.encode()
                digest.update(data)
                size += len(data)
                handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if target is not None:
            os.chmod(temporary, 0o644)
            os.replace(temporary, target)
        else:
            if default_storage.exists(name):
                default_storage.delete(name)
            with open(temporary, "rb") as handle:
                saved = default_storage.save(name, File(handle))
            if saved != name:
                raise RuntimeError(f"storage saved {name!r} as {saved!r}")
            os.unlink(temporary)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    return name, digest.hexdigest(), size


def write_release() -> OpenDataRelease | None:
    """Write the files for the current data version unless they exist. Returns the new release,
    or None when the current version has its files already."""
    started = timezone.now()
    with snapshot():
        version = public_data_fingerprint()
        if version is None or OpenDataRelease.objects.filter(data_version=version).exists():
            return None
        folder = f"oppna-data/{version}"
        package = stream_to_storage(f"{folder}/{PACKAGE_NAME}", opendata.package_chunks())
        csv = stream_to_storage(f"{folder}/{CSV_NAME}", opendata.full_csv_chunks())
        count = opendata.published_grants().order_by().count()
    release, _created = OpenDataRelease.objects.get_or_create(
        data_version=version,
        defaults={
            "package": package[0],
            "package_sha256": package[1],
            "package_size": package[2],
            "csv": csv[0],
            "csv_sha256": csv[1],
            "csv_size": csv[2],
            "grant_count": count,
            "started_at": started,
            "written_at": timezone.now(),
        },
    )
    prune()
    log.info(
        "Open data for version %s: %s grants, package %s bytes, CSV %s bytes, %.1f s",
        version,
        count,
        package[2],
        csv[2],
        (timezone.now() - started).total_seconds(),
    )
    return release


def prune(keep: int = KEEP) -> int:
    """Delete all but the newest `keep` releases and their files. A download under way keeps
    reading a deleted file (POSIX keeps it until closed)."""
    old = list(opendata.releases()[keep:])
    for release in old:
        for field in (release.package, release.csv):
            if field.name:
                with contextlib.suppress(OSError):
                    default_storage.delete(field.name)
        release.delete()
    return len(old)


@shared_task(acks_late=True, time_limit=TIME_LIMIT, soft_time_limit=max(TIME_LIMIT - 30, 10))
def opendata_write() -> str:
    """Write the open data files for the current data version if they are missing. Run by
    Celery beat; safe to run any number of times and at once."""
    refresh_counts()
    with write_lock() as taken:
        if not taken:
            return "busy"  # another worker is writing right now
        release = write_release()
    return "written" if release else "current"
