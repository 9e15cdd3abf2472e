"""Issue 15, item 6, in a real browser: the decision maker closes a meeting and publishes its
lists through confirmation pages that say what will happen, by labels and with the keyboard,
and returns where they were; axe on every page of the flow."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from grants.models import Assessment, DecisionMeeting, Publication
from grants.services.applications import application_transition
from grants.services.decisions import decision_record, meeting_add_applications, meeting_create
from tests import factories
from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "correct horse battery"


def _on_meeting(meeting, track, officer, name, amount):
    org = factories.make_organisation(name=name, members=[factories.make_user()])
    application = factories.make_application(track=track, organisation=org)
    application_transition(application=application, to_status="submitted")
    application_transition(application=application, to_status="in_assessment")
    Assessment.objects.create(
        application=application, officer=officer, recommendation="approve", proposed_amount=amount
    )
    application.refresh_from_db()
    meeting_add_applications(meeting=meeting, applications=[application], user=officer)
    return application


def test_closing_and_publishing_are_confirmed_with_a_summary(page, live_server, login):
    decider = factories.make_user(
        email="dana@example.org", groups=["case_officer", "decision_maker"]
    )
    track = factories.make_track(budget_cap=1_000_000, name="Ideella")
    meeting = meeting_create(round_=track.round, user=decider, date=dt.date(2030, 6, 12))
    first = _on_meeting(meeting, track, decider, "Första föreningen", 300_000)
    second = _on_meeting(meeting, track, decider, "Andra föreningen", 250_000)
    for application, outcome in ((first, "approved"), (second, "rejected")):
        decision_record(
            meeting=meeting,
            application=application,
            user=decider,
            outcome=outcome,
            amount=300_000 if outcome == "approved" else 0,
            reasons="Utanför målgruppen." if outcome == "rejected" else "",
        )

    login(page, decider.email, PASSWORD)
    page.goto(f"{live_server.url}/handlaggning/moten/{meeting.pk}/")
    page.get_by_role("link", name="Stäng beslutstillfället…").click()
    expect(page.locator("h1")).to_have_text("Stänga beslutstillfället?")
    summary = page.locator("main").inner_text()
    assert "2 beslut blir slutliga" in summary
    assert "1 bifall, 300\xa0000\xa0kr sammanlagt" in summary and "1 avslag." in summary
    row = page.locator("#confirm-tracks tbody tr").first.inner_text()
    assert "Ideella" in row and "700\xa0000\xa0kr" in row  # remaining after closing
    assert axe_violations(page) == []

    # Cancel goes back, nothing closed.
    page.get_by_role("link", name="Avbryt").click()
    expect(page.locator("h1")).to_contain_text("Beslutstillfälle")
    assert DecisionMeeting.objects.get().status == "open"

    # Confirm with the keyboard.
    page.get_by_role("link", name="Stäng beslutstillfället…").click()
    confirm = page.get_by_role("button", name="Stäng beslutstillfället och gör 2 beslut slutliga")
    confirm.focus()
    page.keyboard.press("Enter")
    # The letters render in the request here (no worker): give it time.
    expect(page.locator(".messages")).to_contain_text("dess 2 beslut är slutliga", timeout=60_000)
    assert page.url.endswith(f"/handlaggning/moten/{meeting.pk}/")
    assert DecisionMeeting.objects.get().status == "closed"

    # Publishing: the round just decided is preselected; one track's list, confirmed.
    page.get_by_role(
        "link", name="Publicera listorna över beviljade bidrag med dessa beslut"
    ).click()
    expect(page.get_by_label("Utlysning")).to_have_value(str(track.round.pk))
    page.get_by_label("Del", exact=True).select_option(str(track.pk))
    page.get_by_label("Beslut till och med").fill("2030-06-30")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Visa vad som kommer att publiceras…").click()
    expect(page.locator("h1")).to_have_text("Publicera dessa listor?")
    lists = page.locator("#confirm-lists tbody tr")
    expect(lists).to_have_count(1)
    assert "300\xa0000\xa0kr" in lists.first.inner_text()
    assert Publication.objects.count() == 0
    assert axe_violations(page) == []
    page.get_by_role("button", name="Publicera 1 lista").click()
    expect(page.locator(".messages")).to_contain_text("1 lista publicerad", timeout=60_000)
    assert Publication.objects.get().row_count == 1
