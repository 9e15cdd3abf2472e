"""The outbox: every side effect a transaction promises (an e-mail, a receipt PDF, a decision or
recovery letter, an award list, a reminder) is a row written in that same transaction.

PostgreSQL is the truth, Redis only the doorbell:

- `enqueue(kind, payload=…)` writes an `OutboxJob` inside the caller's transaction and, once it
  commits, rings the doorbell: one Celery message with the row's id and nothing else. If the
  message is lost (Redis restarted, unreachable, a worker killed), the row is still there.
- `outbox_run` (the one dispatcher) takes the job's advisory lock (a second copy of the message
  backs off; the lock goes away by itself when a killed worker's connection closes), marks the row
  running, calls the kind's handler and marks it done with its result (a file, a Message-ID).
  A failed attempt is due again after a back-off (`backoff_seconds`); after the last attempt the
  row is failed with its error, shown to officers with a retry action (`retry`).
- `outbox_sweep` (Celery beat) re-enqueues what is due and not done: pending rows whose message
  should have run by now, and running rows whose lock is free (their worker died).
- Handlers are idempotent: run twice, they send one e-mail and write one file (they check what
  exists, write files under a fixed name through a temporary file, and an e-mail's job is done
  once its Message-ID is recorded).

Handlers register themselves with `@handler("kind")` in their task module (grants/tasks/, listed
in TASK_MODULES); a kind also needs a label in KIND_LABELS. Usage:

    # in a service, inside its transaction (an e-mail: grants.emails.email_send(…, application=…))
    enqueue("reminder", payload={"reminder": reminder.pk}, application=application,
            due_at=when, description="Progress report reminder")   # due_at: later is fine

    # grants/tasks/<area>.py (done=: a record written in the transaction that marks it done)
    @handler("reminder", done=reminder_job_done)
    def reminder_job(job: OutboxJob) -> dict:   # idempotent; raise to retry after a back-off,
        ...                                     # PermanentError to fail at once
        return {"message_id": …, "sent_at": …}  # kept as the job's result
"""

import contextlib
import importlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grants import workflow
from grants.models import OutboxJob
from grants.tasks import TASK_MODULES

log = logging.getLogger(__name__)

LOCK_CLASS = 4010  # first key of the job's advisory lock; the second is the job's id
SWEEP_BATCH = 500
# Long enough for the slowest kind (an award list of thousands of rows).
TIME_LIMIT = max(
    getattr(settings, "CELERY_TASK_TIME_LIMIT", 600),
    getattr(settings, "PUBLICATION_RENDER_TIME_LIMIT", 900),
)

# What each kind of job produces, for the officers' pages. A new kind adds its label here and
# registers its handler with @handler.
KIND_LABELS = {
    "email": _("E-mail"),
    "receipt": _("Application PDF"),
    "letter": _("Letter"),
    "publication": _("Award list"),
    "password_reset": _("Password reset"),
    "reminder": _("Reminder"),
}
DOCUMENT_KINDS = frozenset({"receipt", "letter", "publication"})


class PermanentError(Exception):
    """A handler's error that another attempt would not mend: the job fails at once."""


class RetryLater(Exception):
    """A handler's way to say: not now (e.g. busy elsewhere), try again after the back-off."""


@dataclass(frozen=True)
class Kind:
    name: str
    run: Callable[[OutboxJob], dict | None]
    # Called inside the transaction that fails the job for good, and the one that retries it.
    failed: Callable[[OutboxJob], None] | None = None
    retried: Callable[[OutboxJob, object], None] | None = None
    # Called inside the transaction that marks the job done (its result set): for a record the
    # effect keeps beside the job (a reminder's sent time), written exactly when the job is done.
    done: Callable[[OutboxJob], None] | None = None
    # Run the handler in the transaction that marks the job done: for handlers whose whole effect
    # is rows (e.g. more outbox jobs), which then happen exactly once.
    atomic: bool = False


KINDS: dict[str, Kind] = {}


def handler(name: str, *, failed=None, retried=None, done=None, atomic: bool = False):
    """Register the decorated function as the handler of jobs of kind `name`. It gets the job
    (running) and returns a dict for the job's result, or raises."""
    if name not in KIND_LABELS:
        raise ValueError(f"The outbox kind {name!r} needs a label in KIND_LABELS.")

    def register(function):
        KINDS[name] = Kind(
            name=name, run=function, failed=failed, retried=retried, done=done, atomic=atomic
        )
        return function

    return register


def load_handlers() -> None:
    """Import the task modules, where the handlers register (once per process)."""
    if len(KINDS) < len(KIND_LABELS):
        for module in TASK_MODULES:
            importlib.import_module(module)


