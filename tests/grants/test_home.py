import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def test_home_shows_2020_figures_computed_from_the_database(client, demo):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="sv">' in html
    assert "Demonstrationsdata" in html
    assert "81\u00a0700\u00a0000\u00a0kr" in html
    assert ">70<" in html and ">272<" in html
    assert ">39<" in html and ">31<" in html and ">67<" in html and ">205<" in html


def test_home_in_english(client, demo):
    response = client.get("/en/")
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "SEK\u00a081,700,000" in html
    assert "Demonstration data" in html
    assert "Municipalities and regions" in html


def test_home_follows_the_data_not_a_hard_coded_figure(client, demo):
    from grants.models import Grant

    grant = Grant.objects.get(application__organisation__name="Krokoms kommun")
    Grant.objects.filter(pk=grant.pk).update(amount_total=grant.amount_total + 1)
    assert "81\u00a0700\u00a0001\u00a0kr" in client.get("/").content.decode()


def test_home_without_data_says_so(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "Demonstrationsdata" not in response.content.decode()


def test_home_runs_a_fixed_number_of_queries(client, demo):
    with CaptureQueriesContext(connection) as queries:
        client.get("/")
    # The 2020 round and the newest (the open demonstration round) are featured: their figures
    # come in the same queries, so a featured round more costs none.
    assert len(queries) <= 6
