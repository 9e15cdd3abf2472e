"""A real Celery worker (with its beat, which runs the sweeper) against the test's PostgreSQL
database and the Redis named by CELERY_TEST_BROKER_URL. Tests use transaction=True so the worker
sees what they commit."""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def wait_for(condition, *, timeout=90.0, interval=0.2, what="the condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"Timed out after {timeout} s waiting for {what}")


@pytest.fixture
def broker_url():
    url = os.environ.get("CELERY_TEST_BROKER_URL")
    if not url:
        pytest.fail("Worker tests need CELERY_TEST_BROKER_URL, e.g. redis://127.0.0.1:6379/5")
    return url


@pytest.fixture
def broker(broker_url):
    client = redis.Redis.from_url(broker_url)
    client.flushdb()  # this database number is the test's alone
    yield client
    client.flushdb()


def _database_url() -> str:
    db = connection.settings_dict
    auth = quote(db["USER"] or "")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{auth}@{host}:{port}/{db['NAME']}"


@pytest.fixture
def celery_producer(broker_url):
    """Make this test process send tasks to the broker instead of running them eagerly."""
    from delmos.celery import app

    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url=broker_url, task_always_eager=False)
    app._pool = None
    app.amqp._producer_pool = None
    yield app
    app.conf.update(saved)
    app._pool = None
    app.amqp._producer_pool = None


class Worker:
    """One `celery -A delmos worker -B` process group, started and killed by the test."""

    def __init__(self, *, broker_url: str, folder: Path, env: dict | None = None):
        self.broker_url = broker_url
        self.folder = folder
        # Settings a test changes for the worker; the open data job stays out of the way of the
        # other tests (it would share their one pool process) unless a test asks for it.
        self.env = {"OPENDATA_SWEEP_SECONDS": "3600", **(env or {})}
        self.process: subprocess.Popen | None = None
        self.starts = 0

    def start(self):
        self.starts += 1
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "delmos.settings",
            "DATABASE_URL": _database_url(),
            "CELERY_BROKER_URL": self.broker_url,
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "PRIVATE_MEDIA_ROOT": str(settings.PRIVATE_MEDIA_ROOT),
            "PUBLICATION_SWEEP_SECONDS": "2",
            "PUBLICATION_PENDING_GRACE": "3",
            "OUTBOX_SWEEP_SECONDS": "2",
            "OUTBOX_REQUEUE_GRACE": "3",
            "OUTBOX_RETRY_BASE_SECONDS": "1",
            "OUTBOX_RETRY_MAX_SECONDS": "4",
            "OUTBOX_MAX_ATTEMPTS": "30",
            "DATABASE_CONN_MAX_AGE": "0",
            **self.env,
        }
        env.pop("CELERY_TASK_ALWAYS_EAGER", None)
        log = open(self.folder / f"worker-{self.starts}.log", "wb")  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "delmos",
                "worker",
                "--beat",
                "--schedule",
                str(self.folder / f"beat-{uuid.uuid4().hex}"),
                "--concurrency",
                "1",
                "--loglevel",
                "INFO",
                "--without-gossip",
                "--without-mingle",
                "--hostname",
                f"test-{uuid.uuid4().hex[:8]}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        wait_for(
            lambda: b"ready." in self.log(),
            timeout=60,
            what="the worker to start (log: %s)" % (self.folder / f"worker-{self.starts}.log"),
        )

    def log(self) -> bytes:
        return (self.folder / f"worker-{self.starts}.log").read_bytes()

    def kill(self):
        """kill -9 the worker, its pool processes and its beat."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)
        self.process = None

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
        self.process = None


@pytest.fixture
def worker_env():
    """Extra environment for the worker (a module's fixture may override this)."""
    return {}


@pytest.fixture
def worker(transactional_db, broker, celery_producer, broker_url, tmp_path, worker_env):
    if connection.vendor != "postgresql":
        pytest.fail("Worker tests need DATABASE_URL on PostgreSQL (the worker shares the database)")
    celery_worker = Worker(broker_url=broker_url, folder=tmp_path, env=worker_env)
    yield celery_worker
    celery_worker.stop()
    connection.close()  # let the flush after the test take its locks
