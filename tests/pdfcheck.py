"""Checks of a rendered PDF's page layout, read back from the PDF itself with pdfplumber:
every word's box inside the text area, no two words overlapping, and in a table every word
inside one column (the columns are the shaded header cells repeated on each page)."""

import io
from dataclasses import dataclass

import pdfplumber

MM = 72 / 25.4
EPS = 0.5  # points


@dataclass
class Flaw:
    page: int
    kind: str
    text: str

    def __str__(self):
        return f"page {self.page}: {self.kind}: {self.text}"


def _overlaps(a, b) -> bool:
    dx = min(a["x1"], b["x1"]) - max(a["x0"], b["x0"])
    dy = min(a["bottom"], b["bottom"]) - max(a["top"], b["top"])
    return dx > EPS and dy > EPS


def _header_columns(page) -> list[tuple[float, float, float]]:
    """The (x0, x1, bottom) of the shaded header cells on the page, left to right."""
    cells = [
        rect
        for rect in page.rects
        if rect.get("fill")
        and rect.get("non_stroking_color") not in (None, (1,), [1], (1, 1, 1), [1, 1, 1])
        and rect["width"] > 10
    ]
    return sorted((c["x0"], c["x1"], c["bottom"]) for c in cells)


def layout_flaws(pdf: bytes, *, margins_mm=(14, 12, 16, 12), footer_mm=5) -> list[Flaw]:
    """Every layout flaw found: a word outside the text area (the footer may use the bottom
    margin), two words overlapping, a table word crossing from one column into another."""
    top_m, right_m, _bottom_m, left_m = (m * MM for m in margins_mm)
    flaws: list[Flaw] = []
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for number, page in enumerate(document.pages, start=1):
            words = page.extract_words(keep_blank_chars=False, use_text_flow=True)
            left, right = left_m - EPS, page.width - right_m + EPS
            for word in words:
                if word["x0"] < left or word["x1"] > right:
                    flaws.append(Flaw(number, "outside the text area", word["text"]))
                if word["top"] < top_m - EPS or word["bottom"] > page.height - footer_mm * MM:
                    flaws.append(Flaw(number, "outside the page's text rows", word["text"]))
            ordered = sorted(words, key=lambda w: w["top"])
            for i, word in enumerate(ordered):
                for other in ordered[i + 1 :]:
                    if other["top"] >= word["bottom"]:
                        break
                    if _overlaps(word, other):
                        flaws.append(
                            Flaw(number, "overlap", f"{word['text']!r} / {other['text']!r}")
                        )
            columns = _header_columns(page)
            if columns:
                table_top = min(c[2] for c in columns)
                footer_top = page.height - 16 * MM
                for word in words:
                    if word["top"] < table_top - EPS or word["top"] > footer_top:
                        continue
                    if not any(
                        x0 - EPS <= word["x0"] and word["x1"] <= x1 + EPS for x0, x1, _ in columns
                    ):
                        flaws.append(Flaw(number, "crosses a column", word["text"]))
    return flaws


def page_texts(pdf: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return [(page.extract_text() or "").replace("\xa0", " ") for page in document.pages]
