"""The published lists as documents: layout read back from the PDF (no word outside the text
area, none overlapping another, none crossing a column), no totals alone on a page, the note in
the list's language, and a structure a screen reader can use (one table, scoped header cells,
checked by pikepdf and by the independent `pdfua` checker)."""

import datetime as dt
import io
import re
import shutil
import subprocess
import weakref

import pdfua
import pikepdf
import pytest

from grants import pdf_chunked
from grants.models import Publication
from grants.pdf_structure import kids, structure_problems, walk
from grants.tasks.publications import render_publication_pdf
from tests.pdfcheck import layout_flaws, page_texts

pytestmark = pytest.mark.django_db


def pdfua_errors(data: bytes, tmp_path) -> list[str]:
    path = tmp_path / "checked.pdf"
    path.write_bytes(data)
    report = pdfua.validate(str(path))
    return [f"{f.rule_id}: {f.message}" for f in report.findings]


def check_document(data: bytes, tmp_path) -> None:
    assert layout_flaws(data) == []
    assert structure_problems(data) == []
    assert pdfua_errors(data, tmp_path) == []


def row(i: int, **overrides) -> dict:
    values = {
        "case_number": f"DELMOS 2031/{i}",
        "track": "ideella",
        "organisation": f"Förening nummer {i}",
        "org_number": f"802{i % 1000:03d}-{i % 10000:04d}",
        "org_type": "ideell_forening",
        "municipality": "Malmö",
        "county": "Skåne län",
        "title": f"Mötesplatser {i}",
        "amount": 100_000,
        "supplementary": 0,
    }
    values.update(overrides)
    values["total"] = values["amount"] + values["supplementary"]
    return values


def publication_of(award_round, rows, **fields) -> Publication:
    """An unsaved version of a list holding `rows`: rendering needs no database row."""
    return Publication(
        round=award_round,
        track=award_round.tracks.get(code="ideella"),
        version=3,
        as_of=dt.date(2031, 6, 25),
        rows=rows,
        row_count=len(rows),
        total_amount=sum(r["total"] for r in rows),
        published_at=dt.datetime(2031, 6, 25, 16, tzinfo=dt.UTC),
        **fields,
    )


def test_the_2020_lists_are_flawless_and_tagged_in_both_languages(demo, tmp_path):
    """The combined list holds every row of both track lists (the longest names and amounts of
    the data); the track lists share its template."""
    latest = Publication.objects.filter(round__year=2020, version=2).select_related(
        "round", "track"
    )
    assert latest.count() == 3
    assert all(p.note == "uppdaterad 25 juni" and p.note_en for p in latest)
    combined = latest.get(track=None)
    for language in ("sv", "en"):
        data = render_publication_pdf(combined, language)
        check_document(data, tmp_path)
        pages = page_texts(data)
        text = "\n".join(pages)
        if language == "sv":
            assert "uppdaterad 25 juni" in text and "updated 25 June" not in text
            assert f"sida {len(pages)} av {len(pages)}" in pages[-1]
        else:
            assert "updated 25 June" in text and "uppdaterad" not in text
            assert f"page {len(pages)} of {len(pages)}" in pages[-1]
        assert f"v{combined.version}" in pages[-1]


def test_the_extremes_of_the_data_fit_their_columns(award_round, tmp_path):
    long_word = "Samverkansförbundetförutbildningochintegrationsinsatser"
    rows = [
        row(
            1,
            organisation=f"{long_word} i Västra Götalands län – " + "Grannskap " * 12,
            title="Vägar till arbete " * 11,
            amount=899_999_999,
            supplementary=99_999_999,
            municipality="Upplands Väsby",
            county="Stockholms län",
            org_type="kommunalforbund",
        ),
        *[row(i, org_type=t) for i, t in enumerate(("trossamfund", "stiftelse", "region"), 2)],
        row(5, title=long_word * 3, supplementary=1_000_000),
    ]
    publication = publication_of(award_round, rows, note="uppdaterad 25 juni")
    for language in ("sv", "en"):
        data = render_publication_pdf(publication, language)
        check_document(data, tmp_path)
        text = "".join(page_texts(data)).replace("\n", "")
        assert "999 999 998 kr" in text or "SEK 999,999,998" in text


def test_the_totals_never_stand_alone_on_the_last_page(award_round, tmp_path):
    def last_page(n):
        rows = [row(i, supplementary=50_000 if i == 1 else 0) for i in range(1, n + 1)]
        data = render_publication_pdf(publication_of(award_round, rows), "sv")
        return page_texts(data), data

    pages, _ = last_page(40)
    on_first = len(re.findall(r"Förening nummer \d+ ", pages[0]))
    assert len(pages) > 1 and 10 < on_first < 40
    # Around the first page's capacity the totals would fall to the next page alone.
    for n in (on_first - 1, on_first, on_first + 1):
        pages, data = last_page(n)
        assert "Förening nummer" in pages[-1], f"{n} rows: totals alone on page {len(pages)}"
        assert layout_flaws(data) == []


def content(page) -> bytes:
    streams = page.obj.Contents
    return b"\n".join(
        s.read_bytes() for s in (streams if isinstance(streams, pikepdf.Array) else [streams])
    )


