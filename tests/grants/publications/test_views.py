import datetime as dt
import re

import pytest
from django.urls import reverse

from grants.models import Publication
from grants.services.publications import publication_publish

pytestmark = pytest.mark.django_db

JUNE_12, JUNE_25 = dt.date(2031, 6, 12), dt.date(2031, 6, 25)


@pytest.fixture
def two_versions(award_round, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        publication_publish(round_=award_round, as_of=JUNE_12, note="")
        publication_publish(round_=award_round, as_of=JUNE_25, note="uppdaterad 25 juni")
    return award_round


def test_round_page_lists_every_version_with_downloads(
    client, two_versions, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6):
        response = client.get("/utlysningar/2031/listor/")
    html = response.content.decode()
    assert response.status_code == 200
    for scope in ("kommuner", "ideella", "alla"):
        for version in (1, 2):
            assert f"/utlysningar/2031/listor/{scope}/v{version}/sv.pdf" in html
            assert f"/utlysningar/2031/listor/{scope}/v{version}/en.pdf" in html
    assert "uppdaterad 25 juni" in html


def test_version_page_shows_the_rows_and_the_changes(client, two_versions):
    response = client.get("/utlysningar/2031/listor/ideella/v2/")
    html = response.content.decode().replace("\xa0", " ")
    assert response.status_code == 200
    assert html.count("<h1") == 1
    for name in ("Föreningen Alby", "Ängby förening", "Örebro föreningsråd"):
        assert name in html
    assert "Tillkommit: Ängby förening, 300 000 kr" in html
    assert "Ändrat belopp: Föreningen Alby, från 400 000 kr till 450 000 kr (50 000 kr)" in html
    assert "varav tilläggsbidrag 50 000 kr" in html
    assert "Summa" in html and "1 000 000 kr" in html


def test_version_page_in_english(client, two_versions):
    html = client.get("/en/utlysningar/2031/listor/alla/v2/").content.decode().replace("\xa0", " ")
    assert "Granted recipients" in html and "SEK 1,900,000" in html


def test_pdf_download_serves_the_rendered_file(client, two_versions):
    response = client.get("/utlysningar/2031/listor/kommuner/v1/sv.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="2031-kommuner-v1-sv.pdf"'
    assert "Cache-Control" not in response  # a public list, unlike a private letter
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_pdf_of_an_unfinished_version_is_not_found(client, award_round):
    publication_publish(round_=award_round, as_of=JUNE_12)  # not committed: stays pending
    assert client.get("/utlysningar/2031/listor/kommuner/v1/sv.pdf").status_code == 404
    assert client.get("/utlysningar/2031/listor/kommuner/v1/").status_code == 200
    assert client.get("/utlysningar/2031/listor/kommuner/v9/").status_code == 404
    assert client.get("/utlysningar/2031/listor/kommuner/v1/de.pdf").status_code == 404


def test_manage_page_is_only_for_decision_makers(client, case_officer, applicant):
    url = reverse("publications:manage")
    assert client.get(url).status_code == 302  # to the login page
    for user in (case_officer, applicant):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert client.post(url, {}).status_code == 404


def test_decision_maker_publishes_and_follows_the_job(
    client, decision_maker, award_round, django_capture_on_commit_callbacks
):
    client.force_login(decision_maker)
    choices = {"round": award_round.pk, "track": "", "as_of": "2031-06-25", "note": "ny"}
    summary = client.post(reverse("publications:manage"), choices)
    assert summary.status_code == 200 and not Publication.objects.exists()
    confirm = re.search(r'name="confirm" value="(\w+)"', summary.content.decode()).group(1)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("publications:manage"), {**choices, "confirm": confirm})
    assert response.status_code == 302
    assert len(callbacks) == 3
    publication = Publication.objects.get(track__code="ideella")
    html = client.get(reverse("publications:manage")).content.decode()
    assert 'data-hx-trigger="every 2s"' in html
    assert "I kö" in html
    status = client.get(reverse("publications:status", args=[publication.pk])).content.decode()
    assert "hx-get" in status
    for callback in callbacks:
        callback()
    status = client.get(reverse("publications:status", args=[publication.pk])).content.decode()
    assert "hx-get" not in status
    assert "/utlysningar/2031/listor/ideella/v1/sv.pdf" in status


def test_a_failed_job_shows_its_error_and_can_be_retried(
    client, decision_maker, award_round, django_capture_on_commit_callbacks
):
    (publication,) = publication_publish(
        round_=award_round, track=award_round.tracks.get(code="ideella"), as_of=JUNE_12
    )
    Publication.objects.filter(pk=publication.pk).update(status="failed", error="Disk full")
    client.force_login(decision_maker)
    status = client.get(reverse("publications:status", args=[publication.pk])).content.decode()
    assert "Disk full" in status and reverse("publications:retry", args=[publication.pk]) in status
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("publications:retry", args=[publication.pk]))
    assert response.status_code == 302
    publication.refresh_from_db()
    assert publication.status == "done" and publication.error == ""


def test_publish_form_refuses_a_track_of_another_round(client, decision_maker, award_round):
    from tests import factories

    other = factories.make_track()
    client.force_login(decision_maker)
    response = client.post(
        reverse("publications:manage"),
        {"round": award_round.pk, "track": other.pk, "as_of": "2031-06-25", "note": ""},
    )
    assert response.status_code == 200
    assert "Välj en del av den valda utlysningen." in response.content.decode()
    assert not Publication.objects.exists()


def test_round_page_links_each_done_list_to_its_page_and_pdf(
    client, db, django_capture_on_commit_callbacks
):
    from grants.demo import load_demo

    with django_capture_on_commit_callbacks(execute=True):
        load_demo()
    html = client.get("/utlysningar/2020/").content.decode()
    assert '/utlysningar/2020/listor/"' in html
    assert "/utlysningar/2020/listor/kommuner-och-regioner/v2/" in html
    assert "/utlysningar/2020/listor/alla/v2/sv.pdf" in html
    english = client.get("/en/utlysningar/2020/").content.decode()
    assert "/en/utlysningar/2020/listor/alla/v2/en.pdf" in english


def test_decision_makers_find_publishing_from_the_nav_and_a_closed_meeting(
    client, demo, decision_maker
):
    from grants.models import DecisionMeeting

    client.force_login(decision_maker)
    meeting = DecisionMeeting.objects.filter(status="closed").first()
    html = client.get(f"/handlaggning/moten/{meeting.pk}/").content.decode()
    assert html.count('href="/handlaggning/publiceringar/"') == 2
