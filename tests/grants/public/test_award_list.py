import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grants.models import Decision, DecisionMeeting, Grant, OrganisationType, Round
from tests import factories

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"


def test_2020_list_shows_70_grants_totalling_the_demo_sum(client, demo):
    html = client.get("/beviljade-bidrag/?year=2020").content.decode()
    assert f"70 bidrag, totalt 81{NBSP}700{NBSP}000{NBSP}kr" in html
    # Filtering by Gävleborgs län finds the showcase grant.
    html = client.get("/beviljade-bidrag/?county=21").content.decode()
    assert "Hälsinglands utbildningsförbund" in html
    assert "Landskrona tillsammans" not in html


def test_text_search_ignores_case_and_swedish_diacritics(client):
    [grant] = factories.make_public_grants(1)
    org = grant.application.organisation
    org.name = "Söderhamns Ungdomsförening"
    org.save(update_fields=["name"])
    factories.make_public_grants(1, track=grant.application.track)
    for text in ["soderhamn", "SÖDERHAMN", "sÖdErHaMnS ungdomsforening", "UNGDOMSFÖR"]:
        html = client.get("/beviljade-bidrag/", {"q": text}).content.decode()
        assert "Söderhamns Ungdomsförening" in html, text
        assert "1 bidrag," in html, text
    html = client.get("/beviljade-bidrag/", {"q": "gavle"}).content.decode()
    assert "Söderhamns Ungdomsförening" not in html


def test_text_search_also_matches_project_title_and_municipality(client):
    grants = factories.make_public_grants(2, areas=("Gävle",))
    grants[0].public_title = "Mötesplats Åkervägen"
    grants[0].save(update_fields=["public_title"])
    html = client.get("/beviljade-bidrag/", {"q": "motesplats akervagen"}).content.decode()
    assert "1 bidrag," in html
    html = client.get("/beviljade-bidrag/", {"q": "GAVLE"}).content.decode()
    assert "2 bidrag," in html


def _two_tracks():
    round_ = factories.make_round(year=2020, status=Round.Status.DECIDED)
    municipal = factories.make_track(round_=round_, civil=False, code="kommuner")
    civil = factories.make_track(round_=round_, code="ideella")
    june = DecisionMeeting.objects.create(round=round_, date=dt.date(2020, 6, 12), status="closed")
    late = DecisionMeeting.objects.create(round=round_, date=dt.date(2020, 6, 25), status="closed")
    a = factories.make_public_grants(1, track=civil, meeting=june, areas=("Gävle",))[0]
    b = factories.make_public_grants(1, track=municipal, meeting=june, areas=("Malmö",))[0]
    b.application.organisation.org_type = OrganisationType.KOMMUNALFORBUND
    b.application.organisation.save(update_fields=["org_type"])
    Decision.objects.create(
        application=b.application,
        meeting=late,
        outcome="approved",
        kind=Decision.Kind.SUPPLEMENTARY,
        amount=50_000,
    )
    Grant.objects.filter(pk=b.pk).update(has_supplementary=True, amount_total=900_000)
    return {"civil": civil, "municipal": municipal, "late": late, "a": a, "b": b}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"track": "civil"}, "a"),
        ({"track": "municipal"}, "b"),
        ({"type": "kommunalforbund"}, "b"),
        ({"county": "21"}, "a"),
        ({"county": "12"}, "b"),
        ({"municipality": "1280"}, "b"),
        ({"seat": "kommun:Gävle"}, "a"),
        ({"min": "500000"}, "b"),
        ({"max": "500000"}, "a"),
        ({"meeting": "late"}, "b"),
        ({"supplementary": "yes"}, "b"),
        ({"supplementary": "no"}, "a"),
    ],
)
def test_each_filter_narrows_the_list(client, params, expected):
    data = _two_tracks()
    query = {}
    for key, value in params.items():
        if value in data:
            value = str(data[value].pk)
        elif value.startswith("kommun:"):
            value = factories.kommun(value.removeprefix("kommun:")).code
        query[key] = value
    html = client.get("/beviljade-bidrag/", query).content.decode()
    assert "1 bidrag," in html, query
    assert f"/beviljade-bidrag/{data[expected].pk}/" in html
    other = data["b" if expected == "a" else "a"]
    assert f"/beviljade-bidrag/{other.pk}/" not in html


