"""Charts as server-rendered SVG: no JavaScript, each with a title and a description, and always
shown beside an equivalent data table (the template's job)."""

import json
import math
from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

GEOJSON = Path(settings.BASE_DIR) / "regions" / "data" / "lan.geojson"

# Five sequential blues, light to dark; the darkest three carry white text nowhere, so only the
# outline (dark grey, 3:1 against white) has to meet the non-text contrast rule.
SHADES = ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"]
MAP_WIDTH = 320


@cache
def _county_outlines() -> dict[str, list[list[tuple[float, float]]]]:
    """County code → rings in map units (equirectangular, squeezed by cos 62° for Sweden)."""
    data = json.loads(GEOJSON.read_text(encoding="utf-8"))
    squeeze = math.cos(math.radians(62))
    rings: dict[str, list] = {}
    for feature in data["features"]:
        code = f"{int(feature['properties']['l_id']):02d}"
        geometry = feature["geometry"]
        polygons = (
            [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        )
        for polygon in polygons:
            ring = polygon[0]
            rings.setdefault(code, []).append([(lon * squeeze, -lat) for lon, lat in ring])
    return rings


@cache
def _map_paths() -> tuple[dict[str, str], float]:
    rings = _county_outlines()
    xs = [x for parts in rings.values() for ring in parts for x, _ in ring]
    ys = [y for parts in rings.values() for ring in parts for _, y in ring]
    min_x, min_y = min(xs), min(ys)
    scale = MAP_WIDTH / (max(xs) - min_x)
    height = (max(ys) - min_y) * scale
    paths = {}
    for code, parts in rings.items():
        commands = []
        for ring in parts:
            points = []
            last = None
            for x, y in ring:
                point = (round((x - min_x) * scale, 1), round((y - min_y) * scale, 1))
                if point != last:
                    points.append(point)
                    last = point
            if len(points) < 3:
                continue
            commands.append("M" + "L".join(f"{px:g},{py:g}" for px, py in points) + "Z")
        paths[code] = "".join(commands)
    return paths, round(height, 1)


def shade_classes(values: list[float]) -> list[float]:
    """Upper bounds of five equal-width classes from zero to the largest value."""
    top = max(values, default=0) or 1
    return [top * (i + 1) / len(SHADES) for i in range(len(SHADES))]


def shade_for(value: float, bounds: list[float]) -> str:
    for shade, bound in zip(SHADES, bounds, strict=True):
        if value <= bound:
            return shade
    return SHADES[-1]


def county_map(*, figures, title: str, description: str, chart_id: str = "county-map") -> str:
    """Sweden's 21 counties shaded by kronor per inhabitant. `figures` are CountyFigure rows."""
    paths, height = _map_paths()
    bounds = shade_classes([f.per_inhabitant for f in figures])
    shapes = format_html_join(
        "",
        '<path d="{}" fill="{}" stroke="#4a4a55" stroke-width="0.6"><title>{}</title></path>',
        (
            (paths.get(f.lan.code, ""), shade_for(f.per_inhabitant, bounds), f.lan.name)
            for f in figures
            if paths.get(f.lan.code)
        ),
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-map" viewBox="0 0 {} {}" '
        'role="img" aria-labelledby="{}-title {}-desc" focusable="false">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}</svg>',
        MAP_WIDTH,
        height,
        chart_id,
        chart_id,
        chart_id,
        title,
        chart_id,
        description,
        shapes,
    )


def legend(figures) -> list[dict]:
    """The map's legend: each shade with the range of kronor per inhabitant it stands for."""
    bounds = shade_classes([f.per_inhabitant for f in figures])
    lower = 0.0
    rows = []
    for shade, bound in zip(SHADES, bounds, strict=True):
        rows.append({"shade": shade, "low": lower, "high": bound})
        lower = bound
    return rows


def bar_chart(*, rows, title: str, description: str, chart_id: str, value_format) -> str:
    """Horizontal bars: rows are (label, value). Labels and values are written as text."""
    rows = list(rows)
    top = max((value for _, value in rows), default=0) or 1
    bar_height, gap, label_width, bar_width = 22, 10, 230, 250
    height = len(rows) * (bar_height + gap) + gap
    width = label_width + bar_width + 150
    items = format_html_join(
        "",
        '<g transform="translate(0,{})"><text x="{}" y="{}" text-anchor="end">{}</text>'
        '<rect x="{}" y="0" width="{}" height="{}" fill="#0b4f8a"></rect>'
        '<text x="{}" y="{}">{}</text></g>',
        (
            (
                gap + i * (bar_height + gap),
                label_width - 8,
                bar_height - 6,
                label,
                label_width,
                max(1, round(bar_width * value / top)),
                bar_height,
                label_width + max(1, round(bar_width * value / top)) + 6,
                bar_height - 6,
                value_format(value),
            )
            for i, (label, value) in enumerate(rows)
        ),
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-bars" viewBox="0 0 {} {}" '
        'role="img" aria-labelledby="{}-title {}-desc" focusable="false" font-size="13" '
        'fill="#1b1b1f"><title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}</svg>',
        width,
        height,
        chart_id,
        chart_id,
        chart_id,
        title,
        chart_id,
        description,
        items or mark_safe(""),  # noqa: S308 - a constant empty string
    )
