"""Issue 14, item 1: the award list's date and amount ranges, its chart of the current result,
municipality choices grouped by and following the county, keyset pages and the announced
result count."""

import datetime as dt
import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grants.models import DecisionMeeting, Grant, OrganisationType
from grants.views import public as views
from tests import factories

pytestmark = pytest.mark.django_db


def _html(client, url, **params):
    response = client.get(url, params, **({"headers": {"HX-Request": "true"}} if False else {}))
    assert response.status_code == 200
    return response.content.decode()


def _grant_links(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'href="/(?:en/)?beviljade-bidrag/(\d+)/"', html)]


def _next_link(html: str) -> str | None:
    found = re.search(r'href="([^"]*)" rel="next"', html)
    return unescape(found.group(1)) if found else None


def _previous_link(html: str) -> str | None:
    found = re.search(r'href="([^"]*)" rel="prev"', html)
    return unescape(found.group(1)) if found else None


def _two_meetings():
    [early] = factories.make_public_grants(1, areas=("Gävle",))
    late_meeting = DecisionMeeting.objects.create(
        round=early.application.round, date=dt.date(2020, 9, 1), status="closed"
    )
    [late] = factories.make_public_grants(
        1, track=early.application.track, meeting=late_meeting, areas=("Malmö",)
    )
    return early, late


def test_the_decision_date_range_filters_and_stays_in_the_links(client):
    early, late = _two_meetings()
    html = client.get("/beviljade-bidrag/?decided_from=2020-07-01").content.decode()
    assert _grant_links(html) == [late.pk]
    assert 'name="decided_from" value="2020-07-01"' in html
    assert "/beviljade-bidrag.csv?decided_from=2020-07-01" in html
    html = client.get("/beviljade-bidrag/?decided_to=2020-07-01").content.decode()
    assert _grant_links(html) == [early.pk]
    html = client.get("/beviljade-bidrag/?decided_from=2020-06-12&decided_to=2020-09-01").content
    assert sorted(_grant_links(html.decode())) == sorted([early.pk, late.pk])


def test_ranges_the_wrong_way_round_are_explained_at_the_field_and_kept(client):
    factories.make_public_grants(1)
    html = client.get(
        "/beviljade-bidrag/?min=500000&max=1000&decided_from=2021-01-01&decided_to=2020-01-01"
    ).content.decode()
    assert 'id="id_max_error"' in html and "Det högsta beloppet är lägre än det lägsta." in html
    assert 'id="id_decided_to_error"' in html and "Det sista datumet är före det första." in html
    assert 'value="500000"' in html and 'value="1000"' in html  # nothing typed is lost
    assert 'value="2021-01-01"' in html and 'value="2020-01-01"' in html
    english = client.get("/en/beviljade-bidrag/?min=5&max=4").content.decode()
    assert "The highest amount is lower than the lowest." in english


def _chart_rows(html: str, chart_id: str) -> dict[str, str]:
    """The table beside a chart: row header → the last cell (kronor)."""
    start = html.index(f'id="{chart_id}"')
    table = html[start : html.index("</table>", start)]
    return {
        unescape(label): unescape(total)
        for label, total in re.findall(
            r'<th scope="row">([^<]*)</th><td class="num">\d+</td><td class="num">([^<]*)</td>',
            table,
        )
    }


def test_the_chart_of_the_result_follows_the_filters(client):
    early, late = _two_meetings()
    late.application.organisation.org_type = OrganisationType.STIFTELSE
    late.application.organisation.save(update_fields=["org_type"])
    html = client.get("/beviljade-bidrag/").content.decode()
    assert 'aria-labelledby="result-county-chart-title result-county-chart-desc"' in html
    assert set(_chart_rows(html, "result-county")) == {"Gävleborgs län", "Skåne län"}
    assert set(_chart_rows(html, "result-type")) == {"Ideell förening", "Stiftelse"}
    assert _chart_rows(html, "result-year") == {"2020": "200\u00a0000\u00a0kr"}
    html = client.get("/beviljade-bidrag/?county=12").content.decode()
    assert _chart_rows(html, "result-county") == {"Skåne län": "100\u00a0000\u00a0kr"}
    assert set(_chart_rows(html, "result-type")) == {"Stiftelse"}
    # htmx's fragment carries the chart of its result too.
    fragment = client.get("/beviljade-bidrag/?county=21", headers={"HX-Request": "true"})
    rows = _chart_rows(fragment.content.decode(), "result-county")
    assert rows == {"Gävleborgs län": "100\u00a0000\u00a0kr"}


def _select(html: str, name: str) -> str:
    start = html.index(f'<select id="id_{name}"')
    return html[start : html.index("</select>", start)]


def test_municipality_choices_are_grouped_by_county(client):
    """Grouped options (the browser test checks that with JavaScript only the chosen county's
    group stays): no two flat lists of 290 municipalities."""
    factories.make_public_grants(1, areas=("Gävle",))
    for url in ("/beviljade-bidrag/", "/beviljade-bidrag/?county=21"):
        html = client.get(url).content.decode()
        municipality = _select(html, "municipality")
        assert municipality.count("<optgroup") == 21
        assert '<optgroup label="Gävleborgs län"><option value="2183">Bollnäs (0)</option>' in (
            municipality
        )
        assert ">Gävle (1)</option>" in municipality
        assert _select(html, "seat").count("<optgroup") == 21
        assert municipality.count("<option") == 1 + 290


