"""Health endpoints for the orchestrator and the load balancer, outside the language prefixes.

/healthz: the process is alive and answers (no database, so a database outage does not make the
orchestrator restart every web process). /readyz: the process can do its work: the database,
the cache, the broker and both file storages answer, and no job queue is stuck. Both answer
JSON and are never cached."""

import logging
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from delmos.celery import app
from grants.selectors import operations

log = logging.getLogger(__name__)


@never_cache
@require_safe
def healthz(request):
    return JsonResponse({"status": "ok"})


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _cache() -> str:
    key = f"readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", 10)
    if cache.get(key) != "1":
        raise RuntimeError("the cache did not return what was written")
    cache.delete(key)
    return "ok"


def _broker() -> str:
    if not settings.CELERY_BROKER_URL:
        return "eager (no broker)"
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return "ok"


def _storage(alias: str):
    def check() -> str:
        storage = storages[alias]
        name = storage.save(f".health/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
        try:
            with storage.open(name, "rb") as handle:
                if handle.read() != b"ok":
                    raise RuntimeError("the storage did not return what was written")
        finally:
            storage.delete(name)
        return "ok"

    return check


def _queues() -> str:
    now = timezone.now()
    stuck = [q.name for q in operations.queue_figures(now) if q.stuck(now)]
    if stuck:
        raise RuntimeError("stuck: " + ", ".join(stuck))
    return "ok"


CHECKS = {
    "database": _database,
    "cache": _cache,
    "broker": _broker,
    "storage": _storage("default"),
    "private_storage": _storage("private"),
    "queues": _queues,
}


@never_cache
@require_safe
def readyz(request):
    results, ok = {}, True
    for name, check in CHECKS.items():
        started = time.monotonic()
        try:
            results[name] = check()
        except Exception as exc:  # noqa: BLE001 - any failure makes the process not ready
            # The details go to the log only: the endpoint is reachable from outside.
            log.warning("readyz: %s failed: %s: %s", name, type(exc).__name__, exc)
            results[name] = "error"
            ok = False
        results[f"{name}_ms"] = round((time.monotonic() - started) * 1000, 1)
    return JsonResponse(
        {"status": "ok" if ok else "error", "checks": results}, status=200 if ok else 503
    )