@pytest.mark.parametrize("chunk_rows", [1000, 45], ids=["one document", "in chunks"])
def test_a_long_list_is_one_table_with_one_header_row_and_scoped_cells(
    award_round, tmp_path, settings, chunk_rows
):
    settings.PDF_CHUNK_ROWS = chunk_rows
    settings.PDF_CHUNK_CACHE_DIR = str(tmp_path / "chunks")
    rows = [row(i) for i in range(1, 121)]
    data = render_publication_pdf(publication_of(award_round, rows), "en")
    check_document(data, tmp_path)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert len(pdf.pages) >= 3
        elements = list(walk(pdf.Root.StructTreeRoot))
        (table,) = [e for e in elements if e.S == "/Table"]
        parts = [str(k.S) for k in kids(table)]
        assert parts == ["/Caption", "/THead", "/TBody", "/TFoot"]
        head, body = kids(table)[1], kids(table)[2]
        header_cells = [c for c in walk(head) if c.S == "/TH"]
        assert len(header_cells) == 6 and all(c.A.Scope == "/Column" for c in header_cells)
        assert len(kids(body)) == 120
        row_headers = [c for c in walk(body) if c.S == "/TH"]
        assert len(row_headers) == 120 and all(c.A.Scope == "/Row" for c in row_headers)
        ids = {str(c.ID) for c in header_cells + row_headers}
        for cell in (c for c in walk(body) if c.S == "/TD"):
            assert {str(h) for h in cell.A.Headers} <= ids
        # The header row repeated on later pages is shown but not read again.
        for page in pdf.pages[1:]:
            repeated = content(page)
            assert repeated.count(b"/Artifact <</Type /Pagination /Subtype /Header>> BDC") >= 6
        assert b"/Subtype /Header" not in content(pdf.pages[0])
        if chunk_rows < len(rows):
            # Merged chunks: the cells hold their marked content, without a Span per line.
            assert not [e for e in walk(table) if e.S == "/Span"]
            assert all(
                isinstance(k, int) for c in walk(body) if c.S in ("/TH", "/TD") for k in kids(c)
            )
        (figure,) = [e for e in elements if e.S == "/Figure"]
        assert "Delmos" in str(figure.Alt)
        assert str(pdf.Root.Outlines.First.Title) == "Granted recipients"


def test_the_checker_finds_the_flaws_of_an_unrepaired_render(award_round, monkeypatch):
    from grants import pdf as pdf_module

    monkeypatch.setattr(pdf_module, "repair_structure", lambda data: data)
    rows = [row(i) for i in range(1, 80)]
    data = render_publication_pdf(publication_of(award_round, rows), "sv")
    problems = structure_problems(data)
    assert "TH without /Scope" in problems and any(p.endswith("tables") for p in problems)


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_a_page_renders_to_an_image(award_round, tmp_path):
    data = render_publication_pdf(publication_of(award_round, [row(1)]), "sv")
    (tmp_path / "list.pdf").write_bytes(data)
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", "-singlefile", "list.pdf", "page"],
        cwd=tmp_path,
        check=True,
    )
    image = (tmp_path / "page.png").read_bytes()
    assert image.startswith(b"\x89PNG") and len(image) > 2000


def test_a_list_in_chunks_reads_as_one_document_of_the_same_pages(
    award_round, tmp_path, settings, monkeypatch
):
    """Chunks end on their last full page (the rows of a part-filled page start the next
    chunk), so the merged list has the pages of one document, every row once and in order,
    and footers numbered over the whole list."""
    settings.PDF_CHUNK_CACHE_DIR = str(tmp_path / "chunks")
    rows = [row(i, organisation=f"Förening {i:04d}") for i in range(1, 131)]
    publication = publication_of(award_round, rows)
    settings.PDF_CHUNK_ROWS = 1000
    single = page_texts(render_publication_pdf(publication, "sv"))
    settings.PDF_CHUNK_ROWS = 40
    monkeypatch.setattr(pdf_chunked, "FOOTER_BATCH", 3)  # footers from several sheets
    seen = []
    data = render_publication_pdf(
        publication, "sv", progress=lambda done, total: seen.append((done, total))
    )
    check_document(data, tmp_path)
    pages = page_texts(data)
    assert len(pages) == len(single) >= 5
    assert [int(n) for n in re.findall(r"Förening (\d{4})", "\n".join(pages))] == list(
        range(1, 131)
    )
    for number, text in enumerate(pages, start=1):
        assert text.rstrip().endswith(f"sida {number} av {len(pages)}"), text[-80:]
        assert "Delmos – 2031 – ideella – v3" in text
    # Marked content has its operands: BDC a tag and properties, BMC a tag (poppler reports
    # "Too few (1) args to 'BDC' operator" otherwise).
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            footer = page.obj.Resources.XObject["/DelmosFooter"].read_bytes()
            for stream in (content(page), footer):
                assert not re.search(rb"/\w+\s+BDC", stream)
    # Progress is reported per chunk, rows laid out so far of all rows.
    assert len(seen) >= 4 and seen[-1] == (130, 130)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


