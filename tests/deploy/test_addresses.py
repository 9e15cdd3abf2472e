"""The public address (issue 12): SITE_URL is required in production and every absolute link is
built from it, whatever host a request came to; the open data carries its data's dates and
answers conditional requests."""

import datetime as dt
import json
import re

import pytest
import time_machine
from django.core.checks import Error
from django.test import override_settings
from django.utils import timezone
from django.utils.http import http_date

from grants import checks, opendata
from grants.models import DecisionMeeting, Publication
from grants.tasks.opendata import write_release
from grants.tasks.publications import public_version_url
from tests import factories

SITE = "https://bidrag.delmos.example"


def _ids(errors: list[Error]) -> set[str]:
    return {e.id for e in errors}


@override_settings(DEBUG=False, SITE_URL="http://127.0.0.1:8000")
def test_production_refuses_the_default_site_url():
    assert _ids(checks.site_url_is_the_public_address(None)) == {"delmos.E002"}


@override_settings(DEBUG=True, SITE_URL="http://127.0.0.1:8000")
def test_development_keeps_the_default_site_url():
    assert checks.site_url_is_the_public_address(None) == []


@override_settings(
    DEBUG=False, SITE_URL=SITE, ALLOWED_HOSTS=["bidrag.delmos.example"], SECURE_SSL_REDIRECT=True
)
def test_a_public_https_address_in_allowed_hosts_passes():
    assert checks.site_url_is_the_public_address(None) == []


@override_settings(
    DEBUG=False, SITE_URL="http://bidrag.delmos.example/x", ALLOWED_HOSTS=["other.example"]
)
def test_site_url_with_a_path_http_under_ssl_redirect_or_a_foreign_host_is_refused():
    with override_settings(SECURE_SSL_REDIRECT=True):
        assert _ids(checks.site_url_is_the_public_address(None)) == {
            "delmos.E003",
            "delmos.E004",
            "delmos.E005",
        }


def _published(count=2, closed_at=None):
    grants = factories.make_public_grants(count)
    meeting = DecisionMeeting.objects.get()
    meeting.closed_at = closed_at or timezone.now()
    meeting.save(update_fields=["closed_at"])
    return grants


@pytest.mark.django_db
@override_settings(SITE_URL=SITE, ALLOWED_HOSTS=["testserver", "internal.example"])
def test_open_data_addresses_come_from_site_url_not_the_host(client):
    _published()
    write_release()  # the job: no request, so no host but SITE_URL
    response = client.get("/oppna-data/360giving.json", HTTP_HOST="internal.example")
    body = b"".join(response.streaming_content)
    package = json.loads(body)
    assert package["downloadURL"] == SITE + "/oppna-data/360giving.json"
    assert package["accessURL"] == SITE + "/oppna-data/"
    assert all(g["url"].startswith(SITE + "/beviljade-bidrag/") for g in package["grants"])
    assert b"internal.example" not in body
    for path in ("/beviljade-bidrag.csv", "/beviljade-bidrag.csv?county=21"):
        csv = b"".join(client.get(path, HTTP_HOST="internal.example"))
        assert SITE.encode() + b"/beviljade-bidrag/" in csv and b"internal.example" not in csv


@pytest.mark.django_db
def test_issued_and_modified_are_the_data_s_not_the_request_s():
    closed = dt.datetime(2020, 6, 12, 14, 0, tzinfo=dt.UTC)
    with time_machine.travel(dt.datetime(2020, 6, 12, 15, 0, tzinfo=dt.UTC), tick=False):
        _published(closed_at=closed)
    with time_machine.travel(dt.datetime(2024, 1, 1, tzinfo=dt.UTC), tick=False):
        package = opendata.package_360giving()
    assert package["issued"] == "2020-06-12T14:00:00+00:00"
    assert package["modified"] == "2020-06-12T15:00:00+00:00"


@pytest.mark.django_db
def test_open_data_answers_304_to_a_conditional_request_until_the_data_changes(client):
    with time_machine.travel(dt.datetime(2020, 6, 12, 15, 0, tzinfo=dt.UTC), tick=False):
        _published(closed_at=dt.datetime(2020, 6, 12, 14, 0, tzinfo=dt.UTC))
        write_release()  # the package is a file the job wrote: dated when it was written
    url = "/oppna-data/360giving.json"
    first = client.get(url)
    etag, modified = first["ETag"], first["Last-Modified"]
    assert modified == http_date(dt.datetime(2020, 6, 12, 15, 0, tzinfo=dt.UTC).timestamp())
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    # The other open data formats too, each under its own tag (the query is part of it).
    csv = client.get("/beviljade-bidrag.csv?county=21")
    assert csv["ETag"] != etag
    assert (
        client.get("/beviljade-bidrag.csv?county=21", HTTP_IF_NONE_MATCH=csv["ETag"]).status_code
        == 304
    )
    listing = client.get("/beviljade-bidrag.json")
    assert (
        client.get("/beviljade-bidrag.json", HTTP_IF_NONE_MATCH=listing["ETag"]).status_code == 304
    )
    # New data: a new tag and a later date, so the harvester fetches again.
    with time_machine.travel(dt.datetime(2021, 3, 1, tzinfo=dt.UTC), tick=False):
        factories.make_public_grants(1)
        write_release()
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=modified).status_code == 200


@pytest.mark.django_db
@override_settings(SITE_URL=SITE, ALLOWED_HOSTS=["evil.example", "testserver"])
def test_password_reset_link_is_at_site_url_not_at_the_request_s_host(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    factories.make_user(email="someone@example.org")
    with django_capture_on_commit_callbacks(execute=True):  # the e-mail is sent by a task
        client.post(
            "/konto/losenord/aterstall/",
            {"email": "someone@example.org"},
            HTTP_HOST="evil.example",
        )
    [mail] = mailoutbox
    assert re.search(re.escape(SITE) + r"/konto/losenord/aterstall/\S+/\S+/", mail.body)
    assert "evil.example" not in mail.body + mail.alternatives[0][0]


@pytest.mark.django_db
@override_settings(SITE_URL=SITE)
def test_the_published_list_s_pdf_links_to_its_page_at_site_url():
    round_ = factories.make_round(year=2020, status="decided")
    publication = Publication.objects.create(
        round=round_, version=3, as_of=dt.date(2020, 6, 25), published_at=timezone.now()
    )
    assert public_version_url(publication, "sv") == SITE + "/utlysningar/2020/listor/alla/v3/"
    assert public_version_url(publication, "en") == SITE + "/en/utlysningar/2020/listor/alla/v3/"
