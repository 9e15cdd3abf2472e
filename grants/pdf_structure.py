"""Repairs of WeasyPrint's structure tree (tagged PDF), made with pikepdf after rendering.

WeasyPrint 66 tags a table that runs over several pages as one `/Table` element per page, each
with its own copy of the header row, and writes its `TH` cells without `/Scope`. A screen reader
then announces as many tables as there are pages. `repair_structure` makes of them one `Table`:
the first page's caption and header row, one `TBody` with every row, the footer rows last; the
header rows repeated on later pages become pagination artifacts (shown, not read again); the data
cells' `/Headers` point at the one header row kept; every `TH` gets `/Scope` (`Column` in the
header row, `Row` in the body and footer, as the HTML's `scope` says), and the IDs are listed in
an `/IDTree` so that `/Headers` resolve.

`structure_problems` lists what a reader would stumble on; tests and the benchmark use it."""

import io
import re
from collections import defaultdict

import pikepdf
from pikepdf import Array, Dictionary, Name

TABLE_PARTS = ("/THead", "/TBody", "/TFoot")
# Drawn after the text beside them (images, list bullets), yet read in their place.
UNORDERED = ("/Figure", "/Lbl")
# A marked-content sequence as WeasyPrint writes it: `/Span <</MCID 7>> BDC`.
MARKED_CONTENT = re.compile(rb"/(\w+)\s*<<\s*/MCID\s+(\d+)\s*>>\s*BDC")


def kids(element) -> list:
    k = element.get("/K")
    if k is None:
        return []
    if isinstance(k, Array):
        return list(k)
    return [k]


def is_element(obj) -> bool:
    return isinstance(obj, Dictionary) and "/S" in obj


def walk(element, *, leaves=()):
    """Every structure element under `element` (itself included, unless it is the tree's root),
    in document order; the elements of types in `leaves` are given but not entered."""
    stack = [element]
    while stack:
        current = stack.pop()
        if is_element(current):
            yield current
            if current.S in leaves:
                continue
        if isinstance(current, Dictionary):
            stack.extend(reversed([k for k in kids(current) if is_element(k)]))


# Elements that hold no table: the search for tables need not enter them.
NO_TABLES = ("/Table", "/P", "/H1", "/H2", "/H3", "/H4", "/H5", "/H6", "/Span", "/L", "/Figure")
CELLS = ("/TH", "/TD")


def _marked_content(element):
    """(page, MCID) of every marked-content leaf under `element`."""
    for node in walk(element):
        page = node.get("/Pg")
        for kid in kids(node):
            if isinstance(kid, int):
                yield page, kid
            elif isinstance(kid, Dictionary) and kid.get("/Type") == "/MCR":
                yield kid.get("/Pg", page), int(kid.MCID)


def _part(table, name):
    return next((k for k in kids(table) if is_element(k) and name == k.S), None)


def _set_attribute(cell, key: str, value) -> None:
    attributes = cell.get("/A")
    if attributes is None:
        cell.A = Dictionary(O=Name.Table)
        attributes = cell.A
    elif isinstance(attributes, Array):
        table_attributes = next(
            (a for a in attributes if isinstance(a, Dictionary) and a.get("/O") == "/Table"),
            None,
        )
        if table_attributes is None:
            table_attributes = Dictionary(O=Name.Table)
            attributes.append(table_attributes)
        attributes = table_attributes
    attributes[key] = value


def _header_ids(table) -> list[str]:
    head = _part(table, "/THead")
    if head is None:
        return []
    return [str(c.ID) for c in walk(head) if c.S == "/TH" and "/ID" in c]


def _merge_tables(pdf, tables) -> set:
    """Merge consecutive per-page tables into the first. Returns the (page objgen, MCID) pairs
    of the repeated header rows, which become artifacts."""
    first = tables[0]
    body = _part(first, "/TBody")
    if body is None:
        body = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.TBody, P=first, K=Array()))
        first.K = Array([*kids(first), body])
    rows = kids(body)
    foot = _part(first, "/TFoot")
    kept_ids = _header_ids(first)
    artifacts = set()
    for table in tables[1:]:
        renamed = dict(zip(_header_ids(table), kept_ids, strict=False))
        for part in kids(table):
            if not is_element(part):
                continue
            if part.S in ("/THead", "/Caption"):
                artifacts.update((page.objgen, mcid) for page, mcid in _marked_content(part))
                continue
            for cell in walk(part, leaves=CELLS):
                attributes = cell.get("/A")
                if isinstance(attributes, Dictionary) and "/Headers" in attributes:
                    attributes.Headers = Array(
                        [pikepdf.String(renamed.get(str(h), str(h))) for h in attributes.Headers]
                    )
            if part.S == "/TBody":
                for row in kids(part):
                    if is_element(row):
                        row.P = body
                        rows.append(row)
            elif part.S == "/TFoot":
                part.P = first
                foot = part
    body.K = Array(rows)
    first.K = Array(
        [k for k in kids(first) if not (is_element(k) and k.S in ("/TBody", "/TFoot"))]
        + [body]
        + ([foot] if foot is not None else [])
    )
    return artifacts