def test_republishing_a_long_list_lays_out_only_the_changed_chunk_and_the_totals(
    award_round, tmp_path, settings
):
    """A changed amount changes the totals too, which the small first chunk (caption) and last
    chunk (tfoot) hold; every other chunk and the footer sheet come from the cache."""
    settings.PDF_CHUNK_ROWS = 40
    settings.PDF_CHUNK_CACHE_DIR = str(tmp_path / "chunks")
    rows = [row(i) for i in range(1, 131)]
    render_publication_pdf(publication_of(award_round, rows), "sv")
    cached = set((tmp_path / "chunks").rglob("*.pdf"))
    assert len(cached) >= 5  # four chunks or more, and the footer sheet
    rows[70] = row(71, amount=100_001)
    data = render_publication_pdf(publication_of(award_round, rows), "sv")
    # Every chunk or footer sheet laid out is cached: three new files, no new footer sheet.
    assert len(set((tmp_path / "chunks").rglob("*.pdf")) - cached) == 3
    text = "\n".join(page_texts(data))
    assert "100 001 kr" in text and "13 000 001 kr" in text
    assert structure_problems(data) == []


def test_a_chunk_is_laid_out_in_a_child_process_whose_errors_reach_the_task(settings):
    """The layout's memory goes back to the system when the child exits; an error in the child
    fails the render in the task, with the child's message."""
    import os

    settings.PDF_RENDER_IN_CHILD = True
    assert pdf_chunked.in_child(os.getpid) != os.getpid()
    with pytest.raises(pdf_chunked.ChildFailed, match="ZeroDivisionError"):
        pdf_chunked.in_child(lambda: 1 / 0)
    settings.PDF_RENDER_IN_CHILD = False
    assert pdf_chunked.in_child(os.getpid) == os.getpid()


def test_a_long_list_is_merged_one_fragment_at_a_time_without_opening_a_pdf(
    award_round, tmp_path, settings, monkeypatch
):
    """The merge writes the chunks' cached fragments one after another (grants/pdf_stream.py):
    it opens no PDF and holds no more than the first chunk's fragment, the one being written and
    the next (and the last footer sheet's), so its memory does not grow with the list."""
    settings.PDF_CHUNK_ROWS, settings.PDF_CHUNK_EDGE_ROWS = 20, 10
    settings.PDF_CHUNK_CACHE_DIR = str(tmp_path / "chunks")
    publication = publication_of(award_round, [row(i) for i in range(1, 131)])
    first = render_publication_pdf(publication, "sv")
    alive, most, loaded, unpack = set(), [0], [], pdf_chunked.unpack

    def unpack_counted(packed):
        fragment = unpack(packed)
        loaded.append(packed)
        alive.add(id(fragment))
        weakref.finalize(fragment, alive.discard, id(fragment))
        most[0] = max(most[0], len(alive))
        return fragment

    monkeypatch.setattr(pdf_chunked, "unpack", unpack_counted)
    monkeypatch.setattr(pikepdf, "open", lambda *args, **kwargs: pytest.fail("a PDF opened"))
    again = render_publication_pdf(publication, "sv")
    assert again == first
    assert len(loaded) >= 8 and most[0] <= 4


def test_the_chunk_cache_keeps_the_recently_used_files_within_its_size(tmp_path):
    """The cache of laid-out chunks does not grow without end: after a long list, the least
    recently used files go until it is within PDF_CHUNK_CACHE_MAX_MB; a file read since is
    kept, and a temporary file a dead write left behind goes once it is stale."""
    import os
    import time

    cache = pdf_chunked.ChunkCache(tmp_path)
    chunk = pdf_chunked.Chunk(b"%PDF-1.7 " + b"x" * 991, 10, 1)
    keys = [f"{n:02d}" + "a" * 62 for n in range(6)]
    for age, key in enumerate(keys):
        cache.put(key, chunk)
        cache.put_fragment(key, b"f" * 1000)
        old = time.time() - 1000 + age
        for path in (tmp_path / key[:2]).iterdir():
            os.utime(path, (old, old))
    assert cache.get(keys[0]) is not None  # the oldest, used just now
    stale = tmp_path / keys[1][:2] / "dead.123.tmp"
    stale.write_bytes(b"half")
    os.utime(stale, (time.time() - 7200,) * 2)
    fresh = tmp_path / keys[1][:2] / "live.456.tmp"
    fresh.write_bytes(b"writing")

    removed = cache.prune(6_000)

    left = {p.name for p in tmp_path.rglob("*") if p.is_file()}
    assert f"{keys[0]}.pdf" in left  # read since: kept
    assert f"{keys[1]}.pdf" not in left and "dead.123.tmp" not in left
    assert "live.456.tmp" in left and f"{keys[5]}.pdf" in left
    assert (
        sum(p.stat().st_size for p in tmp_path.rglob("*.pdf"))
        + sum(p.stat().st_size for p in tmp_path.rglob("*.fragment"))
        <= 6_000
    )
    assert removed >= 5
    assert pdf_chunked.ChunkCache(None).prune(0) == 0
