"""The figures for the annual report: tables and charts, and the same as CSV and XLSX."""

from django.shortcuts import render
from django.utils.translation import gettext as _

from grants import charts, exports
from grants.access import staff_required
from grants.selectors import annual_figures as selectors
from grants.templatetags.delmos import format_sek


def _chart(table, measure: str, title: str, description: str) -> str:
    return charts.bar_chart(
        rows=[(label, getattr(figures, measure)) for label, figures in table.rows],
        title=title,
        description=description,
        chart_id=f"chart-{table.key}",
        value_format=format_sek,
    )


@staff_required
def annual_figures(request):
    """Applications and money per round, grant year, track, type, county and municipality."""
    tables = selectors.annual_tables()
    by_key = {table.key: table for table in tables}
    chart_svgs = {
        "round": _chart(
            by_key["round"],
            "paid",
            _("Paid per round"),
            _("Kronor paid in each round. The figures follow in the table."),
        ),
        "year": _chart(
            by_key["year"],
            "granted",
            _("Granted per grant year"),
            _("Kronor granted for each grant year. The figures follow in the table."),
        ),
        "org_type": _chart(
            by_key["org_type"],
            "granted",
            _("Granted per type of organisation"),
            _("Kronor granted to each type of organisation. The figures follow in a table."),
        ),
        "county": _chart(
            by_key["county"],
            "granted",
            _("Granted per county"),
            _(
                "Kronor granted to organisations seated in each county. The figures follow in the table."
            ),
        ),
    }
    settled, not_adding_up = selectors.settled_check()
    return render(
        request,
        "officer/annual_figures.html",
        {
            "tables": [(table, chart_svgs.get(table.key)) for table in tables],
            "measures": selectors.MEASURES,
            "settled": settled,
            "settled_total": sum(row.grants for row in settled),
            "not_adding_up": not_adding_up,
        },
    )


def _rows():
    for table in selectors.annual_tables(detailed=True):
        for label, figures in [*table.rows, (_("Total"), table.total)]:
            yield [
                table.heading,
                str(label),
                *(getattr(figures, name) for name, _heading in selectors.MEASURES),
            ]


def _header():
    return [_("Breakdown"), _("Value"), *(str(heading) for _name, heading in selectors.MEASURES)]


@staff_required
def annual_figures_csv(request):
    # Built now, in the request's language, not while the response streams.
    return exports.csv_response("arsredovisning.csv", _header(), list(_rows()), delimiter=";")


@staff_required
def annual_figures_xlsx(request):
    return exports.xlsx_response(
        "arsredovisning.xlsx", _("Annual report"), _header(), list(_rows())
    )
