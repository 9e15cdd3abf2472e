"""The award list's page query (issue 14, item 2): a page number typed into the address is
fetched after a cursor like a page reached by the pager, and on PostgreSQL the page query is a
statement prepared once per connection with the filter values written in."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from grants import listing
from grants.views import public as views
from tests import factories
from tests.grants.public.test_search import _grant_links, _next_link

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"
)


@pytest.mark.parametrize("sort", ["organisation", "-amount", "county", "-date"])
def test_a_typed_page_number_shows_the_page_the_links_reach(client, monkeypatch, sort):
    monkeypatch.setattr(views, "PAGE_SIZE", 3)
    factories.make_public_grants(8, areas=("Gävle",))
    factories.make_public_grants(3, areas=("Malmö",))
    url = f"/beviljade-bidrag/?sort={sort}"
    html = client.get(url).content.decode()
    linked = [_grant_links(html)]
    while link := _next_link(html):
        html = client.get(f"/beviljade-bidrag/{link}").content.decode()
        linked.append(_grant_links(html))
    assert [len(page) for page in linked] == [3, 3, 3, 2]
    typed = [_grant_links(client.get(f"{url}&page={n}").content.decode()) for n in range(1, 5)]
    assert typed == linked
    # Past the last page: the last page, as before.
    assert _grant_links(client.get(f"{url}&page=99").content.decode()) == linked[-1]


def test_a_typed_page_number_does_not_count_past_the_pages_before_it(client, monkeypatch):
    """Once the ends of the pages are known (one pass, kept per filter state), a typed page asks
    for the rows after a cursor: no OFFSET, and no second pass for the next typed page."""
    monkeypatch.setattr(views, "PAGE_SIZE", 3)
    factories.make_public_grants(14, areas=("Gävle",))
    url = "/beviljade-bidrag/?county=21&sort=-amount"
    client.get(f"{url}&page=2")
    for page in (3, 4):
        with CaptureQueriesContext(connection) as queries:
            html = client.get(f"{url}&page={page}&uncached=1").content.decode()
        assert "Bidrag " + f"{(page - 1) * 3 + 1}–{page * 3} av 14" in html
        sql = " ".join(query["sql"] for query in queries).upper()
        assert "OFFSET" not in sql
        assert "ROW_NUMBER" not in sql


def test_the_rows_written_in_python_escape_every_value(client):
    row = {
        "pk": 7,
        "public_title": "<script>alert('x')</script> & \"co\"",
        "has_supplementary": True,
        "application__organisation__name": "O'Hara & Söner",
        "application__organisation__org_number": "802000-1234",
        "seat__lan__name": None,
        "round__year": 2020,
        "track__name": "Bas",
        "track__name_en": "Base",
        "awarded_on": dt.date(2020, 6, 12),
        "amount_total": 1_234_567,
    }
    with translation.override("sv"):
        html = listing.table_rows([row])
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;co&quot;" in html
    assert "O&#x27;Hara &amp; Söner" in html
    assert "<td></td>" in html  # no county
    assert "2020 – Bas" in html and "12 juni 2020" in html
    assert "1\u00a0234\u00a0567\u00a0kr" in html
    with translation.override("en"):
        html = listing.table_rows([row])
    assert "2020 – Base" in html and "SEK\u00a01,234,567" in html
    assert 'href="/en/beviljade-bidrag/7/"' in html


@on_postgresql
def test_the_page_query_is_prepared_once_with_the_filters_written_in(client):
    factories.make_public_grants(4, areas=("Gävle",))
    for n in range(4):
        assert client.get(f"/beviljade-bidrag/?county=21&min=123457&n={n}").status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements")
        prepared = [row for row in cursor.fetchall() if "123457" in row[0]]
    [(statement, generic, custom)] = prepared
    assert "'% 21%'" in statement  # the county, written in as a literal
    assert (generic, custom) == (4, 0)  # planned once, then reused


@on_postgresql
@pytest.mark.parametrize("text", ["100% o'hara", "-7777777771", "x\\y"])
def test_typed_text_is_quoted_in_the_prepared_page_query(client, text):
    [grant] = factories.make_public_grants(1)
    organisation = grant.application.organisation
    organisation.name = f"Föreningen {text}"
    organisation.save(update_fields=["name"])
    html = client.get("/beviljade-bidrag/", {"q": text}).content.decode()
    assert _grant_links(html) == [grant.pk]
    assert not _grant_links(client.get("/beviljade-bidrag/", {"q": f"{text}zz"}).content.decode())
