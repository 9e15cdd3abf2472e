"""Issue 15, item 6: closing a meeting and publishing ask for confirmation on a page that says
what will happen (how many decisions, what total per track), confirm only what was shown, and
send the decision maker back to where they were."""

import datetime as dt
import re

import pytest

from grants.models import Decision, DecisionMeeting, Publication
from grants.selectors.officer import meeting_close_summary
from grants.services import ServiceError
from grants.services.decisions import decision_record, meeting_close
from tests import factories
from tests.grants.publications.data import build_award_round

from .conftest import submit

pytestmark = pytest.mark.django_db


def _confirm_value(response) -> str:
    found = re.search(r'name="confirm" value="(\w+)"', response.content.decode())
    assert found, "the page offers no confirmation"
    return found.group(1)


@pytest.fixture
def meeting(decision_maker):
    round_ = factories.make_round()
    civil = factories.make_track(
        round_=round_, code="ideella", name="Ideella", budget_cap=1_000_000
    )
    municipal = factories.make_track(
        round_=round_, civil=False, code="kommuner", name="Kommuner", budget_cap=2_000_000
    )
    meeting = DecisionMeeting.objects.create(round=round_, date=dt.date(2030, 6, 12))
    for track, outcome, amount in (
        (civil, "approved", 300_000),
        (civil, "approved", 250_000),
        (municipal, "approved", 1_200_000),
        (municipal, "rejected", 0),
    ):
        application = submit(factories.make_application(track=track), assess=True)
        meeting.agenda.add(application)
        decision_record(
            meeting=meeting,
            application=application,
            user=decision_maker,
            outcome=outcome,
            amount=amount,
            reasons="Utanför målgruppen." if outcome == "rejected" else "",
        )
    return meeting


def test_the_meeting_page_only_links_to_the_confirmation(client, decision_maker, meeting):
    client.force_login(decision_maker)
    html = client.get(f"/handlaggning/moten/{meeting.pk}/").content.decode()
    close = f"/handlaggning/moten/{meeting.pk}/stang/"
    assert f'href="{close}"' in html
    assert f'action="{close}"' not in html


def test_closing_shows_what_will_happen_and_closes_only_when_confirmed(
    client, decision_maker, meeting
):
    client.force_login(decision_maker)
    url = f"/handlaggning/moten/{meeting.pk}/stang/"
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "4 beslut blir slutliga" in html
    assert "3 bifall, 1\xa0750\xa0000\xa0kr sammanlagt" in html
    assert "1 avslag." in html
    rows = re.findall(r"<tr>.*?</tr>", html.split('id="confirm-tracks"')[1], re.S)
    civil = next(r for r in rows if "Ideella" in r)
    municipal = next(r for r in rows if "Kommuner" in r)
    assert ">2<" in civil and "550\xa0000\xa0kr" in civil and "450\xa0000\xa0kr" in civil
    assert ">1<" in municipal and "1\xa0200\xa0000\xa0kr" in municipal
    assert "Stäng beslutstillfället och gör 4 beslut slutliga" in html

    # A bare POST (an old form, a double submit) only shows the summary.
    assert client.post(url).status_code == 200
    meeting.refresh_from_db()
    assert meeting.status == "open"

    response = client.post(url, {"confirm": _confirm_value(page)})
    assert response.status_code == 302
    assert response["Location"] == f"/handlaggning/moten/{meeting.pk}/"
    meeting.refresh_from_db()
    assert meeting.status == "closed"


def test_a_decision_changed_after_the_summary_was_shown_stops_the_close(
    client, decision_maker, meeting
):
    client.force_login(decision_maker)
    url = f"/handlaggning/moten/{meeting.pk}/stang/"
    confirm = _confirm_value(client.get(url))
    # A colleague raises an amount meanwhile.
    decision = Decision.objects.filter(amount=300_000).get()
    decision_record(
        meeting=meeting,
        application=decision.application,
        user=decision_maker,
        outcome="approved",
        amount=400_000,
    )
    response = client.post(url, {"confirm": confirm})
    assert response.status_code == 409
    html = response.content.decode()
    assert "Besluten ändrades efter att sidan visades" in html
    assert "1\xa0850\xa0000\xa0kr sammanlagt" in html  # the new summary, to confirm again
    meeting.refresh_from_db()
    assert meeting.status == "open"


def test_a_meeting_that_cannot_close_says_why_and_offers_no_confirmation(
    client, decision_maker, meeting
):
    undecided = submit(factories.make_application(track=meeting.round.tracks.first()), assess=True)
    meeting.agenda.add(undecided)
    client.force_login(decision_maker)
    html = client.get(f"/handlaggning/moten/{meeting.pk}/stang/").content.decode()
    assert 'name="confirm"' not in html
    assert str(undecided) in html and 'id="confirm-blocked"' in html


