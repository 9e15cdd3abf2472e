"""Benchmark of the award-list PDF (issue 4): render time and peak memory for 70, 1 000, 10 000
and 50 000 rows, against a plain single-document WeasyPrint render and a reportlab table.

    .venv/bin/pip install -e ".[bench]"   # reportlab, only for this benchmark
    .venv/bin/python bench/pdf_bench.py [--sizes 70,1000,10000,50000] [--methods ...]

Each measurement runs in a fresh process, so its peak memory (ru_maxrss) is its own. Methods:
- production: what the task does: the template in one WeasyPrint document, tagged PDF/UA-1, then
  the pikepdf structure repair (one table, scoped header cells), in a warm process (a worker has
  loaded its fonts before); its line also gives `repair_seconds` and `structure_problems`;
- weasyprint: the same without the structure repair;
- chunked: rows split into chunks rendered in parallel processes (as parallel Celery tasks
  would) and merged with pypdf; memory is the peak of one chunk process;
- republish: the chunked list again with one row changed, reusing the unchanged chunks;
- reportlab: a platypus table of the same rows (wrapping cells, repeated header).
"""

import argparse
import datetime as dt
import hashlib
import io
import json
import os
import resource
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "delmos.settings")

CHUNK_ROWS = int(os.environ.get("BENCH_CHUNK_ROWS", "250"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
TYPES = ["kommun", "ideell_forening", "stiftelse", "region", "kommunalforbund"]
PLACES = [
    ("Bollnäs", "Gävleborgs län"),
    ("Malmö", "Skåne län"),
    ("Dals-Ed", "Västra Götalands län"),
    ("Haparanda", "Norrbottens län"),
    ("Södertälje", "Stockholms län"),
]
TITLES = [
    "Mötesplatser över bostadsområdesgränser",
    "Regional samverkansmodell för att minska och motverka segregation i Gävleborg",
    "Läsfrämjande i flerspråkiga miljöer",
    "Vägar till arbete för unga vuxna i samverkan med arbetsgivare och civilsamhälle",
]


def make_rows(n: int) -> list[dict]:
    rows = []
    for i in range(n):
        place, county = PLACES[i % len(PLACES)]
        amount = 100_000 + (i * 7919) % 40 * 50_000
        supplementary = 250_000 if i % 37 == 0 else 0
        rows.append(
            {
                "case_number": f"DELMOS 2020/{i + 1}",
                "track": "ideella",
                "organisation": f"Föreningen {'Grannskap ' * (i % 3)}nummer {i + 1}",
                "org_number": f"802{i % 1000:03d}-{i % 10000:04d}",
                "org_type": TYPES[i % len(TYPES)],
                "municipality": place,
                "county": county,
                "title": f"{TITLES[i % len(TITLES)]} ({i + 1})",
                "amount": amount,
                "supplementary": supplementary,
                "total": amount + supplementary,
            }
        )
    return rows


def _django():
    import django

    django.setup()


def context(rows: list[dict], *, first_page: int = 1, total_pages: int | None = None) -> dict:
    from grants.models import OrganisationType

    labels = dict(OrganisationType.choices)
    round_ = SimpleNamespace(year=2020, slug="2020", title="Statsbidrag 2020", title_en="2020")
    publication = SimpleNamespace(
        version=2,
        note="uppdaterad 25 juni",
        published_at=dt.datetime(2020, 6, 25, 16, tzinfo=dt.UTC),
        as_of=dt.date(2020, 6, 25),
        row_count=len(rows),
        total_amount=sum(r["total"] for r in rows),
    )
    supplementary = sum(r["supplementary"] for r in rows)
    return {
        "publication": publication,
        "round": round_,
        "track": None,
        "tracks": [
            SimpleNamespace(ordinance="SFS 2018:118"),
            SimpleNamespace(ordinance="SFS 2018:119"),
        ],
        "rows": [{**r, "type_label": labels[r["org_type"]]} for r in rows],
        "total": publication.total_amount,
        "supplementary_total": supplementary,
        "original_total": publication.total_amount - supplementary,
    }


def render_weasyprint(rows, template="pdf/award_list.html", **extra) -> bytes:
    from grants.pdf import render_pdf
    from grants.tasks.publications import page_counter_css

    ctx = context(rows)
    ctx.update(extra)
    ctx["page_counter"] = page_counter_css("sv")
    return render_pdf(template, ctx, language="sv")


def render_reportlab(rows) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, TableStyle

    from grants.templatetags.delmos import format_sek

    style = getSampleStyleSheet()["BodyText"]
    style.fontSize, style.leading = 8, 10
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=landscape(A4), leftMargin=12 * mm, rightMargin=12 * mm)
    data = [["Organisation", "Organisationsnummer", "Typ", "Kommun (län)", "Projekt", "Belopp"]]
    for r in rows:
        data.append(
            [
                Paragraph(r["organisation"], style),
                r["org_number"],
                r["org_type"],
                Paragraph(f"{r['municipality']} ({r['county']})", style),
                Paragraph(r["title"], style),
                format_sek(r["total"], "sv"),
            ]
        )
    table = LongTable(
        data, repeatRows=1, colWidths=[60 * mm, 30 * mm, 28 * mm, 45 * mm, 80 * mm, 28 * mm]
    )
    table.setStyle(
        TableStyle(
            [
                ("FONTSIZE", (0, 0), (-1, -1), 8),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.3, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
                ("ALIGN", (-1, 0), (-1, -1), "RIGHT"),
            ]
        )
    )

    def footer(canvas, doc_):
        canvas.setFont("Helvetica", 8)
        canvas.drawRightString(285 * mm, 8 * mm, f"sida {doc_.page}")

    doc.build([table], onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


# -- chunked rendering ---------------------------------------------------------------------


def _warm_up():
    """What a long-lived worker process has done before: Django set up, fonts loaded."""
    _django()
    render_weasyprint(make_rows(5))


def _chunk_worker(rows) -> tuple[bytes, int]:
    data = render_weasyprint(rows, template="pdf/award_list.html")
    return data, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def chunk_key(rows) -> str:
    return hashlib.sha256(json.dumps(rows, sort_keys=True).encode()).hexdigest()


def _ready(_):
    time.sleep(0.2)
    return os.getpid()


def warm_pool() -> ProcessPoolExecutor:
    pool = ProcessPoolExecutor(max_workers=WORKERS, initializer=_warm_up)
    list(pool.map(_ready, range(WORKERS * 2)))
    return pool


LAST_MERGE_SECONDS = [0.0]


def render_chunked(pool, rows, cache: dict | None = None) -> tuple[bytes, int, int]:
    """Render chunks in parallel processes (reusing cached ones) and merge them with pypdf.
    Returns the PDF, the peak RSS of one chunk process (KB) and the number of chunks rendered."""
    from pypdf import PdfWriter

    cache = {} if cache is None else cache
    chunks = [rows[i : i + CHUNK_ROWS] for i in range(0, len(rows), CHUNK_ROWS)]
    keys = [chunk_key(chunk) for chunk in chunks]
    todo = [i for i, key in enumerate(keys) if key not in cache]
    peak = 0
    if todo:
        results = pool.map(_chunk_worker, [chunks[i] for i in todo])
        for i, (data, rss) in zip(todo, results, strict=True):
            cache[keys[i]] = data
            peak = max(peak, rss)
    merge_started = time.perf_counter()
    writer = PdfWriter()
    for key in keys:
        writer.append(io.BytesIO(cache[key]))
    out = io.BytesIO()
    writer.write(out)
    LAST_MERGE_SECONDS[0] = time.perf_counter() - merge_started
    return out.getvalue(), peak, len(todo)


# -- one measurement per process -------------------------------------------------------------


def measure(method: str, n: int) -> dict:
    _django()
    rows = make_rows(n)
    started = time.perf_counter()
    extra = {}
    if method in ("weasyprint", "production"):
        # production: what publication_render does per language (one WeasyPrint document, then
        # the pikepdf structure repair: one scoped table); weasyprint: the same without repair.
        from grants import pdf as pdf_module
        from grants.pdf_structure import repair_structure, structure_problems

        repair_seconds = [0.0]

        def timed_repair(data):
            t = time.perf_counter()
            try:
                return repair_structure(data)
            finally:
                repair_seconds[0] += time.perf_counter() - t

        pdf_module.repair_structure = timed_repair if method == "production" else (lambda d: d)
        render_weasyprint(rows[:5])  # warm, like a worker process
        repair_seconds[0] = 0.0
        started = time.perf_counter()
        data = render_weasyprint(rows)
        seconds = time.perf_counter() - started
        extra = {
            "repair_seconds": round(repair_seconds[0], 2),
            "structure_problems": structure_problems(data),
        }
        started = time.perf_counter() - seconds
    elif method == "reportlab":
        data = render_reportlab(rows)
    elif method == "chunked":
        pool = warm_pool()
        started = time.perf_counter()
        data, peak, rendered = render_chunked(pool, rows)
        extra = {
            "chunk_peak_mb": round(peak / 1024),
            "chunks_rendered": rendered,
            "merge_seconds": round(LAST_MERGE_SECONDS[0], 2),
        }
    elif method == "republish":
        cache: dict = {}
        pool = warm_pool()
        render_chunked(pool, rows, cache)
        changed = [dict(r) for r in rows]
        changed[len(changed) // 2]["total"] += 100_000
        started = time.perf_counter()
        data, peak, rendered = render_chunked(pool, changed, cache)
        extra = {
            "chunk_peak_mb": round(peak / 1024),
            "chunks_rendered": rendered,
            "merge_seconds": round(LAST_MERGE_SECONDS[0], 2),
        }
    else:
        raise SystemExit(f"unknown method {method}")
    seconds = time.perf_counter() - started
    from pypdf import PdfReader

    pages = len(PdfReader(io.BytesIO(data)).pages)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "method": method,
        "rows": n,
        "seconds": round(seconds, 2),
        "peak_mb": round(rss / 1024),
        "pages": pages,
        "bytes": len(data),
        **extra,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="70,1000,10000,50000")
    parser.add_argument("--methods", default="reportlab,production")
    parser.add_argument("--one", nargs=2, metavar=("METHOD", "ROWS"))
    parser.add_argument("--timeout", type=int, default=1200)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one[0], int(args.one[1]))))
        return
    print(f"load average before: {os.getloadavg()}", flush=True)
    for n in [int(s) for s in args.sizes.split(",")]:
        for method in args.methods.split(","):
            try:
                result = subprocess.run(  # noqa: S603 (this script, fixed arguments)
                    [sys.executable, __file__, "--one", method, str(n)],
                    capture_output=True,
                    text=True,
                    timeout=args.timeout,
                )
                line = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
                print(line or f"{method} {n}: failed {result.stderr[-500:]}", flush=True)
            except subprocess.TimeoutExpired:
                print(
                    json.dumps({"method": method, "rows": n, "timeout": args.timeout}), flush=True
                )
    print(f"load average after: {os.getloadavg()}", flush=True)


if __name__ == "__main__":
    main()
