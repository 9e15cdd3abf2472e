"""Benchmark of the case officers' queue (issue 15): the first page at 100 000 applications.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/delmos_bench_queue \\
        .venv/bin/python bench/queue_bench.py [--repeat 15] [--grants 100000] [--open 2000]

Fills an empty database once with `manage.py generate_bench_data` (the public benchmark's grants,
each one a decided application the queue lists, plus `--open` applications still in the
officers' hands and the staff who work them), runs VACUUM ANALYZE, then requests each queue page
in this process through Django's test client as a logged-in case officer: `--repeat` times after
two warm-up requests. For each page it prints the median and 95th percentile of the whole
request, the median time spent in SQL and the number of queries. The default order (by case
sequence) is measured twice: with the index and, inside a transaction rolled back afterwards,
without it, as before issue 15.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "delmos.settings")
os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/delmos_bench_queue"
)
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-used-anywhere-else-0123456789abc")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402 - the settings above come first
import psycopg  # noqa: E402
from psycopg import sql  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402

from grants.models import Application, Round, User  # noqa: E402
from grants.workflow import SUBMITTED_STATUSES  # noqa: E402


class _Rollback(Exception):
    pass


def _ensure_database() -> None:
    """Create the bench database on first use (psycopg, autocommit: CREATE DATABASE)."""
    name = connection.settings_dict["NAME"]
    server = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(server, autocommit=True) as admin:
        found = admin.execute("select 1 from pg_database where datname = %s", [name]).fetchone()
        if not found:
            admin.execute(sql.SQL("create database {}").format(sql.Identifier(name)))


def _measure(client: Client, path: str, repeat: int) -> dict:
    timings = []

    def timed(execute, statement, params, many, context):
        start = time.perf_counter()
        try:
            return execute(statement, params, many, context)
        finally:
            timings[-1].append(time.perf_counter() - start)

    walls = []
    for n in range(repeat + 2):
        timings.append([])
        start = time.perf_counter()
        with connection.execute_wrapper(timed):
            response = client.get(path)
        wall = time.perf_counter() - start
        assert response.status_code == 200, (path, response.status_code)
        if n >= 2:  # two warm-up requests
            walls.append(wall)
    measured = timings[2:]
    walls.sort()
    return {
        "median_ms": statistics.median(walls) * 1000,
        "p95_ms": walls[max(0, round(0.95 * len(walls)) - 1)] * 1000,
        "sql_ms": statistics.median(sum(q) for q in measured) * 1000,
        "queries": len(measured[-1]),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--grants", type=int, default=100_000)
    parser.add_argument("--open", type=int, default=2_000)
    args = parser.parse_args()

    _ensure_database()
    call_command("migrate", verbosity=0)
    if not Round.objects.filter(slug__startswith="bench-").exists():
        call_command("generate_bench_data", grants=args.grants, open_count=args.open)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    officer = User.objects.get(email="handlaggare1@bench.delmos.example")
    latest = Round.objects.filter(slug__startswith="bench-").order_by("-year").first()
    total = latest.applications.count()
    client = Client()
    client.force_login(officer)
    queue = Application.objects.filter(status__in=SUBMITTED_STATUSES).count()
    print(f"applications in the queue: {queue}")
    print(f"latest round: {latest.year}, {total} applications")

    pages = [
        ("default: all rounds, by case", "/handlaggning/ko/"),
        ("latest round", f"/handlaggning/ko/?round={latest.pk}"),
        ("in assessment, by score", "/handlaggning/ko/?status=in_assessment&sort=-score"),
        ("my cases", f"/handlaggning/ko/?officer={officer.pk}"),
        ("text search", "/handlaggning/ko/?q=Bolln%C3%A4s"),
        ("deep page", "/handlaggning/ko/?page=1000"),
    ]
    print(f"{'page':34} {'median':>9} {'p95':>9} {'SQL':>9} {'queries':>7}")
    for name, path in pages:
        row = _measure(client, path, args.repeat)
        print(
            f"{name:34} {row['median_ms']:7.0f}ms {row['p95_ms']:7.0f}ms "
            f"{row['sql_ms']:7.0f}ms {row['queries']:7d}"
        )
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("DROP INDEX application_case_order")
            row = _measure(client, "/handlaggning/ko/", args.repeat)
            print(
                f"{'default, WITHOUT the index':34} {row['median_ms']:7.0f}ms "
                f"{row['p95_ms']:7.0f}ms {row['sql_ms']:7.0f}ms {row['queries']:7d}"
            )
            raise _Rollback
    except _Rollback:
        pass


if __name__ == "__main__":
    main()
