"""Portal pages use a bounded number of queries, however many applications there are."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grants.services.portal import application_submit
from tests import factories
from tests.grants.portal.conftest import complete

pytestmark = pytest.mark.django_db


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_dashboard_and_organisation_page_queries_do_not_grow_with_applications(
    client, applicant, organisation, civil_track, municipal_track
):
    client.force_login(applicant)
    factories.make_application(track=civil_track, organisation=organisation)
    few = (_count(client, "/portal/"), _count(client, f"/portal/organisationer/{organisation.pk}/"))
    for _ in range(5):
        factories.make_application(track=civil_track, organisation=organisation)
    many = (
        _count(client, "/portal/"),
        _count(client, f"/portal/organisationer/{organisation.pk}/"),
    )
    assert few == many
    assert many[0] <= 7 and many[1] <= 13


def test_the_status_page_of_a_submitted_application_uses_few_queries(
    client, applicant, draft, django_assert_max_num_queries
):
    draft = complete(draft, applicant)
    application_submit(application=draft, user=applicant, expected_version=None)
    client.force_login(applicant)
    with django_assert_max_num_queries(20):
        client.get(f"/portal/ansokningar/{draft.pk}/")
