"""Real services the fault tests start and break on their own ports (never the shared Redis or
PostgreSQL): a Redis without persistence, an SMTP server (aiosmtpd) that can refuse or be slow,
and a PostgreSQL cluster (initdb/pg_ctl, as deploy/production-smoke.sh starts one)."""

import asyncio
import email
import glob
import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

from aiosmtpd.controller import Controller

PORT_BASE = int(os.environ.get("DELMOS_FAULT_PORT_BASE", "8220"))
REDIS_PORT = PORT_BASE + 1
POSTGRES_PORT = PORT_BASE + 2
SMTP_PORT = PORT_BASE + 3
GUNICORN_PORT = PORT_BASE + 4


def _wait(condition, timeout=60.0, what="a service"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"Timed out waiting for {what}")


class Redis:
    """redis-server on its own port, without persistence: a restart loses every message."""

    def __init__(self, folder: Path, port: int = REDIS_PORT):
        self.folder = folder
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"

    def _ping(self) -> bool:
        return (
            subprocess.run(
                ["redis-cli", "-p", str(self.port), "ping"], capture_output=True, timeout=10
            ).stdout.strip()
            == b"PONG"
        )

    def start(self):
        self.folder.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                "redis-server",
                "--daemonize", "yes",
                "--bind", "127.0.0.1",
                "--port", str(self.port),
                "--dir", str(self.folder),
                "--pidfile", str(self.folder / "redis.pid"),
                "--logfile", str(self.folder / "redis.log"),
                "--save", "",
                "--appendonly", "no",
            ],
            check=True,
            timeout=30,
        )  # fmt: skip
        _wait(self._ping, what="Redis to start")

    def stop(self):
        subprocess.run(
            ["redis-cli", "-p", str(self.port), "shutdown", "nosave"],
            capture_output=True,
            timeout=30,
        )
        _wait(lambda: not self._ping(), what="Redis to stop")

    def restart(self):
        self.stop()
        self.start()

    def queued(self) -> int:
        """Messages waiting in Celery's default queue."""
        out = subprocess.run(
            ["redis-cli", "-p", str(self.port), "llen", "celery"], capture_output=True, timeout=10
        )
        return int(out.stdout.strip() or 0)


class _Handler:
    def __init__(self, sink):
        self.sink = sink

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.sink.slow_seconds:
            await asyncio.sleep(self.sink.slow_seconds)
        if time.monotonic() < self.sink.refuse_until:
            self.sink.refused += 1
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.sink.record(envelope.content)
        return "250 Message accepted for delivery"


class SmtpSink:
    """An SMTP server in this process that keeps what it accepts. `refuse_for(s)` answers 451
    for a while; `slow_seconds` delays each recipient's answer (a worker killed then has sent
    nothing); `stop()` leaves the port closed (connection refused)."""

    def __init__(self, port: int = SMTP_PORT):
        self.port = port
        self.messages: list[email.message.Message] = []
        self.refuse_until = 0.0
        self.slow_seconds = 0.0
        self.refused = 0
        self.lock = threading.Lock()
        self.controller = None

    def record(self, content: bytes):
        with self.lock:
            self.messages.append(email.message_from_bytes(content))

    def message_ids(self) -> list[str]:
        with self.lock:
            return [m["Message-ID"] for m in self.messages]

    def refuse_for(self, seconds: float):
        self.refuse_until = time.monotonic() + seconds

    def start(self):
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def reset(self):
        with self.lock:
            self.messages.clear()
        self.refuse_until = 0.0
        self.slow_seconds = 0.0
        self.refused = 0


def postgres_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    return Path(shutil.which("initdb")).parent


class Postgres:
    """A PostgreSQL cluster of the test's own (initdb, pg_ctl) on its own port."""

    def __init__(self, folder: Path, port: int = POSTGRES_PORT):
        self.folder = folder
        self.port = port
        self.bin = postgres_bin()
        self.url = f"postgres://postgres@127.0.0.1:{port}/delmos_outbox_fault"

    def _as_postgres(self, args, **kwargs):
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            args = ["runuser", "-u", "postgres", "--", *args]
        return subprocess.run(args, **kwargs)

    def init(self):
        self.folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres")
        self._as_postgres(
            [
                str(self.bin / "initdb"), "-D", str(self.folder / "data"), "-U", "postgres",
                "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync",
            ],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        self.start()
        self._as_postgres(
            [str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U",
             "postgres", "delmos_outbox_fault"],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip

    def start(self):
        self._as_postgres(
            [
                str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), "-l",
                str(self.folder / "postgres.log"), "-w", "-t", "60", "-o",
                f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
                "-c fsync=off -c full_page_writes=off",
                "start",
            ],
            check=True, capture_output=True, timeout=90,
        )  # fmt: skip

    def stop(self, mode: str = "fast"):
        self._as_postgres(
            [str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), "-m", mode, "-w", "stop"],
            capture_output=True,
            timeout=90,
        )