def test_the_count_of_the_new_result_is_announced_after_filtering(client):
    factories.make_public_grants(3)
    html = client.get("/beviljade-bidrag/").content.decode()
    assert '<div id="results-announcement" class="visually-hidden" role="status"></div>' in html
    fragment = client.get("/beviljade-bidrag/?min=101000", headers={"HX-Request": "true"})
    assert re.search(
        r'<div id="results-announcement" data-hx-swap-oob="innerHTML">2 bidrag, totalt',
        fragment.content.decode(),
    )


@pytest.mark.parametrize(
    "sort",
    ["organisation", "-organisation", "amount", "-amount", "county", "-county", "date", "-date"],
)
def test_keyset_pages_walk_every_grant_once_in_order_both_ways(client, monkeypatch, sort):
    monkeypatch.setattr(views, "PAGE_SIZE", 3)
    grants = factories.make_public_grants(5, areas=("Gävle",))
    grants += factories.make_public_grants(3, areas=("Malmö",), track=grants[0].application.track)
    # Ties on every key but the id: equal names and equal amounts.
    Grant.objects.filter(pk__in=[grants[1].pk, grants[2].pk]).update(amount_total=150_000)
    for grant in grants[3:5]:
        grant.application.organisation.name = "Samma namn"
        grant.application.organisation.save()
    seats = {g.pk: g.application.organisation.seat.lan.name for g in grants}
    for grant in grants[5:]:
        organisation = grant.application.organisation
        organisation.seat = factories.kommun("Malmö")
        organisation.save()
        seats[grant.pk] = "Skåne län"
    url = f"/beviljade-bidrag/?sort={sort}"
    html = client.get(url).content.decode()
    pages = [_grant_links(html)]
    while link := _next_link(html):
        assert "after=" in link
        html = client.get(f"/beviljade-bidrag/{link}").content.decode()
        pages.append(_grant_links(html))
    walked = [pk for page in pages for pk in page]
    assert [len(p) for p in pages] == [3, 3, 2]
    assert sorted(walked) == sorted(g.pk for g in grants)  # each once
    # The same order as counting from the start (OFFSET) would give.
    offset_order = [
        pk for n in (1, 2, 3) for pk in _grant_links(client.get(f"{url}&page={n}").content.decode())
    ]
    assert walked == offset_order
    # And back with the "previous" links.
    back = [_grant_links(html)]
    while (link := _previous_link(html)) is not None:
        html = client.get(f"/beviljade-bidrag/{link}").content.decode()
        back.append(_grant_links(html))
    assert back[::-1] == pages


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("params", ["", "county=21&min=1000&sort=-amount", "sort=county&q=projekt"])
def test_a_deep_page_runs_the_same_queries_as_the_first(client, settings, monkeypatch, params):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    monkeypatch.setattr(views.local_pages, "get", lambda key, default=None: default)
    monkeypatch.setattr(views, "PAGE_SIZE", 5)
    factories.make_public_grants(40, areas=("Gävle",))
    url = f"/beviljade-bidrag/?{params}"
    first = _queries(client, url)
    html = client.get(url).content.decode()
    for _ in range(5):  # to page 6 by the links
        html = client.get(f"/beviljade-bidrag/{_next_link(html)}").content.decode()
    deep = f"/beviljade-bidrag/{_next_link(html)}"
    assert "page=7" in deep
    assert _queries(client, deep) == first


def test_the_page_query_starts_at_the_cursor_rather_than_counting(client):
    """A keyset page asks the database for the rows after the cursor row's key, with no OFFSET."""
    factories.make_public_grants(60)
    html = client.get("/beviljade-bidrag/?sort=-amount").content.decode()
    with CaptureQueriesContext(connection) as queries:
        client.get(f"/beviljade-bidrag/{_next_link(html)}")
    [page_query] = [q["sql"] for q in queries if "LIMIT" in q["sql"] and "amount_total" in q["sql"]]
    assert "OFFSET" not in page_query


def test_a_search_for_the_pages_stand_ins_finds_text_not_markup(client):
    """The page around the rows is kept per filter state with stand-ins for the rows; a visitor
    typing one of them gets the text back, escaped, not rows in the middle of an attribute."""
    factories.make_public_grants(1)
    for token in (*views.PAGE_TOKENS.values(), views.QUERY_TOKEN):
        html = client.get("/beviljade-bidrag/", {"q": token}).content.decode()
        assert f'name="q" value="{token}"' in html
        assert "Inga bidrag matchar filtren." in html


def test_the_language_switch_keeps_the_page_and_filters(client):
    factories.make_public_grants(3)
    html = client.get("/beviljade-bidrag/?county=21&page=1&bench=x").content.decode()
    assert 'href="/en/beviljade-bidrag/?county=21&amp;page=1&amp;bench=x"' in html
    html = client.get("/beviljade-bidrag/").content.decode()
    assert 'href="/en/beviljade-bidrag/"' in html


@pytest.mark.parametrize("sort", ["county", "-county", "-date"])
def test_the_exports_take_every_sort_order(client, sort):
    factories.make_public_grants(2)
    assert client.get(f"/beviljade-bidrag.csv?sort={sort}").status_code == 200
    assert client.get(f"/beviljade-bidrag.json?sort={sort}").status_code == 200
