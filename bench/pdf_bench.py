"""Benchmark of the award-list PDF (issue 4): render time and peak memory for 70, 1 000, 10 000
and 50 000 rows, against a plain single-document WeasyPrint render and a reportlab table.

    .venv/bin/pip install -e ".[bench]"   # reportlab, only for this benchmark
    .venv/bin/python bench/pdf_bench.py [--sizes 70,1000,10000,50000] [--methods ...]
    .venv/bin/python bench/pdf_bench.py --lists-2020   # each published 2020 demo list, sv, en

Each measurement runs in a fresh process, so its peak memory (ru_maxrss) is its own. Methods:
- production: what the task does (grants/pdf_chunked.render_list): one WeasyPrint document up
  to PDF_CHUNK_ROWS rows, else chunks laid out one after another in this process and merged
  with pikepdf into one tagged PDF (one table, scoped header cells, footers stamped), in a warm
  process (a worker has loaded its fonts before), with an empty chunk cache; its line also gives
  `structure_problems`;
- republish: production, then the list again with one amount changed (the chunk cache kept), as
  a republished version is rendered; `republish_seconds` is the second render;
- weasyprint: the whole list in one WeasyPrint document without the structure repair (the old
  way, for comparison: its memory grows with the rows);
- reportlab: a platypus table of the same rows (wrapping cells, repeated header).
"""

import argparse
import datetime as dt
import io
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "delmos.settings")

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
        "footer_left": "Delmos – 2020 – v2",
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


# -- one measurement per process -------------------------------------------------------------


def cpu() -> float:
    """CPU seconds of this process and of its children waited for (chunk render processes)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def peak_mb() -> dict:
    """Peak memory of this process and of the largest child process waited for: chunks are laid
    out, and merged, in forked children (grants/pdf_chunked.in_child)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {
        "peak_mb": round(max(own, children) / 1024),
        "parent_mb": round(own / 1024),
        "child_mb": round(children / 1024),
    }


