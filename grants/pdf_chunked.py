"""Long award lists rendered in chunks and merged into one tagged PDF.

WeasyPrint keeps every laid-out box of a document until it writes the PDF, so one document of
10 000 rows needs gigabytes; and a list republished with one row changed would be laid out
again from the first row. A list longer than `settings.PDF_CHUNK_ROWS` is therefore rendered as
a sequence of chunks, each a small WeasyPrint document of at most that many rows:

- the first chunk holds the logo, heading and caption, the last one the totals (`tfoot`), every
  chunk the table's header row (repeated on each page, as in one document);
- a chunk that is not the last ends with its last *full* page: the rows of its last page are
  dropped (with their structure elements) and begin the next chunk, so no page of the merged
  list is half empty;
- each chunk is laid out in a forked child process (`settings.PDF_RENDER_IN_CHILD`), so the
  memory of WeasyPrint's layout is given back when the child exits;
- a chunk is made ready for merging before it is cached: its IDs prefixed with its key (the
  header cells' IDs are the same in every chunk, so `/Headers` need no renaming), in every
  chunk but the first its header row made a pagination artifact, and its cells given their
  text's marked content directly instead of one `Span` element per line (half the objects);
- chunks are cached by the SHA-256 of their HTML (which carries the rows, the language and
  everything the template prints), so a republished list lays out only the chunks whose rows
  changed, and the ones after them only if the page breaks moved;
- each prepared chunk is also serialized once into a *fragment* (grants/pdf_stream.py): its
  objects as PDF text, numbered on their own, with the parts every chunk shares (page tree,
  structure tree root, table, table body) left as fixed numbers; fragments are cached beside
  their chunks;
- the merge writes the fragments one after another into one file, shifting their object
  numbers, so its memory is the file's and does not grow with the rows laid out in qpdf (382 MB
  at 10 000 rows with pikepdf); their structure trees become one: one `Table` whose header row
  is the first chunk's, every row in one `TBody`, the totals last; the ID tree is made of the
  chunks' ID trees;
- the footers (version, "page N of M") are rendered in footer sheets of `FOOTER_BATCH` pages with
  the same page box (`pdf/_list_page.css`), cached like the chunks (a republished list whose page
  count is unchanged renders none), and drawn on the pages as pagination artifacts.

The merged document passes the same structure checks as a single render (tests/pdfcheck.py,
`structure_problems`, pdfua).
"""

import contextlib
import ctypes
import functools
import hashlib
import io
import logging
import os
import pickle
import signal
import threading
import time
import traceback
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import pikepdf
from django.conf import settings
from pikepdf import Array, Dictionary

from grants import pdf_stream
from grants.pdf import pdf_from_html, render_html
from grants.pdf_structure import (
    CELLS,
    _add_scopes_and_ids,
    _marked_content,
    _part,
    _to_artifacts,
    is_element,
    kids,
    walk,
)

log = logging.getLogger(__name__)

# Bump when the way chunks are cut, trimmed or prepared changes, so that cached chunks are not
# reused.
CHUNK_FORMAT = "2"
# Bump when `pdf_stream`'s fragments change.
FRAGMENT_FORMAT = "2"
WEASYPRINT_VERSION = version("weasyprint")
FOOTER = "/DelmosFooter"
FOOTER_BATCH = 100  # pages per footer sheet
HEADER_ID = "0h-{}"  # the header cells' IDs, the same in every chunk
HEADER_PARTS = ("/THead", "/Caption")
PR_SET_PDEATHSIG = 1  # prctl(2)


