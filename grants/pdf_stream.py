"""A merged list PDF written object by object, so that no process holds the whole document.

Merging chunks with pikepdf builds every row's structure elements as qpdf objects in one process
(~20 KB a row: 382 MB at 10 000 rows, ~1.3 GB at 50 000). Here each chunk (and each footer
sheet) is turned once, when it is laid out, into a *fragment*: its objects serialized by qpdf
(`unparse`), numbered from `BASE` in the order they are reached, with the objects that the
merged document shares (the page tree, the structure tree's root, the table, its body, the
parent tree, the ID tree) replaced by fixed numbers below `BASE`. The merge then only appends
fragments to a file, one at a time, shifting their object numbers; the shared objects are
written last, from the rows, pages and parent tree entries the fragments list. Objects without
a stream go into compressed object streams, with a cross-reference stream, as qpdf writes them.

The result is the same document as `pdf_chunked.merge_chunks` + `stamp_footers` made: one
`Table` whose header row is the first chunk's, every row in one `TBody`, the last chunk's totals,
the ID tree made of the chunks' ID trees, and each page's footer drawn as a pagination artifact.
"""

import io
import re
import zlib
from array import array
from dataclasses import dataclass, field

import pikepdf
from pikepdf import Array, Dictionary, Name

from grants.pdf_structure import MARKED_CONTENT

PAGES, STRUCT_TREE, TABLE, TBODY, PARENT_TREE, ID_TREE, OPEN, CLOSE = range(1, 9)
BASE = 16  # a fragment's own objects are numbered from here
FORBIDDEN = 0  # an object a fragment must not reach (another chunk's document element)
OBJECTS_PER_STREAM = 200
# A literal string (qpdf escapes the parentheses inside) or an indirect reference.
TOKEN = re.compile(rb"\((?:[^\\()]|\\.)*\)|(\d+) (\d+) R", re.DOTALL)
INHERITED = ("/Resources", "/MediaBox", "/CropBox", "/Rotate")
PAGE_OWN = {"/Parent", "/StructParents", "/Contents", "/Resources"}
FOOTER = b"/DelmosFooter"
FOOTER_OPEN = b"q\n"
FOOTER_CLOSE = (
    b"\nQ\n/Artifact <</Type /Pagination /Subtype /Footer>> BDC q " + FOOTER + b" Do Q EMC\n"
)


@dataclass
class Page:
    number: int
    entries: bytes  # the page dictionary's entries but PAGE_OWN
    contents: bytes  # references to its content streams
    resources: bytes  # the resource dictionary's entries but /XObject
    xobjects: bytes  # the /XObject dictionary's entries
    key: int | None  # its /StructParents


@dataclass
class Fragment:
    objects: list[tuple[bytes, bytes | None]] = field(default_factory=list)  # text, stream data
    pages: list[Page] = field(default_factory=list)
    nums: list[tuple[int, int]] = field(default_factory=list)  # parent tree: key, array
    rows: bytes = b""  # references to the TBody's rows
    foot: bytes = b""  # reference to the TFoot, in the last chunk
    id_leaves: list[tuple[bytes, int]] = field(default_factory=list)  # first key, leaf
    forms: list[int] = field(default_factory=list)  # a footer sheet's pages as forms
    # The first chunk's document parts, rewritten by the merge.
    catalog: int = 0
    info: int = 0
    trailer_id: bytes = b""
    struct_tree: bytes = b""  # its entries but /K, /ParentTree, /IDTree, /ParentTreeNextKey
    struct_kids: bytes = b""
    table: bytes = b""  # its entries but /K
    table_kids: bytes = b""  # the caption and the header row
    tbody: bytes = b""  # its entries but /K


def _entries(dictionary: Dictionary, leave_out=()) -> bytes:
    """The entries of `dictionary` as PDF text, without the surrounding << >>."""
    kept = Dictionary({k: v for k, v in dictionary.items() if k not in leave_out})
    return kept.unparse().strip()[2:-2].strip()


