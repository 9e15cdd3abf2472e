"""Benchmark of the annual report's figures page (issue 9, item 7): queries and time for the
tables (grants.selectors.annual_figures.annual_tables), the settled grants, and the whole page.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/delmos_followup_bench \\
        .venv/bin/python bench/annual_figures_bench.py --grants 20000

On an empty database it migrates, runs `generate_bench_data --grants N`, then gives every grant
two paid instalments and an approved final report, and every tenth a recovery claim for the part
not used (half of them settled). Each measurement is the best of --repeat runs.
"""

import argparse
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "delmos.settings")
if os.environ.get("BENCH_DATABASE_URL"):
    os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from grants import workflow  # noqa: E402
from grants.models import Grant, Payment, RecoveryClaim, Report, User  # noqa: E402
from grants.roles import CASE_OFFICER  # noqa: E402
from grants.selectors import annual_figures  # noqa: E402

BATCH = 5_000


def fill(grants: int) -> None:
    call_command("migrate", verbosity=0)
    if not Grant.objects.exists():
        call_command("generate_bench_data", grants=grants, verbosity=0)
    if Payment.objects.exists():
        return
    paid_at = timezone.now()
    with transaction.atomic():
        rows = list(Grant.objects.values_list("pk", "amount_total").order_by("pk"))
        payments, reports = [], []
        for pk, total in rows:
            first = total // 2
            for number, amount in ((1, first), (2, total - first)):
                payments.append(
                    workflow.new(
                        Payment,
                        history=(Payment.Status.RELEASED, Payment.Status.PAID),
                        grant_id=pk,
                        number=number,
                        due_date=dt.date(2024, 6 * number, 1),
                        amount=amount,
                        paid_at=paid_at,
                    )
                )
            used = total - (total // 10 if pk % 10 == 0 else 0)
            reports.append(
                workflow.new(
                    Report,
                    history=(
                        Report.Review.NOT_SUBMITTED,
                        Report.Review.PENDING,
                        Report.Review.APPROVED,
                    ),
                    grant_id=pk,
                    kind=Report.Kind.FINAL,
                    due_date=dt.date(2025, 6, 30),
                    money_used=used,
                )
            )
        Payment.objects.bulk_create(payments, batch_size=BATCH)
        Report.objects.bulk_create(reports, batch_size=BATCH)
        claims = [
            RecoveryClaim(
                grant_id=pk,
                report_id=report_id,
                amount=total // 10,
                reason="bench",
                due_date=dt.date(2025, 10, 31),
            )
            for (pk, total), report_id in zip(
                rows,
                Report.objects.order_by("grant_id").values_list("pk", flat=True),
                strict=True,
            )
            if pk % 10 == 0 and total // 10 > 0
        ]
        RecoveryClaim.objects.bulk_create(claims, batch_size=BATCH)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def best(function, repeat: int) -> tuple[float, int]:
    times = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            function()
            times.append(time.perf_counter() - start)
    return min(times), len(queries.captured_queries)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--grants", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    fill(args.grants)
    officer, _ = User.objects.get_or_create(
        email="bench-officer@example.org", defaults={"full_name": "Bench"}
    )
    officer.groups.add(*type(officer).groups.rel.model.objects.filter(name=CASE_OFFICER))
    client = Client()
    client.force_login(officer)

    def page():
        response = client.get("/handlaggning/arsredovisning/")
        assert response.status_code == 200, response.status_code
        page.size = len(response.content)

    tables_s, tables_q = best(annual_figures.annual_tables, args.repeat)
    settled_s, settled_q = best(annual_figures.settled_check, args.repeat)
    page_s, page_q = best(page, args.repeat)
    print(
        json.dumps(
            {
                "grants": Grant.objects.count(),
                "payments": Payment.objects.count(),
                "claims": RecoveryClaim.objects.count(),
                "tables_seconds": round(tables_s, 3),
                "tables_queries": tables_q,
                "settled_seconds": round(settled_s, 3),
                "settled_queries": settled_q,
                "page_seconds": round(page_s, 3),
                "page_queries": page_q,
                "page_bytes": page.size,
            }
        )
    )


if __name__ == "__main__":
    main()