@dataclass(frozen=True)
class Chunk:
    data: bytes
    rows: int  # rows kept (on the chunk's full pages), in list order
    pages: int


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
        counts, _, pdf = data.partition(b"\n")
        rows, _, pages = counts.partition(b" ")
        if not (rows.isdigit() and pages.isdigit()) or not pdf.startswith(b"%PDF"):
            return None
        _touch(path)  # recently used: kept by prune()
        return Chunk(pdf, int(rows), int(pages))

    def put(self, key: str, chunk: Chunk) -> None:
        if self.folder is None:
            return
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_bytes(b"%d %d\n" % (chunk.rows, chunk.pages) + chunk.data)
        os.replace(temporary, path)

    def _fragment_path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.{FRAGMENT_FORMAT}.fragment"

    def get_fragment(self, key: str) -> bytes | None:
        """A chunk's fragment (`pdf_stream`), as `pack` made it."""
        if self.folder is None:
            return None
        path = self._fragment_path(key)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        _touch(path)
        return data

    def put_fragment(self, key: str, packed: bytes) -> None:
        if self.folder is None:
            return
        path = self._fragment_path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_bytes(packed)
        os.replace(temporary, path)

    def prune(self, max_bytes: int, *, stale_seconds: int = 3600) -> int:
        """Delete the least recently used files (`get` marks use) until the cache holds at most
        `max_bytes`, and temporary files older than `stale_seconds` (a write that died); returns
        how many files were deleted. A file deleted while another render wanted it is rendered
        again: the merge holds its fragments in memory, never rereads them."""
        if self.folder is None or not self.folder.is_dir():
            return 0
        now = time.time()
        files, removed = [], 0
        for path in self.folder.glob("*/*"):
            try:
                info = path.stat()
            except OSError:
                continue
            if path.suffix == ".tmp":
                if now - info.st_mtime > stale_seconds:
                    removed += _unlink(path)
                continue
            files.append((info.st_mtime, info.st_size, path))
        total = sum(size for _, size, _ in files)
        for _, size, path in sorted(files, key=lambda f: f[0]):
            if total <= max_bytes:
                break
            removed += _unlink(path)
            total -= size
        return removed


def _touch(path: Path) -> None:
    with contextlib.suppress(OSError):  # pruned meanwhile: the read already has the bytes
        os.utime(path)


def _unlink(path: Path) -> int:
    try:
        path.unlink()
    except OSError:
        return 0
    return 1


class BlockCache:
    """Each fragment's objects as the merge last wrote them (`pdf_stream._block`), with the
    shift of their numbers: a republished list whose earlier chunks kept their number of
    objects copies them instead of renumbering them."""

    def __init__(self, cache: ChunkCache):
        self.cache = cache

    def _path(self, key: str) -> Path:
        return self.cache.folder / key[:2] / f"{key}.{FRAGMENT_FORMAT}.block"

    def get(self, key: str, shift: int):
        try:
            with self._path(key).open("rb") as file:
                kept, block = pickle.load(file)  # noqa: S301 (our own cache files)
        except (OSError, pickle.UnpicklingError, ValueError, EOFError):
            return None
        _touch(self._path(key))
        return block if kept == shift else None

    def put(self, key: str, shift: int, block) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_bytes(pickle.dumps((shift, block), pickle.HIGHEST_PROTOCOL))
        os.replace(temporary, path)


def pack(fragment: pdf_stream.Fragment) -> bytes:
    return zlib.compress(pickle.dumps(fragment, pickle.HIGHEST_PROTOCOL), 1)


def unpack(packed: bytes) -> pdf_stream.Fragment:
    return pickle.loads(zlib.decompress(packed))  # noqa: S301 (our own cache files)


def fragment_of(data: bytes, *, first: bool = False, footer: bool = False) -> bytes:
    """The packed fragment of a prepared chunk or of a footer sheet."""
    with _open(data) as pdf:
        if footer:
            return pack(pdf_stream.footer_fragment(pdf))
        return pack(pdf_stream.chunk_fragment(pdf, first=first))


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


class ChildFailed(RuntimeError):
    pass


def _die_with_parent() -> None:
    """Linux: the child is killed when its parent dies (a worker killed at its hard time limit),
    instead of laying out a chunk nobody will read."""
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def in_child(function: Callable, *args):
    """`function(*args)` in a forked child process, its result (pickled) read from a pipe.

    WeasyPrint's layout takes memory that Python keeps after the document is written; in a child
    it is given back to the system when the child exits. A child is killed if this process is
    interrupted (a task's time limit), so no layout outlives its task. A process with other
    threads (a development server running tasks eagerly) renders in place: a child forked from it
    could inherit a lock another thread holds."""
    if not settings.PDF_RENDER_IN_CHILD or not hasattr(os, "fork") or threading.active_count() > 1:
        return function(*args)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        status = 1
        try:
            _die_with_parent()
            os.close(read)
            try:
                payload = pickle.dumps((True, function(*args)), pickle.HIGHEST_PROTOCOL)
                status = 0
            except BaseException as error:  # noqa: BLE001 (reported to the parent)
                payload = pickle.dumps((False, f"{error!r}\n{traceback.format_exc()}"))
            with os.fdopen(write, "wb") as pipe:
                pipe.write(payload)
        finally:
            os._exit(status)
    os.close(write)
    try:
        with os.fdopen(read, "rb") as pipe:
            payload = pipe.read()
        _, status = os.waitpid(pid, 0)
    except BaseException:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        raise
    if not payload:
        raise ChildFailed(f"the PDF render process ended with status {status} and no result")
    ok, result = pickle.loads(payload)  # noqa: S301 (our own child's result)
    if not ok:
        raise ChildFailed(result)
    return result


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