class _Serializer:
    """A chunk's objects numbered from BASE as they are reached from the parts it exports."""

    def __init__(self, pdf: pikepdf.Pdf, shared: dict):
        self.pdf = pdf
        self.numbers = dict(shared)  # objgen: number
        self.queue = []
        self.fragment = Fragment()

    def number(self, obj) -> int:
        """The number of an indirect object, serialized later; a direct one becomes an object."""
        if not obj.is_indirect:
            self.fragment.objects.append((b"", None))
            number = BASE + len(self.fragment.objects) - 1
            self.queue.append((number, obj))
            return number
        return self._number_of(obj.objgen)

    def _number_of(self, objgen) -> int:
        number = self.numbers.get(objgen)
        if number is None:
            self.fragment.objects.append((b"", None))
            number = self.numbers[objgen] = BASE + len(self.fragment.objects) - 1
            self.queue.append((number, self.pdf.get_object(objgen)))
        elif number == FORBIDDEN:
            raise ValueError(f"a chunk's part reaches object {objgen}, which it does not export")
        return number

    def text(self, data: bytes) -> bytes:
        """PDF text with its references renumbered."""

        def renumber(match):
            if match.group(1) is None:
                return match.group(0)
            return b"%d 0 R" % self._number_of((int(match.group(1)), int(match.group(2))))

        return TOKEN.sub(renumber, data)

    def ref(self, obj) -> bytes:
        return b"%d 0 R" % self.number(obj)

    def page(self, page: Dictionary) -> Page:
        number = self._number_of(page.objgen)
        resources = page.get("/Resources", Dictionary())
        xobjects = resources.get("/XObject", Dictionary())
        contents = page.Contents
        contents = list(contents) if isinstance(contents, Array) else [contents]
        key = page.get("/StructParents")
        return Page(
            number,
            self.text(_entries(page, PAGE_OWN)),
            b" ".join(self.ref(c) for c in contents),
            self.text(_entries(resources, ("/XObject",))),
            self.text(_entries(xobjects)),
            None if key is None else int(key),
        )

    def finish(self) -> Fragment:
        objects = self.fragment.objects
        pages = {page.number for page in self.fragment.pages}
        while self.queue:
            number, obj = self.queue.pop()
            if number in pages:
                continue
            if isinstance(obj, pikepdf.Stream):
                text = self.text(_entries(obj.stream_dict, ("/Length",)))
                objects[number - BASE] = (text, obj.read_raw_bytes())
            else:
                objects[number - BASE] = (self.text(obj.unparse(resolved=True)), None)
        return self.fragment


def _element(elements, name):
    return next((e for e in elements if isinstance(e, Dictionary) and e.get("/S") == name), None)


def _kids(element) -> list:
    k = element.get("/K")
    return list(k) if isinstance(k, Array) else ([] if k is None else [k])


def _the_table(tree):
    stack = _kids(tree)
    while stack:
        element = stack.pop(0)
        if not isinstance(element, Dictionary):
            continue
        if element.get("/S") == "/Table":
            return element
        stack[:0] = _kids(element)
    raise ValueError("no table")