def setting(name: str, default):
    return getattr(settings, name, default)


def backoff_seconds(attempts: int) -> int:
    """Seconds before attempt `attempts + 1`: doubling from OUTBOX_RETRY_BASE_SECONDS."""
    base = setting("OUTBOX_RETRY_BASE_SECONDS", 30)
    return int(min(setting("OUTBOX_RETRY_MAX_SECONDS", 3600), base * 2 ** max(attempts - 1, 0)))


# -- writing -----------------------------------------------------------------------------------


def enqueue(
    kind: str,
    *,
    payload: dict | None = None,
    application=None,
    round=None,
    description: str = "",
    due_at=None,
    max_attempts: int | None = None,
) -> OutboxJob:
    """Write a job of `kind` in the caller's transaction; its message goes out after commit (or,
    for a job due later, from the sweeper when it is due). `payload` is plain JSON: ids and
    values, never objects."""
    if kind not in KIND_LABELS:
        raise ValueError(f"Unknown outbox kind {kind!r}.")
    now = timezone.now()
    due_at = due_at or now
    job = workflow.new(
        OutboxJob,
        kind=kind,
        payload=payload or {},
        application=application,
        round=round if round is not None else getattr(application, "round", None),
        description=description[:200],
        due_at=due_at,
        enqueued_at=now if due_at <= now else None,
        max_attempts=max_attempts or setting("OUTBOX_MAX_ATTEMPTS", 8),
    )
    job.save()
    if due_at <= now:
        transaction.on_commit(lambda pk=job.pk: ring(pk))
    return job


def ring(job_id: int, *, countdown: float | None = None) -> bool:
    """Hand the job's id to the broker. A broker that is down loses nothing: the sweeper finds
    the row; so a failure here is logged, not raised into the request that committed."""
    try:
        if countdown:
            outbox_run.apply_async((job_id,), countdown=countdown)
        else:
            outbox_run.delay(job_id)
    except Exception as exc:  # the broker is unreachable: the sweeper will bring the job
        if outbox_run.app.conf.task_always_eager:
            raise  # running in-process, this is the dispatcher's own bug: show it
        log.warning("Outbox job %s not handed to the broker (%s); the sweeper will", job_id, exc)
        return False
    return True


def retry(*, job: OutboxJob, user, hooks: bool = True) -> OutboxJob:
    """An officer's retry of a failed job: all its attempts again, from now. `hooks=False` when
    the caller has queued the job's object again itself (a list's own retry)."""
    load_handlers()
    with transaction.atomic():
        job = OutboxJob.objects.select_for_update().get(pk=job.pk)
        previous = job.error
        job.attempts = 0
        job.due_at = job.enqueued_at = timezone.now()
        workflow.transition(
            job,
            OutboxJob.Status.PENDING,
            user=user,
            data={"job": job.pk, "kind": job.kind, "error": previous[:500]},
            fields=["attempts", "due_at", "enqueued_at"],
        )
        kind = KINDS.get(job.kind)
        if hooks and kind and kind.retried:
            kind.retried(job, user)
        transaction.on_commit(lambda: ring(job.pk))
    return job


# -- running -----------------------------------------------------------------------------------


@contextlib.contextmanager
def job_lock(job_id: int):
    """The job's session-level advisory lock on PostgreSQL (True when taken); True elsewhere."""
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_CLASS, job_id])
        taken = cursor.fetchone()[0]
    try:
        yield taken
    finally:
        if taken:
            with contextlib.suppress(DatabaseError), connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_CLASS, job_id])


def lock_is_free(job_id: int) -> bool:
    with job_lock(job_id) as taken:
        return taken


def _claim(job_id: int) -> OutboxJob | None:
    with transaction.atomic():
        job = OutboxJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status not in (OutboxJob.Status.PENDING, OutboxJob.Status.RUNNING):
            return None
        if job.status == OutboxJob.Status.PENDING and job.due_at > timezone.now() + timedelta(
            seconds=1
        ):
            return None  # backing off; its own message (or the sweeper) brings it when due
        job.attempts += 1
        workflow.transition(job, OutboxJob.Status.RUNNING, fields=["attempts"])
    return job


def _finish(job_id: int, result: dict) -> None:
    with transaction.atomic():
        job = OutboxJob.objects.select_for_update().get(pk=job_id)
        job.result = result
        job.error = ""
        job.message_id = result.get("message_id", "")[:200]
        workflow.transition(job, OutboxJob.Status.DONE, fields=["result", "error", "message_id"])
        kind = KINDS.get(job.kind)
        if kind and kind.done:
            kind.done(job)