def test_the_year_filter_keeps_other_rounds_out(client):
    factories.make_public_grants(2)
    other = factories.make_track(round_=factories.make_round(year=2021, status="decided"))
    factories.make_public_grants(3, track=other)
    assert "2 bidrag," in client.get("/beviljade-bidrag/?year=2020").content.decode()
    assert "3 bidrag," in client.get("/beviljade-bidrag/?year=2021").content.decode()


def test_filter_values_show_their_counts_in_the_result(client):
    data = _two_tracks()
    html = client.get("/beviljade-bidrag/").content.decode()
    assert "Gävleborgs län (1)</option>" in html
    assert "Skåne län (1)</option>" in html
    assert "Blekinge län (0)</option>" in html
    assert "Kommunalförbund (1)</option>" in html
    assert "Ja (1)</option>" in html
    assert f'<option value="{data["late"].pk}">25 juni 2020 (1)</option>' in html


def test_summary_line_gives_count_total_largest_and_smallest(client):
    factories.make_public_grants(3)  # 100 000, 101 000, 102 000
    html = client.get("/beviljade-bidrag/").content.decode()
    assert (
        f"3 bidrag, totalt 303{NBSP}000{NBSP}kr. Störst 102{NBSP}000{NBSP}kr, "
        f"minst 100{NBSP}000{NBSP}kr."
    ) in html


def test_sort_by_amount_largest_first(client):
    grants = factories.make_public_grants(3)
    html = client.get("/beviljade-bidrag/?sort=-amount").content.decode()
    positions = [html.index(f"/beviljade-bidrag/{g.pk}/") for g in reversed(grants)]
    assert positions == sorted(positions)
    html = client.get("/beviljade-bidrag/?sort=amount").content.decode()
    positions = [html.index(f"/beviljade-bidrag/{g.pk}/") for g in grants]
    assert positions == sorted(positions)


def test_fifty_per_page_and_the_pager_keeps_the_filters_in_the_url(client):
    grants = factories.make_public_grants(55)
    html = client.get("/beviljade-bidrag/?sort=-amount&county=21").content.decode()
    assert html.count('href="/beviljade-bidrag/') - html.count('href="/beviljade-bidrag/"') >= 50
    assert "Bidrag 1–50 av 55" in html
    # The next page's link carries the filters (in the form's order) and the last row shown
    # (keyset pagination).
    last_shown = grants[5]  # largest first: the 50th of 55 is the sixth smallest
    link = f"?county=21&sort=-amount&page=2&after={last_shown.pk}"
    assert f'href="{link.replace("&", "&amp;")}"' in html
    page2 = client.get(f"/beviljade-bidrag/{link}").content.decode()
    assert "Bidrag 51–55 av 55" in page2
    assert f"/beviljade-bidrag/{grants[0].pk}/" in page2  # the smallest comes last
    assert f"/beviljade-bidrag/{grants[5].pk}/" not in page2
    # Back to the first page, and a page number typed without a row to start after.
    assert 'href="?county=21&amp;sort=-amount" rel="prev"' in page2
    bare = client.get("/beviljade-bidrag/?sort=-amount&county=21&page=2").content.decode()
    assert "Bidrag 51–55 av 55" in bare and f"/beviljade-bidrag/{grants[0].pk}/" in bare
    # A page past the end shows the last page rather than an error.
    assert "Bidrag 51–55" in client.get("/beviljade-bidrag/?page=99").content.decode()


def test_empty_result_says_so_and_offers_to_clear_the_filters(client):
    factories.make_public_grants(1)
    html = client.get("/beviljade-bidrag/?q=finnsinte").content.decode()
    assert "Inga bidrag matchar filtren." in html
    assert "Rensa alla filter och visa alla bidrag" in html


