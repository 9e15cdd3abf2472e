import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grants.models import BudgetChange, Grant, Round
from regions.models import Kommun
from tests import factories

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"


@pytest.fixture
def no_cache(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


def test_showcase_grant_page_tells_who_where_what_and_how_much(client, demo):
    grant = Grant.objects.get(application__organisation__name="Hälsinglands utbildningsförbund")
    org = grant.application.organisation
    html = client.get(f"/beviljade-bidrag/{grant.pk}/").content.decode()
    assert html.count("<h1") == 1
    assert "Regional samverkansmodell för att minska och motverka segregation i Gävleborg" in html
    assert "Högskolan i Gävle" in html  # summary and partners
    assert "Kommunalförbund" in html
    assert org.org_number in html
    assert "Bollnäs" in html and "Gävleborgs län" in html
    assert "Söderhamn" in html and "Nordanstig" in html
    assert "Region Gävleborg" in html
    assert "12 juni 2020" in html
    assert f"{grant.amount_total:,}".replace(",", NBSP) + f"{NBSP}kr" in html
    assert "1 juli 2020" in html  # grant period


def test_supplementary_grant_shows_both_decisions_and_the_total(client, demo):
    grant = Grant.objects.get(
        has_supplementary=True, application__organisation__name__contains="Landskrona"
    )
    html = client.get(f"/en/beviljade-bidrag/{grant.pk}/").content.decode()
    assert "June 12, 2020" in html and "June 25, 2020" in html
    assert "Supplementary grant" in html
    assert f"SEK{NBSP}{grant.amount_total:,}" in html


def test_grant_page_of_a_draft_round_is_not_found(client):
    track = factories.make_track(round_=factories.make_round(status=Round.Status.DRAFT))
    [grant] = factories.make_public_grants(1, track=track)
    assert client.get(f"/beviljade-bidrag/{grant.pk}/").status_code == 404


def test_organisation_page_lists_its_grants_across_rounds_with_the_total(client):
    [first] = factories.make_public_grants(1)
    org = first.application.organisation
    later = factories.make_track(round_=factories.make_round(year=2021, status="decided"))
    app = factories.make_application(track=later, organisation=org, status="approved")
    factories.make_grant(application=app, amount=250_000)
    html = client.get(f"/organisationer/{org.org_number}/").content.decode()
    assert org.name in html
    assert "2020 –" in html and "2021 –" in html
    assert f"350{NBSP}000{NBSP}kr" in html


def test_organisation_without_public_grants_is_not_found(client):
    org = factories.make_organisation()
    assert client.get(f"/organisationer/{org.org_number}/").status_code == 404
    assert client.get("/organisationer/000000-0000/").status_code == 404


def test_municipality_page_gives_kronor_per_inhabitant(client):
    factories.make_public_grants(2, areas=("Bollnäs",))  # 100 000 + 101 000
    bollnas = Kommun.objects.get(name="Bollnäs")
    html = client.get(f"/kommuner/{bollnas.code}/").content.decode()
    per_inhabitant = f"{201_000 / bollnas.population:.2f}".replace(".", ",")
    assert per_inhabitant in html
    assert f"201{NBSP}000{NBSP}kr" in html
    assert "Bollnäs kommun" in html


def test_county_page_lists_grants_working_in_the_county(client):
    factories.make_public_grants(1, areas=("Gävle",))
    factories.make_public_grants(1, areas=("Malmö",))
    html = client.get("/lan/21/").content.decode()
    assert "Gävleborgs län" in html
    assert f"100{NBSP}000{NBSP}kr" in html
    assert "Projekt 0" in html
    assert client.get("/lan/99/").status_code == 404


def test_county_map_has_21_shaded_counties_a_title_a_description_and_a_table(client):
    factories.make_public_grants(1, areas=("Gävle",))
    html = client.get("/lan/").content.decode()
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert svg.count("<path") == 21
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    assert 'href="#map-table"' in html
    table = html[
        html.index('id="map-table"') : html.index("</table>", html.index('id="map-table"'))
    ]
    assert table.count('<th scope="row">') == 21
    assert "#08519c" in svg  # Gävleborg, the only county with money, in the darkest shade


def test_round_page_shows_tracks_caps_history_timeline_and_charts(client, demo):
    html = client.get("/utlysningar/2020/").content.decode()
    assert html.count("<h1") == 1
    assert "SFS 2018:118" in html and "SFS 2018:119" in html
    assert "25 juni 2020" in html
    assert "Omfördelning" in html
    assert f"81{NBSP}700{NBSP}000{NBSP}kr" in html
    assert ">272<" in html
    assert html.count("<svg") == 3
    assert "Slutrapport senast" in html
    english = client.get("/en/utlysningar/2020/").content.decode()
    assert "Budget reallocation" in english and "June 25, 2020" in english


def test_round_page_uses_the_latest_cap(client):
    [grant] = factories.make_public_grants(1)
    track = grant.application.track
    BudgetChange.objects.create(
        track=track, effective_on=dt.date(2020, 6, 25), new_cap=12_345_000, reason="Omfördelning"
    )
    html = client.get("/utlysningar/2020/").content.decode()
    assert f"12{NBSP}345{NBSP}000{NBSP}kr" in html
    assert client.get("/utlysningar/1999/").status_code == 404


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


@pytest.mark.parametrize(
    "page", ["grant", "organisation", "county", "municipality", "round", "counties"]
)
def test_public_pages_run_a_fixed_number_of_queries(client, no_cache, page):
    grants = factories.make_public_grants(10, areas=("Gävle", "Sandviken"))
    grant = grants[0]
    org = grant.application.organisation

    def url():
        return {
            "grant": f"/beviljade-bidrag/{grant.pk}/",
            "organisation": f"/organisationer/{org.org_number}/",
            "county": "/lan/21/",
            "municipality": "/kommuner/2180/",
            "round": "/utlysningar/2020/",
            "counties": "/lan/",
        }[page]

    small = _queries(client, url())
    more = factories.make_public_grants(
        190, track=grant.application.track, areas=("Gävle", "Sandviken")
    )
    for extra in more[:5]:
        app = factories.make_application(
            track=grant.application.track, organisation=org, status="approved"
        )
        factories.make_grant(application=app).beneficiary_kommuner.set(
            extra.beneficiary_kommuner.all()
        )
    assert _queries(client, url()) == small
    assert small <= 15