def _to_artifacts(pdf, artifacts: set) -> None:
    """Turn the marked content of `artifacts` ((page objgen, MCID) pairs) into pagination
    artifacts, and drop them from the parent tree."""
    by_page = defaultdict(set)
    for objgen, mcid in artifacts:
        by_page[objgen].add(mcid)
    parent_tree = pdf.Root.StructTreeRoot.get("/ParentTree")
    nums = parent_tree.get("/Nums") if parent_tree is not None else None
    entries = {}
    if nums is not None:
        entries = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
    for page in pdf.pages:
        mcids = by_page.get(page.obj.objgen)
        if not mcids:
            continue

        def replace(match, mcids=mcids):
            if int(match.group(2)) in mcids:
                return b"/Artifact <</Type /Pagination /Subtype /Header>> BDC"
            return match.group(0)

        contents = page.obj.Contents
        streams = list(contents) if isinstance(contents, Array) else [contents]
        data = b"\n".join(stream.read_bytes() for stream in streams)
        page.obj.Contents = pdf.make_stream(MARKED_CONTENT.sub(replace, data))
        array = entries.get(int(page.obj.get("/StructParents", -1)))
        if array is not None:
            for mcid in mcids:
                if mcid < len(array):
                    array[mcid] = None


def _add_scopes_and_ids(pdf, root) -> None:
    ids = []
    for table in (e for e in walk(root, leaves=NO_TABLES) if e.S == "/Table"):
        for part in kids(table):
            if not is_element(part) or part.S not in TABLE_PARTS:
                continue
            scope = Name.Column if part.S == "/THead" else Name.Row
            for cell in walk(part, leaves=CELLS):
                if cell.S == "/TH":
                    _set_attribute(cell, "/Scope", scope)
                if "/ID" in cell:
                    ids.append((bytes(cell.ID), cell))
    if ids:
        names = Array()
        for key, cell in sorted(ids, key=lambda pair: pair[0]):
            names.append(pikepdf.String(key))
            names.append(cell)
        pdf.Root.StructTreeRoot.IDTree = pdf.make_indirect(Dictionary(Names=names))


def repair_structure(data: bytes) -> bytes:
    """The PDF with its tables merged and scoped (see the module's docstring)."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        tree = pdf.Root.get("/StructTreeRoot")
        if tree is None:
            return data
        artifacts = set()
        parents = [e for top in kids(tree) for e in walk(top, leaves=NO_TABLES)]
        for parent in parents:
            children = kids(parent)
            groups, current = [], []
            for child in children:
                if is_element(child) and child.S == "/Table":
                    current.append(child)
                else:
                    if len(current) > 1:
                        groups.append(current)
                    current = []
            if len(current) > 1:
                groups.append(current)
            for group in groups:
                artifacts |= _merge_tables(pdf, group)
                dropped = {t.objgen for t in group[1:]}
                parent.K = Array(
                    [c for c in kids(parent) if not (is_element(c) and c.objgen in dropped)]
                )
        if artifacts:
            _to_artifacts(pdf, artifacts)
        _add_scopes_and_ids(pdf, tree)
        out = io.BytesIO()
        pdf.save(out, compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
        return out.getvalue()


def structure_problems(data: bytes, *, max_tables: int | None = 1) -> list[str]:
    """What stands in a screen reader's way: more than one table for one list, a table without
    a header row (a list has one table: `max_tables`), a TH without /Scope, /Headers that name no TH, a figure without /Alt, no
    outline, no language, no title shown."""
    problems = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        root = pdf.Root
        if "/StructTreeRoot" not in root:
            return ["no structure tree"]
        if not root.get("/MarkInfo", {}).get("/Marked"):
            problems.append("not marked")
        if not str(root.get("/Lang", "")):
            problems.append("no /Lang")
        if root.get("/ViewerPreferences", {}).get("/DisplayDocTitle") is not True:
            problems.append("title not displayed")
        if "/Outlines" not in root or int(root.Outlines.get("/Count", 0)) == 0:
            problems.append("no outline")
        elements = list(walk(root.StructTreeRoot))
        tables = [e for e in elements if e.S == "/Table"]
        if max_tables is not None and len(tables) > max_tables:
            problems.append(f"{len(tables)} tables")
        th_ids = set()
        for table in tables:
            head = _part(table, "/THead")
            if head is None or not any(e.S == "/TH" for e in walk(head)):
                problems.append("a table without a header row")
            for cell in walk(table):
                if cell.S == "/TH":
                    a = cell.get("/A")
                    scopes = [a] if isinstance(a, Dictionary) else list(a or [])
                    if not any("/Scope" in s for s in scopes if isinstance(s, Dictionary)):
                        problems.append("TH without /Scope")
                    if "/ID" in cell:
                        th_ids.add(str(cell.ID))
            for cell in walk(table):
                a = cell.get("/A")
                if isinstance(a, Dictionary) and "/Headers" in a:
                    missing = [str(h) for h in a.Headers if str(h) not in th_ids]
                    if missing:
                        problems.append(f"/Headers names no TH: {missing[0]}")
        last = {}
        for element in elements:
            parent = element.get("/P")
            if element.S in UNORDERED or (is_element(parent) and parent.S in UNORDERED):
                continue
            for kid in kids(element):
                if isinstance(kid, int) and "/Pg" in element:
                    page = element.Pg.objgen
                    if kid < last.get(page, -1):
                        problems.append("reading order differs from the page's drawing order")
                    last[page] = kid
        for figure in (e for e in elements if e.S == "/Figure"):
            if not str(figure.get("/Alt", "")):
                problems.append("figure without /Alt")
    return sorted(set(problems))