def measure(method: str, n: int) -> dict:
    _django()
    rows = make_rows(n)
    started, cpu_started = time.perf_counter(), cpu()
    cpu_seconds = peaks = None
    extra = {}
    if method in ("production", "republish"):
        # What publication_render does per language: grants/pdf_chunked.render_list (one
        # document up to PDF_CHUNK_ROWS rows, else chunks merged into one tagged PDF), in a warm
        # process (a worker has loaded its fonts before), with an empty chunk cache.
        import tempfile

        from grants import pdf_chunked
        from grants.pdf_structure import structure_problems
        from grants.tasks.publications import page_counter_css

        render_weasyprint(rows[:5])
        ctx = context(rows)
        ctx["page_counter"] = page_counter_css("sv")
        cache = pdf_chunked.ChunkCache(Path(tempfile.mkdtemp(prefix="pdf-bench-")))
        started, cpu_started = time.perf_counter(), cpu()
        data = pdf_chunked.render_list(
            "pdf/award_list.html", ctx, ctx["rows"], language="sv", cache=cache
        )
        seconds, cpu_seconds = time.perf_counter() - started, cpu() - cpu_started
        first_data = data
        if method == "republish":
            # One amount changed: the row, and the totals in the caption and the tfoot.
            changed = [dict(r) for r in rows]
            changed[len(changed) // 2]["amount"] += 100_000
            changed[len(changed) // 2]["total"] += 100_000
            ctx2 = context(changed)
            ctx2["page_counter"] = page_counter_css("sv")
            cache_files = set(cache.folder.rglob("*.pdf"))
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            again, cpu_again = time.perf_counter(), cpu()
            data = pdf_chunked.render_list(
                "pdf/award_list.html", ctx2, ctx2["rows"], language="sv", cache=cache
            )
            extra["republish_seconds"] = round(time.perf_counter() - again, 2)
            # This process (the chunks' HTML, the merge) and the layout children.
            extra["republish_cpu_seconds"] = round(cpu() - cpu_again, 2)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            extra["republish_child_cpu_seconds"] = round(
                after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 2
            )
            extra["republish_laid_out"] = len(set(cache.folder.rglob("*.pdf")) - cache_files)
        # The peaks of the renders, before the checks below (which walk the whole structure
        # tree of the result in this process) raise this process's.
        peaks = peak_mb()
        extra["structure_problems"] = structure_problems(first_data)
        if method == "republish":
            extra["republish_structure_problems"] = structure_problems(data)
        started = time.perf_counter() - seconds
    elif method == "weasyprint":
        # One WeasyPrint document, without the structure repair (the old way).
        from grants import pdf as pdf_module

        pdf_module.repair_structure = lambda d: d
        render_weasyprint(rows[:5])
        started, cpu_started = time.perf_counter(), cpu()
        data = render_weasyprint(rows)
    elif method == "reportlab":
        data = render_reportlab(rows)
    else:
        raise SystemExit(f"unknown method {method}")
    seconds = time.perf_counter() - started
    if cpu_seconds is None:
        cpu_seconds = cpu() - cpu_started
    from pypdf import PdfReader

    pages = len(PdfReader(io.BytesIO(data)).pages)
    if peaks is None:
        peaks = peak_mb()
    return {
        "method": method,
        "rows": n,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu_seconds, 2),
        **peaks,
        "pages": pages,
        "bytes": len(data),
        **extra,
    }


def measure_lists_2020() -> list[dict]:
    """The production render of every published 2020 list, Swedish and English, from the demo
    data loaded into a fresh SQLite database (`make demo`), in a warm process: one line each."""
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="pdf-bench-2020-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'demo.sqlite3'}"
    os.environ["PRIVATE_MEDIA_ROOT"] = str(folder / "private")
    os.environ["MEDIA_ROOT"] = str(folder / "media")
    os.environ.pop("CELERY_BROKER_URL", None)  # the demo's lists render inline
    _django()
    from django.core.management import call_command

    from grants.models import Publication
    from grants.tasks.publications import render_publication_pdf

    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=io.StringIO())
    publications = Publication.objects.filter(round__year=2020).select_related("round", "track")
    results = []
    for index, publication in enumerate(publications.order_by("version", "track__code")):
        for language in ("sv", "en"):
            if index == 0 and language == "sv":
                render_publication_pdf(publication, language)  # warm: fonts, templates
            started, cpu_started = time.perf_counter(), cpu()
            data = render_publication_pdf(publication, language)
            seconds, cpu_seconds = time.perf_counter() - started, cpu() - cpu_started
            from pypdf import PdfReader

            results.append(
                {
                    "method": "production",
                    "list": f"2020 {publication.track.code if publication.track else 'alla'} "
                    f"v{publication.version}",
                    "language": language,
                    "rows": publication.row_count,
                    "seconds": round(seconds, 2),
                    "cpu_seconds": round(cpu_seconds, 2),
                    **peak_mb(),
                    "pages": len(PdfReader(io.BytesIO(data)).pages),
                    "bytes": len(data),
                }
            )
    return results


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="70,1000,10000,50000")
    parser.add_argument("--methods", default="reportlab,production")
    parser.add_argument("--one", nargs=2, metavar=("METHOD", "ROWS"))
    parser.add_argument("--timeout", type=int, default=1200)
    parser.add_argument(
        "--lists-2020",
        action="store_true",
        help="time the production render of each published 2020 demo list, sv and en",
    )
    parser.add_argument("--one-2020", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one[0], int(args.one[1]))))
        return
    if args.one_2020:
        for line in measure_lists_2020():
            print(json.dumps(line), flush=True)
        return
    if args.lists_2020:
        print(f"load average before: {os.getloadavg()}", flush=True)
        result = subprocess.run(  # noqa: S603 (this script, fixed arguments)
            [sys.executable, __file__, "--one-2020"],
            capture_output=True,
            text=True,
            timeout=args.timeout,
        )
        lines = [line for line in result.stdout.splitlines() if line.startswith('{"method"')]
        print("\n".join(lines) or f"2020 lists: failed {result.stderr[-500:]}", flush=True)
        print(f"load average after: {os.getloadavg()}", flush=True)
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
        print(f"load average: {os.getloadavg()}", flush=True)
    print(f"load average after: {os.getloadavg()}", flush=True)


if __name__ == "__main__":
    main()
