"""Long award lists rendered in chunks and merged into one tagged PDF.

WeasyPrint keeps every laid-out box of a document until it writes the PDF, so one document of
10 000 rows needs gigabytes; and a list republished with one row changed would be laid out
again from the first row. A list longer than `settings.PDF_CHUNK_ROWS` is therefore rendered as a sequence of
chunks, each a small WeasyPrint document of at most that many rows:

- the first chunk holds the logo, heading and caption, the last one the totals (`tfoot`), every
  chunk the table's header row (repeated on each page, as in one document);
- a chunk that is not the last ends with its last *full* page: the rows of its last page are
  dropped (with their structure elements) and begin the next chunk, so no page of the merged
  list is half empty;
- chunks are cached by the SHA-256 of their HTML (which carries the rows, the language and
  everything the template prints), so a republished list lays out only the chunks whose rows
  changed, and the ones after them only if the page breaks moved;
- the chunks are merged with pikepdf (qpdf), their structure trees into one: one `Table` whose
  header row is the first chunk's, every row in one `TBody`, the totals last; the later chunks'
  header rows become pagination artifacts, exactly as `repair_structure` does for the pages of
  one document; IDs are made unique per chunk and the ID tree rebuilt;
- the footers (version, "page N of M") are rendered once for all M pages in a footer sheet with
  the same page box (`pdf/_list_page.css`) and stamped onto the pages as pagination artifacts.

The merged document passes the same structure checks as a single render (tests/pdfcheck.py,
`structure_problems`, pdfua).
"""

import hashlib
import io
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import pikepdf
from django.conf import settings
from pikepdf import Array, Dictionary

from grants.pdf import pdf_from_html, render_html
from grants.pdf_structure import (
    MARKED_CONTENT,
    _add_scopes_and_ids,
    _marked_content,
    _merge_tables,
    _part,
    _to_artifacts,
    kids,
    walk,
)

log = logging.getLogger(__name__)

# Bump when the way chunks are cut or trimmed changes, so that cached chunks are not reused.
CHUNK_FORMAT = "1"
WEASYPRINT_VERSION = version("weasyprint")
FOOTER = "/DelmosFooter"


@dataclass(frozen=True)
class Chunk:
    data: bytes
    rows: int  # rows kept (on the chunk's full pages), in list order


class ChunkCache:
    """Rendered chunks on disk, by the SHA-256 of their HTML. Files are written atomically; a
    file that cannot be read is rendered again."""

    def __init__(self, folder: Path | None):
        self.folder = Path(folder) if folder else None

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.pdf"

    def get(self, key: str) -> Chunk | None:
        if self.folder is None:
            return None
        path = self._path(key)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        rows, _, pdf = data.partition(b"\n")
        if not rows.isdigit() or not pdf.startswith(b"%PDF"):
            return None
        os.utime(path)  # recently used: kept by prune()
        return Chunk(pdf, int(rows))

    def put(self, key: str, chunk: Chunk) -> None:
        if self.folder is None:
            return
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_bytes(b"%d\n" % chunk.rows + chunk.data)
        os.replace(temporary, path)


def default_cache() -> ChunkCache:
    return ChunkCache(
        settings.PDF_CHUNK_CACHE_DIR or Path(settings.PRIVATE_MEDIA_ROOT) / "pdf-chunks"
    )


def chunk_key(html: str) -> str:
    digest = hashlib.sha256()
    for part in (CHUNK_FORMAT, WEASYPRINT_VERSION, html):
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


def _open(data: bytes) -> pikepdf.Pdf:
    return pikepdf.open(io.BytesIO(data))