def _drop_last_page(pdf: pikepdf.Pdf) -> int | None:
    """Drop the last page and the rows on it; the rows left, or None (nothing dropped) when
    every row is on the last page (a row taller than a page)."""
    last = pdf.pages[-1].obj
    body = _part(_the_table(pdf), "/TBody")
    rows = [row for row in kids(body) if not isinstance(row, int)]
    kept = [
        row
        for row in rows
        if all(page is None or page.objgen != last.objgen for page, _ in _marked_content(row))
    ]
    if not kept:
        return None
    body.K = Array(kept)
    key = int(last.get("/StructParents", -1))
    nums = pdf.Root.StructTreeRoot.ParentTree.Nums
    pdf.Root.StructTreeRoot.ParentTree.Nums = Array(
        [item for i in range(0, len(nums), 2) if int(nums[i]) != key for item in nums[i : i + 2]]
    )
    del pdf.pages[-1]
    return len(kept)


def _rename_ids(pdf: pikepdf.Pdf, prefix: str) -> None:
    """WeasyPrint's element IDs are object addresses, which repeat between documents: every ID
    gets the chunk's `prefix`, but the header cells', which are the same in every chunk, so that
    the rows' `/Headers` point at the first chunk's header row once merged."""
    head = _part(_the_table(pdf), "/THead")
    renamed = {}
    if head is not None:
        cells = [c for c in walk(head) if c.S == "/TH" and "/ID" in c]
        renamed = {str(cell.ID): HEADER_ID.format(i) for i, cell in enumerate(cells)}
    for element in walk(pdf.Root.StructTreeRoot):
        if "/ID" in element:
            old = str(element.ID)
            element.ID = pikepdf.String(renamed.get(old, prefix + old))
        attributes = element.get("/A")
        for a in [attributes] if isinstance(attributes, Dictionary) else list(attributes or []):
            if isinstance(a, Dictionary) and "/Headers" in a:
                a.Headers = Array(
                    [pikepdf.String(renamed.get(str(h), prefix + str(h))) for h in a.Headers]
                )


def _header_to_artifacts(pdf: pikepdf.Pdf) -> None:
    """A later chunk's header row (and caption) is shown on its first page but read only once,
    in the first chunk: a pagination artifact, as on the later pages of one document."""
    table = _the_table(pdf)
    parts = [k for k in kids(table) if is_element(k) and k.S in HEADER_PARTS]
    artifacts = {(page.objgen, mcid) for part in parts for page, mcid in _marked_content(part)}
    table.K = Array([k for k in kids(table) if not (is_element(k) and k.S in HEADER_PARTS)])
    _to_artifacts(pdf, artifacts)


SPAN_KEYS = {"/Type", "/S", "/K", "/P", "/Pg"}
FLATTENED = (*CELLS, "/Caption")


def _plain_mcids(element, page) -> list[int] | None:
    """The MCIDs under `element` if it holds nothing but plain spans (nested or not) on `page`."""
    mcids = []
    for kid in kids(element):
        if isinstance(kid, int):
            mcids.append(kid)
            continue
        if not (is_element(kid) and kid.S == "/Span" and set(kid.keys()) <= SPAN_KEYS):
            return None
        if kid.get("/Pg", page).objgen != page.objgen:
            return None
        inner = _plain_mcids(kid, page)
        if inner is None:
            return None
        mcids.extend(inner)
    return mcids