def test_after_closing_the_decision_maker_returns_where_they_were(client, decision_maker, meeting):
    client.force_login(decision_maker)
    back = "/handlaggning/?round=1#ledger"
    url = f"/handlaggning/moten/{meeting.pk}/stang/"
    page = client.get(url, {"next": back})
    assert f'href="{back}"' in page.content.decode()  # cancel goes back too
    response = client.post(url, {"confirm": _confirm_value(page), "next": back})
    assert response["Location"] == back


def test_closing_never_sends_anyone_to_another_site(client, decision_maker, meeting):
    client.force_login(decision_maker)
    url = f"/handlaggning/moten/{meeting.pk}/stang/"
    page = client.get(url, {"next": "https://evil.example/"})
    assert 'value="https://evil.example/"' not in page.content.decode()
    assert 'href="https://evil.example/"' not in page.content.decode()
    response = client.post(url, {"confirm": _confirm_value(page), "next": "//evil.example"})
    assert response["Location"] == f"/handlaggning/moten/{meeting.pk}/"


def test_the_confirmation_speaks_english_with_proper_plurals(client, decision_maker, meeting):
    client.force_login(decision_maker)
    html = client.get(f"/en/handlaggning/moten/{meeting.pk}/stang/").content.decode()
    assert "4 decisions become final" in html and "1 rejection." in html
    assert re.search(r"3 approvals, SEK\s1,750,000 in all", html)


# -- publishing ---------------------------------------------------------------------------------


@pytest.fixture
def award_round():
    return build_award_round()


def test_publishing_shows_each_list_and_publishes_only_when_confirmed(
    client, decision_maker, award_round
):
    client.force_login(decision_maker)
    url = "/handlaggning/publiceringar/"
    form = client.get(url).content.decode()
    assert f'<option value="{award_round.pk}" selected>' in form  # the round just decided
    assert "---------" not in form
    choices = {"round": award_round.pk, "track": "", "as_of": "2031-06-25", "note": "ny"}
    summary = client.post(url, choices)
    html = summary.content.decode()
    assert summary.status_code == 200 and not Publication.objects.exists()
    table = html.split('id="confirm-lists"')[1]
    for track in award_round.tracks.all():
        assert track.name in table
    assert "Alla delar" in table and "ingen: den första versionen" in table
    assert "Publicera 3 listor" in html

    response = client.post(url, {**choices, "confirm": _confirm_value(summary)})
    assert response.status_code == 302
    assert Publication.objects.count() == 3


def test_a_list_changed_after_the_summary_is_not_published(client, decision_maker, award_round):
    client.force_login(decision_maker)
    url = "/handlaggning/publiceringar/"
    choices = {"round": award_round.pk, "track": "", "as_of": "2031-06-25"}
    confirm = _confirm_value(client.post(url, choices))
    Decision.objects.filter(outcome="approved").update(amount=1)  # stands in for a correction
    response = client.post(url, {**choices, "confirm": confirm})
    assert response.status_code == 409
    assert "Listorna ändrades efter att sammanfattningen visades" in response.content.decode()
    assert not Publication.objects.exists()


def test_changing_the_choices_keeps_what_was_typed(client, decision_maker, award_round):
    client.force_login(decision_maker)
    url = "/handlaggning/publiceringar/"
    choices = {"round": award_round.pk, "track": "", "as_of": "2031-06-25", "note": "uppdaterad"}
    response = client.post(url, {**choices, "edit": "1"})
    html = response.content.decode()
    assert response.status_code == 200 and 'value="uppdaterad"' in html
    assert not Publication.objects.exists()


def test_the_service_checks_the_confirmed_summary_under_its_locks(decision_maker, meeting):
    confirmed = meeting_close_summary(meeting).fingerprint
    decision = Decision.objects.filter(amount=250_000).get()
    decision_record(
        meeting=meeting,
        application=decision.application,
        user=decision_maker,
        outcome="rejected",
        reasons="Utanför målgruppen.",
    )
    with pytest.raises(ServiceError) as refused:
        meeting_close(meeting=meeting, user=decision_maker, confirmed=confirmed)
    assert refused.value.code == "summary_changed"
    meeting.refresh_from_db()
    assert meeting.status == "open"
    meeting_close(
        meeting=meeting,
        user=decision_maker,
        confirmed=meeting_close_summary(meeting).fingerprint,
    )
    meeting.refresh_from_db()
    assert meeting.status == "closed"