def _save(pdf: pikepdf.Pdf) -> bytes:
    out = io.BytesIO()
    pdf.save(out, compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue()


def _the_table(pdf: pikepdf.Pdf):
    return next(e for e in walk(pdf.Root.StructTreeRoot) if e.S == "/Table")


def _parent_tree(pdf: pikepdf.Pdf) -> dict[int, object]:
    nums = pdf.Root.StructTreeRoot.ParentTree.Nums
    return {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}


def _drop_last_page(data: bytes) -> tuple[bytes, int]:
    """The chunk without its last page and the rows on it; and how many rows are left."""
    with _open(data) as pdf:
        last = pdf.pages[-1].obj
        body = _part(_the_table(pdf), "/TBody")
        rows = [row for row in kids(body) if not isinstance(row, int)]
        kept = [
            row
            for row in rows
            if all(page is None or page.objgen != last.objgen for page, _ in _marked_content(row))
        ]
        if not kept:  # a row taller than a page: keep the page
            return data, len(rows)
        body.K = Array(kept)
        key = int(last.get("/StructParents", -1))
        nums = pdf.Root.StructTreeRoot.ParentTree.Nums
        pdf.Root.StructTreeRoot.ParentTree.Nums = Array(
            [
                item
                for i in range(0, len(nums), 2)
                if int(nums[i]) != key
                for item in nums[i : i + 2]
            ]
        )
        del pdf.pages[-1]
        return _save(pdf), len(kept)


def _prefix_ids(pdf: pikepdf.Pdf, prefix: str) -> None:
    """WeasyPrint's element IDs are object addresses, which repeat between documents."""
    for element in walk(pdf.Root.StructTreeRoot):
        if "/ID" in element:
            element.ID = pikepdf.String(prefix + str(element.ID))
        attributes = element.get("/A")
        for a in [attributes] if isinstance(attributes, Dictionary) else list(attributes or []):
            if isinstance(a, Dictionary) and "/Headers" in a:
                a.Headers = Array([pikepdf.String(prefix + str(h)) for h in a.Headers])


def _copy(pdf: pikepdf.Pdf, obj):
    """`obj` of another PDF copied into `pdf`; a direct array element by element."""
    if isinstance(obj, Array) and not obj.is_indirect:
        return Array([_copy(pdf, item) for item in obj])
    if isinstance(obj, Dictionary | Array) and obj.is_indirect:
        return pdf.copy_foreign(obj)
    return obj


def merge_chunks(chunks: list[bytes]) -> bytes:
    """One tagged PDF of the chunks, with one table (see the module's docstring)."""
    with _open(chunks[0]) as base:
        _prefix_ids(base, "c0-")
        tree = base.Root.StructTreeRoot
        nums = tree.ParentTree.Nums
        next_key = max([int(nums[i]) for i in range(0, len(nums), 2)] + [-1]) + 1
        next_key = max(next_key, int(tree.get("/ParentTreeNextKey", 0)))
        table = _the_table(base)
        artifacts = set()
        for index, data in enumerate(chunks[1:], start=1):
            with _open(data) as chunk:
                _prefix_ids(chunk, f"c{index}-")
                entries = _parent_tree(chunk)
                chunk_table = _the_table(chunk)
                del chunk_table["/P"]  # copy the table, not the chunk's whole tree
                for page in chunk.pages:
                    key = int(page.obj.get("/StructParents", -1))
                    base.pages.append(page)
                    copied = base.pages[-1].obj
                    if key in entries:
                        copied.StructParents = next_key
                        nums.append(next_key)
                        nums.append(_copy(base, entries[key]))
                        next_key += 1
                copied_table = base.copy_foreign(chunk_table)
                artifacts |= _merge_tables(base, [table, copied_table])
        tree.ParentTreeNextKey = next_key
        if artifacts:
            _to_artifacts(base, artifacts)
        _add_scopes_and_ids(base, tree)
        return _save(base)


def stamp_footers(data: bytes, sheet: bytes) -> bytes:
    """Draw page `i` of the footer sheet onto page `i` of `data`, as a pagination artifact."""
    with _open(data) as pdf, _open(sheet) as footers:
        if len(footers.pages) != len(pdf.pages):
            raise ValueError(f"{len(footers.pages)} footers for {len(pdf.pages)} pages")
        for page, footer in zip(pdf.pages, footers.pages, strict=True):
            form = footer.as_form_xobject()
            form.write(MARKED_CONTENT.sub(rb"/Artifact BDC", form.read_bytes()))
            # Pages share one resource dictionary: give each its own, with its own footer.
            resources = Dictionary(dict(page.obj.get("/Resources", Dictionary()).items()))
            xobjects = Dictionary(dict(resources.get("/XObject", Dictionary()).items()))
            xobjects[FOOTER] = pdf.copy_foreign(form)
            resources.XObject = xobjects
            page.obj.Resources = resources
            # The page's own content leaves its flipped coordinates in place: wrap it in q/Q.
            page.contents_add(pdf.make_stream(b"q\n"), prepend=True)
            page.contents_add(
                pdf.make_stream(
                    b"\nQ\n/Artifact <</Type /Pagination /Subtype /Footer>> BDC q "
                    + FOOTER.encode()
                    + b" Do Q EMC\n"
                ),
                prepend=False,
            )
        return _save(pdf)


def page_count(data: bytes) -> int:
    with _open(data) as pdf:
        return len(pdf.pages)


def render_list(
    template: str,
    context: dict,
    rows: list,
    *,
    language: str,
    cache: ChunkCache | None = None,
    progress: Callable[[int, int], None] | None = None,
    chunk_rows: int | None = None,
) -> bytes:
    """The list's PDF: one document when the rows fit in one chunk, else chunks merged."""
    size = chunk_rows or settings.PDF_CHUNK_ROWS
    if len(rows) <= size:
        data = pdf_from_html(render_html(template, {**context, "rows": rows}, language=language))
        if progress:
            progress(len(rows), len(rows))
        return data
    cache = cache if cache is not None else default_cache()
    parts, start, rendered = [], 0, 0
    # The first and the last chunk are small: they hold the totals (caption, tfoot), which
    # change with any amount, so a republished list lays out those two and the changed one.
    edge = max(30, size // 5)
    while start < len(rows):
        remaining = len(rows) - start
        if start == 0:
            take = edge
        elif remaining <= 2 * edge:
            take = remaining
        elif remaining <= size + edge:
            take = remaining - edge
        else:
            take = size
        piece = rows[start : start + take]
        last = take == remaining
        chunk_context = {**context, "rows": piece, "chunk": {"first": start == 0, "last": last}}
        html = render_html(template, chunk_context, language=language)
        key = chunk_key(html)
        chunk = cache.get(key)
        if chunk is None:
            data = pdf_from_html(html)
            chunk = Chunk(data, len(piece)) if last else Chunk(*_drop_last_page(data))
            cache.put(key, chunk)
            rendered += 1
        parts.append(chunk.data)
        start += chunk.rows
        if progress:
            progress(start, len(rows))
    merged = merge_chunks(parts)
    pages = page_count(merged)
    sheet_html = render_html(
        "pdf/footer_sheet.html", {**context, "pages": range(pages)}, language=language
    )
    key = chunk_key(sheet_html)
    sheet = cache.get(key)
    if sheet is None:
        sheet = Chunk(pdf_from_html(sheet_html), 0)
        cache.put(key, sheet)
    log.info("List of %s rows: %s chunks, %s rendered", len(rows), len(parts), rendered)
    return stamp_footers(merged, sheet.data)