def _finish_patiently(job_id: int, result: dict) -> None:
    """Record a job whose effect has happened (an e-mail the SMTP server accepted): if the
    database is away just then (restarting), wait for it rather than leave the job to run again,
    for up to OUTBOX_RECORD_PATIENCE seconds."""
    deadline = time.monotonic() + setting("OUTBOX_RECORD_PATIENCE", 300)
    while True:
        try:
            _finish(job_id, result)
            return
        except (OperationalError, InterfaceError) as exc:
            if time.monotonic() > deadline:
                raise
            log.warning("Outbox job %s done; recording it waits for the database (%s)", job_id, exc)
            connection.close()  # the next attempt opens a new connection
            time.sleep(1)


def _fail(job_id: int, exc: BaseException, *, eager: bool) -> str:
    """Record a failed attempt: due again after the back-off, or failed for good."""
    error = f"{type(exc).__name__}: {exc}"[:2000]
    with transaction.atomic():
        job = OutboxJob.objects.select_for_update().get(pk=job_id)
        job.error = error
        if isinstance(exc, PermanentError) or job.attempts >= job.max_attempts:
            workflow.transition(
                job,
                OutboxJob.Status.FAILED,
                data={"job": job.pk, "kind": job.kind, "attempts": job.attempts, "error": error},
                fields=["error"],
            )
            kind = KINDS.get(job.kind)
            if kind and kind.failed:
                kind.failed(job)
            return "failed"
        delay = backoff_seconds(job.attempts)
        job.due_at = job.enqueued_at = timezone.now() + timedelta(seconds=delay)
        workflow.transition(
            job, OutboxJob.Status.PENDING, fields=["error", "due_at", "enqueued_at"]
        )
        if not eager:  # in-process (no broker) the sweeper is the only one to try again
            transaction.on_commit(lambda: ring(job_id, countdown=delay))
    return "retry"


def run(job_id: int, *, eager: bool = False) -> str:
    """Run one job if it is due and not done: "done", "retry", "failed", "skipped" or "busy"."""
    load_handlers()
    with job_lock(job_id) as taken:
        if not taken:
            return "busy"  # another worker runs it right now
        job = _claim(job_id)
        if job is None:
            return "skipped"
        try:
            kind = KINDS.get(job.kind)
            if kind is None:
                raise PermanentError(f"No handler for the outbox kind {job.kind!r}.")
            if kind.atomic:
                with transaction.atomic():
                    _finish(job_id, kind.run(job) or {})
            else:
                result = kind.run(job) or {}
        except Exception as exc:
            log.warning("Outbox job %s (%s) attempt %s: %r", job_id, job.kind, job.attempts, exc)
            return _fail(job_id, exc, eager=eager)
        if not kind.atomic:
            _finish_patiently(job_id, result)
        return "done"


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    time_limit=TIME_LIMIT,
    soft_time_limit=TIME_LIMIT - 30,
    name="grants.outbox.run",
)
def outbox_run(self, job_id: int) -> str:
    """The one dispatcher: the message carries the job's id, the row everything else."""
    return run(job_id, eager=bool(self.request.is_eager))


def due_jobs(now=None) -> list[int]:
    """Ids of jobs that should be running and are not: due pending rows whose message should have
    arrived a grace period ago, and running rows whose worker died."""
    now = now or timezone.now()
    grace = timedelta(seconds=setting("OUTBOX_REQUEUE_GRACE", 60))
    pending = list(
        OutboxJob.objects.filter(status=OutboxJob.Status.PENDING, due_at__lte=now)
        .filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lte=now - grace))
        .order_by("due_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    # A running job's worker may be waiting for the database to record it: give it the grace too.
    running = OutboxJob.objects.filter(
        status=OutboxJob.Status.RUNNING, started_at__lte=now - grace
    ).order_by("started_at")
    if connection.vendor == "postgresql":
        stuck = [
            pk for pk in running.values_list("pk", flat=True)[:SWEEP_BATCH] if lock_is_free(pk)
        ]
    else:  # no advisory locks: a run older than the task time limit has died
        limit = TIME_LIMIT + 60
        stuck = list(
            running.filter(started_at__lte=now - timedelta(seconds=limit)).values_list(
                "pk", flat=True
            )[:SWEEP_BATCH]
        )
    return pending + stuck


@shared_task(acks_late=True, name="grants.outbox.sweep")
def outbox_sweep() -> list[int]:
    """Re-enqueue every job that is due and not done, of every kind (Celery beat runs this)."""
    requeued = due_jobs()
    if requeued:
        OutboxJob.objects.filter(pk__in=requeued).update(enqueued_at=timezone.now())
        for pk in requeued:
            ring(pk)
        log.info("Outbox sweeper re-enqueued %s job(s): %s", len(requeued), requeued[:50])
    return requeued