def _flatten_spans(pdf: pikepdf.Pdf) -> None:
    """WeasyPrint wraps every line of a cell's text in a `Span` element, half of a list's
    objects: a cell (or the caption) that holds nothing but plain spans on its own page takes
    their marked content itself (what a reader gets is the same), which halves the memory a
    merge of many chunks needs."""
    arrays = _parent_tree(pdf)
    by_page = {
        page.obj.objgen: arrays.get(int(page.obj.get("/StructParents", -1))) for page in pdf.pages
    }
    for cell in walk(_the_table(pdf), leaves=FLATTENED):
        page = cell.get("/Pg")
        if cell.S not in FLATTENED or page is None or not kids(cell):
            continue
        array = by_page.get(page.objgen)
        mcids = _plain_mcids(cell, page)
        if not mcids or array is None or any(m >= len(array) for m in mcids):
            continue
        cell.K = Array(mcids)
        for m in mcids:
            array[m] = cell


def _render_chunk(
    html: str, *, first: bool, last: bool, rows: int, prefix: str
) -> tuple[Chunk, bytes]:
    """Lay out one chunk and make it ready to merge (see the module's docstring); the chunk
    and its packed fragment."""
    data = pdf_from_html(html)
    with _open(data) as pdf:
        if not last:
            rows = _drop_last_page(pdf) or rows
        _rename_ids(pdf, prefix)
        if not first:
            _header_to_artifacts(pdf)
        _flatten_spans(pdf)
        _add_scopes_and_ids(pdf, pdf.Root.StructTreeRoot)
        chunk = Chunk(_save(pdf), rows, len(pdf.pages))
    return chunk, fragment_of(chunk.data, first=first)


def _render_footer_sheet(html: str) -> tuple[bytes, bytes]:
    data = pdf_from_html(html)
    return data, fragment_of(data, footer=True)


def footer_sheet(
    context: dict, *, language: str, first: int, count: int, total: int, cache: ChunkCache
) -> tuple[str, bytes]:
    """The cache key and packed fragment of the footers of pages `first` + 1 to `first` + `count` of
    `total`, one per page."""
    counter = context["page_counter"].replace("counter(pages)", f'"{total}"')
    html = render_html(
        "pdf/footer_sheet.html",
        {**context, "page_counter": counter, "first_page": first + 1, "pages": range(count)},
        language=language,
    )
    key = chunk_key(html)
    sheet = cache.get(key)
    if sheet is None:
        data, fragment = in_child(_render_footer_sheet, html)
        cache.put(key, Chunk(data, 0, count))
        cache.put_fragment(key, fragment)
        return key, fragment
    fragment = cache.get_fragment(key)
    if fragment is None:
        fragment = fragment_of(sheet.data, footer=True)
        cache.put_fragment(key, fragment)
    return key, fragment


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
    edge = max(settings.PDF_CHUNK_EDGE_ROWS, size // 5)
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
        first, last = start == 0, take == remaining
        chunk_context = {**context, "rows": piece, "chunk": {"first": first, "last": last}}
        html = render_html(template, chunk_context, language=language)
        key = chunk_key(html)
        chunk = cache.get(key)
        fragment = None
        if chunk is None:
            chunk, fragment = in_child(
                functools.partial(
                    _render_chunk,
                    html,
                    first=first,
                    last=last,
                    rows=len(piece),
                    prefix=f"k{key[:16]}-",
                )
            )
            cache.put(key, chunk)
            cache.put_fragment(key, fragment)
            rendered += 1
        else:
            fragment = cache.get_fragment(key)
            if fragment is None:
                fragment = fragment_of(chunk.data, first=first)
                cache.put_fragment(key, fragment)
        # Only the fragment is merged: the chunk's PDF is not kept in memory.
        parts.append((key, Chunk(fragment, chunk.rows, chunk.pages)))
        start += chunk.rows
        if progress:
            progress(start, len(rows))
    pages = sum(chunk.pages for _, chunk in parts)
    sheets = [
        footer_sheet(
            context,
            language=language,
            first=first,
            count=min(FOOTER_BATCH, pages - first),
            total=pages,
            cache=cache,
        )
        for first in range(0, pages, FOOTER_BATCH)
    ]
    # Written fragment by fragment (grants/pdf_stream.py): the memory it takes is the file's.
    data = pdf_stream.write_merged(
        ((key, unpack(chunk.data)) for key, chunk in parts),
        ((key, unpack(sheet)) for key, sheet in sheets),
        BlockCache(cache) if cache.folder else None,
    )
    pruned = cache.prune(settings.PDF_CHUNK_CACHE_MAX_MB * 1024 * 1024)
    log.info(
        "List of %s rows: %s chunks, %s rendered; %s old cache files removed",
        len(rows),
        len(parts),
        rendered,
        pruned,
    )
    return data