def chunk_fragment(pdf: pikepdf.Pdf, *, first: bool) -> Fragment:
    """The fragment of a chunk prepared for merging (`pdf_chunked._render_chunk`)."""
    tree = pdf.Root.StructTreeRoot
    table = _the_table(tree)
    parts = _kids(table)
    body, foot = _element(parts, "/TBody"), _element(parts, "/TFoot")
    pages_root = pdf.Root.Pages
    if any(key in pages_root for key in INHERITED):
        raise ValueError("the chunk's page tree holds inherited attributes")
    shared = {pages_root.objgen: PAGES, table.objgen: TABLE, body.objgen: TBODY}
    shared[tree.objgen] = STRUCT_TREE if first else FORBIDDEN
    if not first:
        shared[pdf.Root.objgen] = FORBIDDEN
        shared.update((e.objgen, FORBIDDEN) for e in _kids(tree) if isinstance(e, Dictionary))
    parent_tree = tree.ParentTree
    if parent_tree.is_indirect:
        shared[parent_tree.objgen] = PARENT_TREE if first else FORBIDDEN
    id_tree = tree.get("/IDTree")
    if id_tree is not None and id_tree.is_indirect:
        shared[id_tree.objgen] = ID_TREE if first else FORBIDDEN
    s = _Serializer(pdf, shared)
    fragment = s.fragment
    fragment.pages = [s.page(page.obj) for page in pdf.pages]
    page_keys = {page.key for page in fragment.pages}
    nums = parent_tree.Nums
    for i in range(0, len(nums), 2):
        key = int(nums[i])
        if first or key in page_keys:
            fragment.nums.append((key, s.number(nums[i + 1])))
    fragment.rows = b" ".join(s.ref(row) for row in _kids(body) if isinstance(row, Dictionary))
    if foot is not None:
        fragment.foot = s.ref(foot)
    names = list(id_tree.Names) if id_tree is not None else []
    leaves, start = [], 0
    for i in range(0, len(names), 2):  # the first chunk's header cells' IDs in a leaf apart
        if i and bytes(names[i]).startswith(b"0h-") != bytes(names[i - 2]).startswith(b"0h-"):
            leaves.append(names[start:i])
            start = i
    leaves.append(names[start:])
    for leaf in (leaf for leaf in leaves if leaf):
        node = Dictionary(Limits=Array([leaf[0], leaf[-2]]), Names=Array(leaf))
        fragment.id_leaves.append((bytes(leaf[0]), s.number(node)))
    if first:
        fragment.catalog = s.number(pdf.Root)
        fragment.info = s.number(pdf.trailer.Info) if "/Info" in pdf.trailer else 0
        if "/ID" in pdf.trailer:
            fragment.trailer_id = s.text(pdf.trailer.ID.unparse())
        own = ("/K", "/ParentTree", "/IDTree", "/ParentTreeNextKey")
        fragment.struct_tree = s.text(_entries(tree, own))
        fragment.struct_kids = b" ".join(s.ref(k) for k in _kids(tree))
        fragment.table = s.text(_entries(table, ("/K",)))
        fragment.table_kids = b" ".join(
            s.ref(k) if isinstance(k, Dictionary) else str(int(k)).encode()
            for k in parts
            if not (isinstance(k, Dictionary) and k.get("/S") in ("/TBody", "/TFoot"))
        )
        fragment.tbody = s.text(_entries(body, ("/K",)))
    return s.finish()


def footer_fragment(pdf: pikepdf.Pdf) -> Fragment:
    """The fragment of a footer sheet: each page as a form, its content a pagination artifact."""
    s = _Serializer(pdf, {pdf.Root.Pages.objgen: FORBIDDEN})
    for page in pdf.pages:
        form = page.as_form_xobject()
        data = MARKED_CONTENT.sub(rb"/Artifact BMC", form.read_bytes())
        form.write(zlib.compress(data), filter=Name.FlateDecode)
        s.fragment.forms.append(s.number(pdf.make_indirect(form)))
    return s.finish()


def _shift(data: bytes, shift: int) -> bytes:
    def renumber(match):
        if match.group(1) is None or int(match.group(1)) < BASE:
            return match.group(0)
        return b"%d 0 R" % (int(match.group(1)) + shift)

    return TOKEN.sub(renumber, data)


class _Section:
    """Objects written to a buffer of their own, those without a stream packed in object
    streams numbered by `number()`: its bytes and cross-reference entries (offsets from its
    start) can be cached and appended to any file."""

    def __init__(self, number):
        self.out = io.BytesIO()
        self.entries = []  # (number, 1, offset, 0) or (number, 2, object stream, index)
        self.pending = []
        self.number = number

    def add(self, number: int, text: bytes, data: bytes | None = None) -> None:
        if data is None:
            self.pending.append((number, text))
            if len(self.pending) >= OBJECTS_PER_STREAM:
                self.flush()
            return
        head = b"<< %s /Length %d >>\nstream\n" % (text, len(data))
        self.write(number, head + data + b"\nendstream")

    def write(self, number: int, body: bytes) -> None:
        self.entries.append((number, 1, self.out.tell(), 0))
        self.out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))

    def flush(self) -> None:
        if not self.pending:
            return
        stream = self.number()
        offsets, body, position = [], [], 0
        for index, (number, text) in enumerate(self.pending):
            offsets.append(b"%d %d" % (number, position))
            body.append(text)
            position += len(text) + 1
            self.entries.append((number, 2, stream, index))
        header = b" ".join(offsets) + b"\n"
        data = zlib.compress(header + b"\n".join(body) + b"\n", 6)
        head = b"<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
        self.write(
            stream, head % (len(self.pending), len(header), len(data)) + data + b"\nendstream"
        )
        self.pending = []

    def block(self) -> tuple[bytes, list]:
        self.flush()
        return self.out.getvalue(), self.entries


