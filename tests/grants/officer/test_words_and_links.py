"""Issue 15, item 7 (part): selects' empty choices and counts in proper Swedish and English,
and e-mails that take the applicant straight to their case in the portal."""

import datetime as dt

import pytest
from django.utils import timezone

from grants.models import DecisionMeeting, SupplementRequest
from grants.services.decisions import decision_record, meeting_close
from grants.services.officer import supplement_request
from tests import factories

from .conftest import submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(track):
    return DecisionMeeting.objects.create(round=track.round, date=dt.date(2030, 6, 12))


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_no_select_offers_dashes_for_its_empty_choice(
    client, prefix, case_officer, decision_maker, submitted, meeting
):
    for user, paths in (
        (
            case_officer,
            [
                "/handlaggning/ko/",
                f"/handlaggning/ansokan/{submitted.pk}/",
            ],
        ),
        (
            decision_maker,
            [
                f"/handlaggning/omgang/{meeting.round_id}/omfordelning/",
                "/handlaggning/publiceringar/",
                f"/handlaggning/moten/{meeting.pk}/",
            ],
        ),
    ):
        client.force_login(user)
        for path in paths:
            response = client.get(prefix + path)
            assert response.status_code == 200, path
            html = response.content.decode()
            assert "<select" in html or "moten" in path, path
            assert "---------" not in html, prefix + path


def test_the_empty_choices_say_what_they_mean(client, case_officer, submitted, meeting):
    client.force_login(case_officer)
    html = client.get(f"/handlaggning/ansokan/{submitted.pk}/").content.decode()
    assert '<option value="" selected>Välj beslutstillfälle</option>' in html
    assert '<option value="" selected>Ingen rekommendation än</option>' in html
    html = client.get("/en/handlaggning/ko/").content.decode()
    assert '<option value="" selected>Choose a case officer</option>' in html
    assert '<option value="" selected>All</option>' in html


def test_one_application_added_is_one_application(client, case_officer, track, meeting):
    application = submit(factories.make_application(track=track), assess=True)
    client.force_login(case_officer)
    response = client.post(
        "/handlaggning/ko/atgard/",
        {"action": "meeting", "meeting": meeting.pk, "application": [application.pk]},
        follow=True,
    )
    html = response.content.decode()
    assert "1 ansökan lades till beslutstillfället." in html
    assert "1 ansökningar" not in html


def test_the_supplement_email_links_to_the_answer_in_the_portal(
    settings, submitted, applicant, case_officer, mailoutbox, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://bidrag.example.se"
    english = factories.make_user(email="reader@example.org", language="en")
    submitted.organisation.memberships.create(user=english)
    with django_capture_on_commit_callbacks(execute=True):
        supplement_request(
            application=submitted,
            user=case_officer,
            message="Skicka stadgarna.",
            due_date=timezone.localdate() + dt.timedelta(days=7),
        )
    request = SupplementRequest.objects.get()
    path = f"/portal/ansokningar/{submitted.pk}/komplettering/{request.pk}/"
    mails = {m.to[0]: m for m in mailoutbox}
    swedish = mails[applicant.email]
    assert f"https://bidrag.example.se{path}" in swedish.body
    assert f'href="https://bidrag.example.se{path}"' in swedish.alternatives[0][0]
    assert f"https://bidrag.example.se/en{path}" in mails[english.email].body


def test_the_decision_email_links_to_the_case_in_the_portal(
    settings,
    track,
    organisation,
    applicant,
    decision_maker,
    meeting,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    settings.SITE_URL = "https://bidrag.example.se"
    application = submit(
        factories.make_application(track=track, organisation=organisation), assess=True
    )
    meeting.agenda.add(application)
    decision_record(
        meeting=meeting,
        application=application,
        user=decision_maker,
        outcome="approved",
        amount=100_000,
    )
    with django_capture_on_commit_callbacks(execute=True):
        meeting_close(meeting=meeting, user=decision_maker)
    [mail] = mailoutbox
    url = f"https://bidrag.example.se/portal/ansokningar/{application.pk}/"
    assert url in mail.body
    assert f'href="{url}"' in mail.alternatives[0][0]
