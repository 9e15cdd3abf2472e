"""What an operator asks first: are the jobs moving? Queue depths in the broker, and per job
queue kept in the database the pending jobs, the oldest of them and the failed ones."""

import json

from django.core.management.base import BaseCommand
from django.utils import timezone

from grants.selectors import operations


class Command(BaseCommand):
    help = (
        "Print the job queues: messages waiting in the broker, and per job queue the pending "
        "jobs, the oldest pending job and the failed jobs (in all and today). Exits 1 when a "
        "queue is stuck."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="print one JSON object"
        )

    def handle(self, *args, as_json: bool = False, **options):
        now = timezone.now()
        try:
            broker = operations.broker_queue_depths()
            broker_error = None
        except Exception as exc:  # noqa: BLE001 - report the broker as down, keep going
            broker, broker_error = None, f"{type(exc).__name__}: {exc}"
        queues = operations.queue_figures(now)
        stuck = [q.name for q in queues if q.stuck(now)]
        if as_json:
            self._print_json(now, broker, broker_error, queues, stuck)
        else:
            self._print_text(now, broker, broker_error, queues, stuck)
        if stuck or broker_error:
            raise SystemExit(1)

    def _print_text(self, now, broker, broker_error, queues, stuck):
        write = self.stdout.write
        write(f"status at {timezone.localtime(now):%Y-%m-%d %H:%M:%S %Z}")
        if broker_error:
            write(self.style.ERROR(f"broker: unreachable ({broker_error})"))
        elif broker is None:
            write("broker: none (tasks run eagerly)")
        else:
            for name, depth in broker.items():
                write(f"broker queue {name}: {depth} waiting")
        for q in queues:
            oldest = (
                f"oldest pending {timezone.localtime(q.oldest_pending):%Y-%m-%d %H:%M:%S}"
                f" ({int((now - q.oldest_pending).total_seconds())} s ago)"
                if q.oldest_pending
                else "no pending job"
            )
            line = (
                f"{q.name}: {q.pending} pending, {oldest}, "
                f"{q.failed} failed ({q.failed_today} today)"
            )
            write(self.style.ERROR(line + " - STUCK") if q.name in stuck else line)

    def _print_json(self, now, broker, broker_error, queues, stuck):
        data = {
            "time": now.isoformat(),
            "broker": {"error": broker_error} if broker_error else broker,
            "queues": [
                {
                    "name": q.name,
                    "pending": q.pending,
                    "oldest_pending": q.oldest_pending.isoformat() if q.oldest_pending else None,
                    "failed": q.failed,
                    "failed_today": q.failed_today,
                    "stuck": q.name in stuck,
                }
                for q in queues
            ],
        }
        self.stdout.write(json.dumps(data))