def _block(fragment: Fragment, shift: int, streams: int) -> tuple[bytes, list]:
    """A fragment's objects but its pages, numbered from BASE + `shift`, its object streams
    from `streams`."""
    numbers = iter(range(streams, streams + len(fragment.objects)))
    section = _Section(lambda: next(numbers))
    pages = {page.number for page in fragment.pages}
    for index, (text, data) in enumerate(fragment.objects):
        if BASE + index not in pages:
            section.add(BASE + index + shift, _shift(text, shift), data)
    return section.block()


class _Writer:
    def __init__(self, blocks=None):
        self.out = io.BytesIO()
        self.out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        # The cross-reference entry of each number: kind (0 free, 1 at an offset, 2 in an
        # object stream), offset or object stream, index; arrays, not ~100 000 tuples.
        self.kinds = bytearray(BASE)
        self.first, self.second = array("Q", [0] * BASE), array("I", [0] * BASE)
        self.next = BASE
        self.blocks = blocks
        self.section = _Section(lambda: self.allocate(1))  # pages and shared objects

    def allocate(self, count: int) -> int:
        start, self.next = self.next, self.next + count
        self.kinds.extend(bytes(count))
        self.first.extend([0] * count)
        self.second.extend([0] * count)
        return start

    def append(self, block: tuple[bytes, list]) -> None:
        data, entries = block
        start = self.out.tell()
        self.out.write(data)
        for number, kind, a, b in entries:
            self.kinds[number] = kind
            self.first[number] = a + start if kind == 1 else a
            self.second[number] = b

    def fragment(self, fragment: Fragment, key: str | None = None) -> int:
        """Append a fragment's objects but its pages; the shift of its numbers. The bytes are
        taken from `blocks` when this fragment was written with the same shift before (a
        republished list whose earlier chunks kept their number of objects)."""
        self.append(self.section.block())
        self.section = _Section(lambda: self.allocate(1))
        pages = {page.number for page in fragment.pages}
        plain = sum(
            1
            for index, (_, data) in enumerate(fragment.objects)
            if data is None and BASE + index not in pages
        )
        start = self.allocate(len(fragment.objects) + -(-plain // OBJECTS_PER_STREAM))
        shift = start - BASE
        block = self.blocks.get(key, shift) if self.blocks and key else None
        if block is None:
            block = _block(fragment, shift, start + len(fragment.objects))
            if self.blocks and key:
                self.blocks.put(key, shift, block)
        self.append(block)
        return shift

    def add(self, number: int, text: bytes, data: bytes | None = None) -> None:
        self.section.add(number, text, data)

    def finish(self, root: int, info: int, trailer_id: bytes) -> bytes:
        self.append(self.section.block())
        number = self.allocate(1)
        size = self.next
        offset = self.out.tell()
        self.kinds[number], self.first[number] = 1, offset
        rows = bytearray(b"\x00\x00\x00\x00\x00\xff\xff")
        for n in range(1, size):
            rows += (
                self.kinds[n].to_bytes(1, "big")
                + self.first[n].to_bytes(4, "big")
                + self.second[n].to_bytes(2, "big")
            )
        data = zlib.compress(bytes(rows))
        trailer = b"/Root %d 0 R" % root
        if info:
            trailer += b" /Info %d 0 R" % info
        if trailer_id:
            trailer += b" /ID " + trailer_id
        head = b"<< /Type /XRef /Size %d /W [ 1 4 2 ] %s /Filter /FlateDecode /Length %d >>\n"
        self.out.write(
            b"%d 0 obj\n" % number
            + head % (size, trailer, len(data))
            + b"stream\n"
            + data
            + b"\nendstream\nendobj\n"
        )
        self.out.write(b"startxref\n%d\n%%%%EOF\n" % offset)
        return self.out.getvalue()


def write_merged(chunks, sheets, blocks=None) -> bytes:
    """The merged list: `chunks` and `sheets` are iterables of (cache key, fragment), in order
    (the first chunk's holds the document's parts), loaded one at a time; `blocks` (`get(key,
    shift)`, `put(key, shift, block)`) keeps each fragment's objects as last written."""
    w = _Writer(blocks)
    forms = []
    for name, sheet in sheets:
        shift = w.fragment(sheet, name)
        forms.extend(number + shift for number in sheet.forms)
    w.add(OPEN, b"", FOOTER_OPEN)
    w.add(CLOSE, b"", FOOTER_CLOSE)
    kids, rows, nums, leaves = [], [], [], []
    foot, next_key, head = b"", 0, None
    for index, (name, fragment) in enumerate(chunks):
        shift = w.fragment(fragment, name)
        if index == 0:
            head = fragment, shift
            keys = {key: key for key, _ in fragment.nums}
        else:
            keys = {key: next_key + i for i, (key, _) in enumerate(sorted(fragment.nums))}
        next_key = max([next_key - 1, *keys.values()]) + 1
        nums.extend((keys[key], array + shift) for key, array in fragment.nums)
        for page in fragment.pages:
            if len(kids) >= len(forms):
                raise ValueError(f"{len(forms)} footers for more pages")
            key = b"" if page.key is None else b" /StructParents %d" % keys[page.key]
            own = _shift(
                b"%s\0%s\0%s\0%s" % (page.entries, page.contents, page.resources, page.xobjects),
                shift,
            ).split(b"\0")
            xobjects = b"<< %s %s %d 0 R >>" % (own[3], FOOTER, forms[len(kids)])
            text = b"<< %s /Parent %d 0 R%s /Contents [ %d 0 R %s %d 0 R ] " % (
                own[0],
                PAGES,
                key,
                OPEN,
                own[1],
                CLOSE,
            ) + b"/Resources << %s /XObject %s >> >>" % (own[2], xobjects)
            w.add(page.number + shift, text)
            kids.append(b"%d 0 R" % (page.number + shift))
        rows.append(_shift(fragment.rows, shift))
        if fragment.foot:
            foot = _shift(fragment.foot, shift)
        leaves.extend((key, number + shift) for key, number in fragment.id_leaves)
    if len(kids) != len(forms):
        raise ValueError(f"{len(forms)} footers for {len(kids)} pages")
    first, shift = head
    w.add(PAGES, b"<< /Type /Pages /Kids [ %s ] /Count %d >>" % (b" ".join(kids), len(kids)))
    w.add(TBODY, b"<< %s /K [ %s ] >>" % (_shift(first.tbody, shift), b" ".join(rows)))
    table_kids = b"%s %d 0 R %s" % (_shift(first.table_kids, shift), TBODY, foot)
    w.add(TABLE, b"<< %s /K [ %s ] >>" % (_shift(first.table, shift), table_kids))
    nums.sort()
    w.add(PARENT_TREE, b"<< /Nums [ %s ] >>" % b" ".join(b"%d %d 0 R" % pair for pair in nums))
    leaves.sort()
    w.add(ID_TREE, b"<< /Kids [ %s ] >>" % b" ".join(b"%d 0 R" % n for _, n in leaves))
    w.add(
        STRUCT_TREE,
        b"<< %s /K [ %s ] /ParentTree %d 0 R /IDTree %d 0 R /ParentTreeNextKey %d >>"
        % (
            _shift(first.struct_tree, shift),
            _shift(first.struct_kids, shift),
            PARENT_TREE,
            ID_TREE,
            next_key,
        ),
    )
    return w.finish(
        first.catalog + shift, first.info + shift if first.info else 0, first.trailer_id
    )
