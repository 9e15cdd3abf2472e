import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from grants.models import Decision, DecisionMeeting, Organisation, Publication
from tests import factories

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"


def test_a_repeated_public_page_is_served_from_the_cache_in_one_query(client):
    factories.make_public_grants(3)
    first = client.get("/beviljade-bidrag/?county=21")
    assert "X-Cache" not in first
    with CaptureQueriesContext(connection) as queries:
        second = client.get("/beviljade-bidrag/?county=21")
    assert second["X-Cache"] == "hit"
    assert second.content == first.content
    assert len(queries) == 1  # the data fingerprint


def test_a_new_decision_shows_at_once(client):
    [grant] = factories.make_public_grants(1)
    assert "1 bidrag," in client.get("/beviljade-bidrag/").content.decode()
    factories.make_public_grants(1, track=grant.application.track)
    response = client.get("/beviljade-bidrag/")
    assert "X-Cache" not in response
    assert "2 bidrag," in response.content.decode()


def test_a_supplementary_decision_on_an_existing_grant_shows_at_once(client):
    [grant] = factories.make_public_grants(1)
    url = f"/beviljade-bidrag/{grant.pk}/"
    client.get(url)
    assert client.get(url)["X-Cache"] == "hit"
    meeting = DecisionMeeting.objects.create(
        round=grant.application.round, date=dt.date(2020, 6, 25), status="closed"
    )
    Decision.objects.create(
        application=grant.application,
        meeting=meeting,
        outcome="approved",
        kind=Decision.Kind.SUPPLEMENTARY,
        amount=7_000,
    )
    html = client.get(url).content.decode()
    assert "25 juni 2020" in html


def test_a_new_publication_shows_at_once(client):
    [grant] = factories.make_public_grants(1)
    url = "/utlysningar/2020/"
    client.get(url)
    assert client.get(url)["X-Cache"] == "hit"
    Publication.objects.create(
        round=grant.application.round,
        version=1,
        as_of=dt.date(2020, 6, 12),
        note="uppdaterad 25 juni",
        status=Publication.Status.DONE,
        published_at=timezone.now(),
    )
    response = client.get(url)
    assert "X-Cache" not in response
    assert "uppdaterad 25 juni" in response.content.decode()


def test_logged_in_visitors_are_not_served_from_the_cache(client, applicant):
    factories.make_public_grants(1)
    client.get("/beviljade-bidrag/")
    client.force_login(applicant)
    response = client.get("/beviljade-bidrag/")
    assert "X-Cache" not in response
    assert "Anna Applicant" in response.content.decode()


def test_languages_and_htmx_fragments_are_cached_apart(client):
    factories.make_public_grants(1)
    client.get("/beviljade-bidrag/")
    english = client.get("/en/beviljade-bidrag/").content.decode()
    assert f"SEK{NBSP}100,000" in english
    fragment = client.get("/beviljade-bidrag/", headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment


def test_pages_and_sort_orders_of_one_filter_state_share_its_counts(client):
    factories.make_public_grants(60, areas=("Gävle",))
    with CaptureQueriesContext(connection) as first:
        client.get("/beviljade-bidrag/?county=21")
    with CaptureQueriesContext(connection) as second:
        html = client.get("/beviljade-bidrag/?county=21&sort=-amount&page=2").content.decode()
    # The summary with every count (one query, after one that finds the precomputed counts not
    # built: grants/selectors/facets.py), the five value lists and whether demonstration data
    # exists come from the cache: the data version and the page's rows remain, and, for the
    # first page number typed in this sort order, the ends of its pages (one pass).
    assert len(first) == 11
    assert len(second) == 3
    assert "60 bidrag," in html and "Gävleborgs län (60)</option>" in html
    with CaptureQueriesContext(connection) as third:
        client.get("/beviljade-bidrag/?county=21&sort=-amount&page=2&again=1")
    assert len(third) == 2
    factories.make_public_grants(1, areas=("Gävle",))
    html = client.get("/beviljade-bidrag/?county=21&sort=-amount&page=2").content.decode()
    assert "61 bidrag," in html


def test_an_organisation_renamed_in_the_admin_shows_at_once(client):
    [grant] = factories.make_public_grants(1)
    client.get("/beviljade-bidrag/")
    assert client.get("/beviljade-bidrag/")["X-Cache"] == "hit"
    Organisation.objects.filter(pk=grant.application.organisation_id).update(name="Nytt namn")
    response = client.get("/beviljade-bidrag/")
    assert "X-Cache" not in response
    assert "Nytt namn" in response.content.decode()