def test_htmx_gets_the_results_fragment_with_fresh_filter_counts(client):
    factories.make_public_grants(2)
    response = client.get("/beviljade-bidrag/?county=21", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html
    assert 'id="results"' in html
    assert 'id="facets" class="facets" data-hx-swap-oob="true"' in html
    assert "Gävleborgs län (2)</option>" in html


def test_the_page_without_javascript_is_a_plain_get_form(client):
    html = client.get("/beviljade-bidrag/").content.decode()
    assert 'method="get" action="/beviljade-bidrag/"' in html
    assert 'data-hx-push-url="true"' in html


def test_invalid_values_are_shown_as_errors_not_a_crash(client):
    factories.make_public_grants(1)
    response = client.get("/beviljade-bidrag/?county=99&min=abc&page=x")
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()


def test_english_list_uses_english_amounts_and_dates(client):
    factories.make_public_grants(1)
    html = client.get("/en/beviljade-bidrag/").content.decode()
    assert f"SEK{NBSP}100,000" in html
    assert "June 12, 2020" in html
    assert "1 grant, in total" in html


def test_draft_rounds_stay_out_of_the_public_list(client):
    track = factories.make_track(round_=factories.make_round(status=Round.Status.DRAFT))
    factories.make_public_grants(1, track=track)
    assert "Inga bidrag matchar" in client.get("/beviljade-bidrag/").content.decode()


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "url",
    [
        "/beviljade-bidrag/",
        "/beviljade-bidrag/?county=21&min=1000&q=projekt&sort=-amount&supplementary=no",
        "/en/beviljade-bidrag/?page=2&sort=county",
    ],
)
def test_award_list_runs_a_fixed_number_of_queries(client, url, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    # Enough for a second page, so that both sizes take the same path (a typed page 2 of a
    # one-page list is page 1).
    grants = factories.make_public_grants(60)
    small = _count_queries(client, url)
    factories.make_public_grants(190, track=grants[0].application.track)
    assert _count_queries(client, url) == small
    assert small <= 18


def test_counts_count_each_grant_once_per_value(django_assert_num_queries):
    """A grant working in two municipalities of one county counts once for the county and once
    for each municipality; two approved decisions at one meeting count once for the meeting."""
    from grants.selectors import public as selectors

    [grant] = factories.make_public_grants(1, areas=("Gävle", "Sandviken", "Malmö"))
    meeting = grant.application.decisions.get().meeting
    Decision.objects.create(
        application=grant.application,
        meeting=meeting,
        outcome="approved",
        kind=Decision.Kind.SUPPLEMENTARY,
        amount=5_000,
    )
    factories.make_public_grants(2, track=grant.application.track, meeting=meeting)
    with django_assert_num_queries(1):
        summary, facets = selectors.grant_aggregates(selectors.public_grants())
    assert (summary.count, summary.total) == (3, 100_000 + 100_000 + 101_000)
    assert (summary.largest, summary.smallest) == (101_000, 100_000)
    assert facets["county"] == {"21": 3, "12": 1}
    gavle, sandviken, malmo, bollnas = (
        factories.kommun(name).code for name in ("Gävle", "Sandviken", "Malmö", "Bollnäs")
    )
    assert facets["municipality"] == {gavle: 1, sandviken: 1, malmo: 1, bollnas: 2}
    assert facets["meeting"] == {meeting.pk: 3}
    assert facets["year"] == {2020: 3}
    assert facets["supplementary"] == {False: 3}


def test_the_list_follows_an_organisation_renamed_or_moved_and_new_project_areas(client):
    """The award list filters and searches copies kept on the grant (Grant.fill_listing)."""
    [grant] = factories.make_public_grants(1, areas=("Bollnäs",))
    organisation = grant.application.organisation
    organisation.name = "Östra Göinge Fritidsförening"
    organisation.seat = factories.kommun("Malmö")
    organisation.save()
    html = client.get("/beviljade-bidrag/", {"q": "ostra goinge"}).content.decode()
    assert "1 bidrag," in html and "Östra Göinge Fritidsförening" in html
    malmo = factories.kommun("Malmö").code
    assert "1 bidrag," in client.get(f"/beviljade-bidrag/?seat={malmo}").content.decode()
    grant.beneficiary_kommuner.add(factories.kommun("Härnösand"))
    assert "1 bidrag," in client.get("/beviljade-bidrag/?q=harnosand").content.decode()
    grant.beneficiary_kommuner.remove(factories.kommun("Härnösand"))
    assert "Inga bidrag matchar" in client.get("/beviljade-bidrag/?q=harnosand").content.decode()
