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
  memory of WeasyPrint's layout is given back when the child exits and the process that merges
  holds only the finished chunks;
- a chunk is made ready for merging before it is cached: its IDs prefixed with its key (the
  header cells' IDs are the same in every chunk, so `/Headers` need no renaming), in every
  chunk but the first its header row made a pagination artifact, and its cells given their
  text's marked content directly instead of one `Span` element per line (half the objects);
  merging is then copying pages and rows, without walking the structure tree, and it runs in a
  child too;
- chunks are cached by the SHA-256 of their HTML (which carries the rows, the language and
  everything the template prints), so a republished list lays out only the chunks whose rows
  changed, and the ones after them only if the page breaks moved;
- the chunks are merged with pikepdf (qpdf), their structure trees into one: one `Table` whose
  header row is the first chunk's, every row in one `TBody`, the totals last; the ID tree is
  made of the chunks' ID trees;
- the footers (version, "page N of M") are rendered in footer sheets of `FOOTER_BATCH` pages with
  the same page box (`pdf/_list_page.css`), cached like the chunks (a republished list whose page
  count is unchanged renders none), and stamped onto the pages as pagination artifacts.

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
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import pikepdf
from django.conf import settings
from pikepdf import Array, Dictionary

from grants.pdf import pdf_from_html, render_html
from grants.pdf_structure import (
    CELLS,
    MARKED_CONTENT,
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
        os.utime(path)  # recently used: kept by prune()
        return Chunk(pdf, int(rows), int(pages))

    def put(self, key: str, chunk: Chunk) -> None:
        if self.folder is None:
            return
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_bytes(b"%d %d\n" % (chunk.rows, chunk.pages) + chunk.data)
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


def _render_chunk(html: str, *, first: bool, last: bool, rows: int, prefix: str) -> Chunk:
    """Lay out one chunk and make it ready to merge (see the module's docstring)."""
    data = pdf_from_html(html)
    with _open(data) as pdf:
        if not last:
            rows = _drop_last_page(pdf) or rows
        _rename_ids(pdf, prefix)
        if not first:
            _header_to_artifacts(pdf)
        _flatten_spans(pdf)
        _add_scopes_and_ids(pdf, pdf.Root.StructTreeRoot)
        return Chunk(_save(pdf), rows, len(pdf.pages))


def _copy(pdf: pikepdf.Pdf, obj):
    """`obj` of another PDF copied into `pdf`; a direct array element by element."""
    if isinstance(obj, Array) and not obj.is_indirect:
        return Array([_copy(pdf, item) for item in obj])
    if isinstance(obj, Dictionary | Array) and obj.is_indirect:
        return pdf.copy_foreign(obj)
    return obj


def _id_leaf(pdf: pikepdf.Pdf, names) -> tuple[str, object] | None:
    if len(names) == 0:
        return None
    leaf = Dictionary(Limits=Array([names[0], names[len(names) - 2]]), Names=names)
    return str(names[0]), pdf.make_indirect(leaf)


def merge_chunks(chunks: list[bytes]) -> pikepdf.Pdf:
    """One tagged PDF of prepared chunks (`_render_chunk`), with one table: the first chunk's,
    with every chunk's rows in its `TBody` and the last chunk's totals. The caller closes it."""
    base = _open(chunks[0])
    tree = base.Root.StructTreeRoot
    nums = tree.ParentTree.Nums
    next_key = max([int(nums[i]) for i in range(0, len(nums), 2)] + [-1]) + 1
    next_key = max(next_key, int(tree.get("/ParentTreeNextKey", 0)))
    table = _the_table(base)
    body = _part(table, "/TBody")
    rows = kids(body)
    foot = _part(table, "/TFoot")
    # The ID tree: the header cells' IDs, then one leaf per chunk (keys prefixed by chunk).
    names = list(tree.IDTree.Names) if "/IDTree" in tree else []
    split = next((i for i in range(0, len(names), 2) if not str(names[i]).startswith("0h-")), 0)
    leaves = [
        _id_leaf(base, Array(names[:split]) if split else Array()),
        _id_leaf(base, Array(names[split:])),
    ]
    for data in chunks[1:]:
        with _open(data) as chunk:
            entries = _parent_tree(chunk)
            chunk_table = _the_table(chunk)
            del chunk_table["/P"]  # copy the table, not the chunk's whole tree
            for page in chunk.pages:
                key = int(page.obj.get("/StructParents", -1))
                base.pages.append(page)
                if key in entries:
                    base.pages[-1].obj.StructParents = next_key
                    nums.append(next_key)
                    nums.append(_copy(base, entries[key]))
                    next_key += 1
            copied = base.copy_foreign(chunk_table)
            for part in kids(copied):
                if not is_element(part):
                    continue
                if part.S == "/TBody":
                    for row in kids(part):
                        if is_element(row):
                            row.P = body
                            rows.append(row)
                elif part.S == "/TFoot":
                    part.P = table
                    foot = part
            if "/IDTree" in chunk.Root.StructTreeRoot:
                copied_ids = base.copy_foreign(chunk.Root.StructTreeRoot.IDTree)
                leaves.append(_id_leaf(base, copied_ids.Names))
    body.K = Array(rows)
    table.K = Array(
        [k for k in kids(table) if not (is_element(k) and k.S in ("/TBody", "/TFoot"))]
        + [body]
        + ([foot] if foot is not None else [])
    )
    tree.ParentTreeNextKey = next_key
    leaves = sorted((leaf for leaf in leaves if leaf is not None), key=lambda leaf: leaf[0])
    if leaves:
        tree.IDTree = base.make_indirect(Dictionary(Kids=Array([leaf for _, leaf in leaves])))
    return base


def stamp_footers(pdf: pikepdf.Pdf, sheets: list[bytes]) -> None:
    """Draw the footer sheets' pages, in order, onto the pages of `pdf`, as pagination
    artifacts."""
    pages = iter(pdf.pages)
    stamped = 0
    for sheet in sheets:
        with _open(sheet) as footers:
            for footer in footers.pages:
                page = next(pages)
                stamped += 1
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
    if stamped != len(pdf.pages):
        raise ValueError(f"{stamped} footers for {len(pdf.pages)} pages")


def assemble(chunks: list[bytes], sheets: list[bytes]) -> bytes:
    """The merged list with its footers, saved."""
    merged = merge_chunks(chunks)
    try:
        stamp_footers(merged, sheets)
        return _save(merged)
    finally:
        merged.close()


def footer_sheet(
    context: dict, *, language: str, first: int, count: int, total: int, cache: ChunkCache
) -> bytes:
    """The footers of pages `first` + 1 to `first` + `count` of `total`, one per page."""
    counter = context["page_counter"].replace("counter(pages)", f'"{total}"')
    html = render_html(
        "pdf/footer_sheet.html",
        {**context, "page_counter": counter, "first_page": first + 1, "pages": range(count)},
        language=language,
    )
    key = chunk_key(html)
    sheet = cache.get(key)
    if sheet is None:
        sheet = Chunk(in_child(pdf_from_html, html), 0, count)
        cache.put(key, sheet)
    return sheet.data


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
        if chunk is None:
            chunk = in_child(
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
            rendered += 1
        parts.append(chunk)
        start += chunk.rows
        if progress:
            progress(start, len(rows))
    pages = sum(chunk.pages for chunk in parts)
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
    # The merge holds every row's structure elements in qpdf (~20 KB a row): in a child too.
    data = in_child(functools.partial(assemble, [chunk.data for chunk in parts], sheets))
    log.info("List of %s rows: %s chunks, %s rendered", len(rows), len(parts), rendered)
    return data
