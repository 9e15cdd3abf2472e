"""What the operators watch: the job queues whose state lives in the database, and the broker.

Each queue is a `JobQueue`: a name and a function that reads its figures. The publication queue is
the first; another (an e-mail outbox, say) joins by appending to QUEUES. `/readyz` and
`manage.py status` read the same figures, so the health check and the operator agree."""

import dataclasses
import datetime as dt
from collections.abc import Callable

from django.conf import settings
from django.db.models import Count, Max, Min, Q
from django.utils import timezone

from delmos.celery import app
from grants.models import OutboxJob, Publication


@dataclasses.dataclass(frozen=True)
class QueueFigures:
    name: str
    pending: int
    oldest_pending: dt.datetime | None
    failed: int
    failed_today: int
    # The last time a job of the queue started or finished.
    last_progress: dt.datetime | None
    # Jobs waiting longer than this while none started or finished: the queue is stuck, and the
    # readiness check fails. A long queue that is being worked through is not stuck.
    stuck_after: dt.timedelta

    def stuck(self, now: dt.datetime) -> bool:
        if self.oldest_pending is None or now - self.oldest_pending <= self.stuck_after:
            return False
        return self.last_progress is None or now - self.last_progress > self.stuck_after


@dataclasses.dataclass(frozen=True)
class JobQueue:
    name: str
    read: Callable[[dt.datetime], QueueFigures]


def _publications(now: dt.datetime) -> QueueFigures:
    waiting = Q(status__in=[Publication.Status.PENDING, Publication.Status.RENDERING])
    failed = Q(status=Publication.Status.FAILED)
    start_of_day = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    figures = Publication.objects.aggregate(
        pending=Count("pk", filter=waiting),
        oldest=Min("published_at", filter=waiting),
        failed=Count("pk", filter=failed),
        failed_today=Count("pk", filter=failed & Q(finished_at__gte=start_of_day)),
        last_started=Max("started_at"),
        last_finished=Max("finished_at"),
    )
    progress = [v for v in (figures["last_started"], figures["last_finished"]) if v is not None]
    # The sweeper re-enqueues a job after PUBLICATION_PENDING_GRACE; a job still waiting after
    # several sweeps and a whole render time limit is stuck.
    grace = settings.PUBLICATION_PENDING_GRACE
    limit = settings.PUBLICATION_RENDER_TIME_LIMIT
    return QueueFigures(
        name="publications",
        pending=figures["pending"],
        oldest_pending=figures["oldest"],
        failed=figures["failed"],
        failed_today=figures["failed_today"],
        last_progress=max(progress) if progress else None,
        stuck_after=dt.timedelta(seconds=3 * grace + limit),
    )


def _outbox(now: dt.datetime) -> QueueFigures:
    """Every side effect's job (e-mails, receipts, letters, lists): due and not done, failed."""
    waiting = Q(status__in=[OutboxJob.Status.PENDING, OutboxJob.Status.RUNNING], due_at__lte=now)
    failed = Q(status=OutboxJob.Status.FAILED)
    start_of_day = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    figures = OutboxJob.objects.aggregate(
        pending=Count("pk", filter=waiting),
        oldest=Min("due_at", filter=waiting),
        failed=Count("pk", filter=failed),
        failed_today=Count("pk", filter=failed & Q(finished_at__gte=start_of_day)),
        last_started=Max("started_at"),
        last_finished=Max("finished_at"),
    )
    progress = [v for v in (figures["last_started"], figures["last_finished"]) if v is not None]
    grace = settings.OUTBOX_REQUEUE_GRACE
    limit = max(settings.CELERY_TASK_TIME_LIMIT, settings.PUBLICATION_RENDER_TIME_LIMIT)
    return QueueFigures(
        name="outbox",
        pending=figures["pending"],
        oldest_pending=figures["oldest"],
        failed=figures["failed"],
        failed_today=figures["failed_today"],
        last_progress=max(progress) if progress else None,
        stuck_after=dt.timedelta(seconds=3 * grace + limit),
    )


QUEUES: list[JobQueue] = [JobQueue("publications", _publications), JobQueue("outbox", _outbox)]


def queue_figures(now: dt.datetime | None = None) -> list[QueueFigures]:
    now = now or timezone.now()
    return [queue.read(now) for queue in QUEUES]


def broker_queue_depths() -> dict[str, int] | None:
    """Messages waiting in the broker per Celery queue (Redis lists), None without a broker."""
    if not settings.CELERY_BROKER_URL:
        return None
    names = {queue.name for queue in (app.conf.task_queues or [])} or {app.conf.task_default_queue}
    depths = {}
    with app.connection_for_read() as connection:
        channel = connection.default_channel
        for name in sorted(names):
            try:
                depths[name] = channel.queue_declare(queue=name, passive=True).message_count
            except Exception:  # noqa: BLE001 - a queue nobody declared yet holds nothing
                depths[name] = 0
    return depths
