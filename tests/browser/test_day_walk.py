"""A day's work in a real browser, by labels and with the keyboard: two case officers and two
decision makers take ten cases from the queue to a closed meeting. The officer filters the queue in
its folding panel, reads every answer of one case, assesses all ten stepping with j and k, asks for
a supplement and reads the answer; the bulk add is refused until a second officer has made the
second assessment the track requires, then adds all ten; a decision maker declares a conflict on
one case and is kept out of closing; a colleague decides it and closes, through the confirmation
page when there is one. axe runs on every workspace page the walk visits."""

import datetime as dt
import re

import pytest
from django.utils import timezone, translation
from playwright.sync_api import expect

from grants.models import DecisionMeeting, Grant, SecondAssessment, SupplementRequest
from grants.selectors.officer import answer_sections
from grants.services.applications import application_transition
from grants.services.portal import supplement_answer
from tests import factories
from tests.browser.conftest import axe_violations
from tests.grants.officer.test_answers import _complete

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "correct horse battery"
# Closing renders ten decision letters (eagerly, without a broker) before the page answers.
CLOSING = 120_000
SEATS = ["Bollnäs", "Ovanåker", "Ljusdal", "Gävle", "Sandviken"]


def _world():
    track = factories.make_track(budget_cap=10_000_000, second_assessment_above=300_000)
    cases = []
    for n in range(10):
        member = factories.make_user(email=f"sokande{n}@example.org")
        organisation = factories.make_organisation(
            name=f"Förening {n + 1}",
            seat=factories.kommun(SEATS[n % len(SEATS)]),
            founded_on=dt.date(2015, 1, 1),
            members=[member],
        )
        application = factories.make_application(
            track=track,
            organisation=organisation,
            project_title=f"Projekt {n + 1}",
            requested_amount=500_000 if n == 2 else 200_000,
        )
        if n == 0:
            application = _complete(application, member)
        application_transition(application=application, to_status="submitted")
        application.refresh_from_db()
        cases.append(application)
    return track, cases


def _checked(page, what: str) -> None:
    """Every workspace page the walk visits passes axe."""
    assert page.locator("h1").count() == 1, what
    assert axe_violations(page) == [], what


def _message(page) -> str:
    # After a close the page arrives once the letters are made (in the request, without a broker).
    return page.locator(".messages").inner_text(timeout=CLOSING)


def _assess(page, *, relevance="4", amount="150000", notes="God lokal förankring."):
    page.get_by_label("Formella krav", exact=True).select_option(label="Uppfyllda")
    page.get_by_label("Relevans").select_option(relevance)
    page.get_by_label("Måluppfyllelse").select_option("4")
    page.get_by_label("Effektivitet").select_option("3")
    page.get_by_label("Långsiktig effekt", exact=True).select_option("3")
    page.get_by_label("Rekommendation").select_option(label="bifall")
    page.get_by_label("Föreslaget belopp (kr)").fill(amount)
    page.get_by_label("Anteckningar").fill(notes)


def _right(locator) -> float:
    box = locator.bounding_box()
    return box["x"] + box["width"] - 1


def _bottom(locator) -> float:
    box = locator.bounding_box()
    return box["y"] + box["height"] - 1


def _new_page(browser):
    context = browser.new_context(locale="sv-SE", viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


def _close(page) -> None:
    """Close the meeting: straight from the meeting page, or through the confirmation page that
    says what closing does, when the workspace has one."""
    page.get_by_role("button", name=re.compile("^Stäng beslutstillfället")).or_(
        page.get_by_role("link", name=re.compile("^Stäng beslutstillfället"))
    ).first.click(timeout=CLOSING)
    confirm = page.locator("form.confirm-form button[type=submit]")
    if confirm.count():
        _checked(page, "the confirmation of the close")
        confirm.click(timeout=CLOSING)


def test_a_days_work_from_the_queue_to_a_closed_meeting(browser, live_server, login):
    kim = factories.make_officer(email="kim@example.org", full_name="Kim Handläggare")
    sam = factories.make_officer(email="sam@example.org", full_name="Sam Andra")
    dana = factories.make_decision_maker(email="dana@example.org", full_name="Dana Beslut")
    eli = factories.make_decision_maker(email="eli@example.org", full_name="Eli Beslut")
    track, cases = _world()
    factories.make_application(track=factories.make_track(round_=track.round, code="annan"))
    url = live_server.url

    # The decision maker opens a meeting for the round.
    decider = _new_page(browser)
    login(decider, dana.email, PASSWORD)
    decider.goto(f"{url}/handlaggning/omgang/{track.round.pk}/nytt-mote/")
    _checked(decider, "new meeting")
    decider.get_by_label("Datum").fill(timezone.localdate().isoformat())
    decider.get_by_label("Titel").fill("Junimötet")
    decider.get_by_role("button", name="Skapa beslutstillfället").click()
    meeting = DecisionMeeting.objects.get()

    # The officer's queue: results first, filters in a panel opened with the keyboard.
    page = _new_page(browser)
    login(page, kim.email, PASSWORD)
    page.goto(f"{url}/handlaggning/ko/")
    _checked(page, "queue")
    panel = page.locator("#queue-filters")
    expect(page.get_by_label("Del", exact=True)).to_be_hidden()
    panel.locator("summary").focus()
    page.keyboard.press("Enter")
    page.get_by_label("Del", exact=True).select_option(str(track.pk))
    page.get_by_role("button", name="Filtrera").click()
    expect(page.locator("table.queue tbody tr")).to_have_count(10)
    expect(page.locator("#queue-filters")).to_have_attribute("open", "")  # remembered
    _checked(page, "queue, filtered")
    page.locator("#queue-filters summary").focus()
    page.keyboard.press("Enter")  # folded away again: the results come first
    expect(page.get_by_label("Del", exact=True)).to_be_hidden()

    # Every answer of the first case, as the applicant gave it, in the officer's language.
    page.get_by_role("link", name=cases[0].case_number, exact=True).click()
    _checked(page, "the first case")
    answers = page.locator("#answers").inner_text()
    with translation.override("sv"):
        sections = answer_sections(cases[0])
    assert len(sections) >= 6
    rows = 0
    for section in sections:
        assert section.title in answers
        for label, value in section.rows:
            assert str(label) in answers, label
            for line in str(value or "–").splitlines():
                assert line.strip() in answers, (label, line)
            rows += 1
    assert rows > 20
    assert "stadgar.pdf" in page.locator("#attachments").inner_text()

    # Two panes on a wide screen: the case work beside the answers, staying in view (with its
    # section links) while the answers scroll; one column on a narrow screen.
    case_file, case_work = page.locator(".case-file"), page.locator(".case-work")
    assert case_work.bounding_box()["x"] >= _right(case_file)
    page.mouse.move(300, 500)  # over the answers, which scroll the page
    page.mouse.wheel(0, 1200)
    expect(page.locator("#answers-h")).not_to_be_in_viewport()
    assert abs(page.locator(".case-file .pane-nav").bounding_box()["y"]) < 2
    assert abs(case_work.bounding_box()["y"]) < 2
    page.get_by_role("navigation", name="Ansökan").get_by_role("link", name="Bilagor").click()
    assert page.url.endswith("#attachments")
    page.set_viewport_size({"width": 375, "height": 800})
    assert case_work.bounding_box()["y"] >= _bottom(case_file)
    page.set_viewport_size({"width": 1400, "height": 900})

    # Ten cases assessed in a row: save, then j for the next case in the filtered queue.
    due = (timezone.localdate() + dt.timedelta(days=14)).isoformat()
    for n, case in enumerate(cases):
        assert page.url.split("#")[0].endswith(f"/handlaggning/ansokan/{case.pk}/"), (n, page.url)
        if n:
            _checked(page, f"case {n + 1}")
        _assess(page, amount="400000" if n == 2 else "150000")
        page.get_by_role("button", name="Spara bedömningen").click()
        assert "Bedömningen är sparad." in _message(page)
        if n == 1:  # a supplement request on the second case
            page.get_by_label("Vad som begärs").fill("Skicka föreningens stadgar.")
            page.get_by_label("Svara senast").fill(due)
            page.get_by_role("button", name="Skicka begäran").click()
            assert "Begäran är skickad till sökanden." in _message(page)
        if n == 2:
            assert "en andra bedömning" in page.locator("#second-assessment").inner_text()
        if n < 9:
            page.keyboard.press("j")
            page.wait_for_url(f"**/handlaggning/ansokan/{cases[n + 1].pk}/")
    expect(page.get_by_text("Inget nästa ärende")).to_be_visible()
    page.keyboard.press("k")
    page.wait_for_url(f"**/handlaggning/ansokan/{cases[8].pk}/")

    # The applicant answers the supplement; the officer reads it and saves the assessment.
    request = SupplementRequest.objects.get(application=cases[1])
    supplement_answer(
        supplement=request,
        user=cases[1].organisation.memberships.get().user,
        answer="Stadgarna antogs 2015 och bifogas.",
    )
    page.goto(f"{url}/handlaggning/ansokan/{cases[1].pk}/")
    _checked(page, "the supplemented case")
    assert "Stadgarna antogs 2015 och bifogas." in page.locator("main").inner_text()
    page.get_by_label("Anteckningar").fill("Stadgarna har kommit in; allt är i ordning.")
    page.get_by_role("button", name="Spara bedömningen").click()
    assert "Bedömningen är sparad." in _message(page)

    # All ten ticked with the keyboard: refused, since the third case lacks its second assessment.
    page.get_by_role("link", name="Tillbaka till kön").click()
    expect(page.locator("table.queue tbody tr")).to_have_count(10)
    for case in cases:
        page.get_by_label(f"Välj {case.case_number}", exact=True).focus()
        page.keyboard.press("Space")
    page.get_by_role("combobox", name="Lägg till beslutstillfälle").select_option(label="Junimötet")
    page.get_by_role("button", name="Lägg till beslutstillfället", exact=True).click()
    refusal = page.locator("#bulk-meeting-errors").inner_text()
    assert cases[2].case_number in refusal and "andra bedömning" in refusal
    assert not meeting.agenda.exists()
    _checked(page, "queue, refused")

    # The second officer makes the second assessment; the two stand side by side.
    second = _new_page(browser)
    login(second, sam.email, PASSWORD)
    second.goto(f"{url}/handlaggning/ko/")
    second.locator("#queue-filters summary").click()
    second.get_by_label("Sök", exact=True).fill(cases[2].case_number)
    second.get_by_role("button", name="Filtrera").click()
    second.get_by_role("link", name=cases[2].case_number, exact=True).click()
    _checked(second, "the case for a second assessment")
    _assess(second, relevance="2", amount="300000", notes="Svagare förankring än det verkar.")
    second.get_by_role("button", name="Spara den andra bedömningen").click()
    assert "Den andra bedömningen är sparad." in _message(second)
    comparison = second.locator("table.comparison")
    expect(comparison.locator("tr.disagree")).to_have_count(3)  # relevance, total, amount
    assert "Skiljer sig" in comparison.locator("tr.disagree").first.inner_text()
    assert SecondAssessment.objects.get().officer == sam
    _checked(second, "the two assessments")

    # Now the bulk add goes through, and the officer is back on the filtered queue.
    page.goto(f"{url}/handlaggning/ko/?track={track.pk}")
    for case in cases:
        page.get_by_label(f"Välj {case.case_number}", exact=True).check()
    page.get_by_role("combobox", name="Lägg till beslutstillfälle").select_option(label="Junimötet")
    page.get_by_role("button", name="Lägg till beslutstillfället", exact=True).click()
    assert "10 ansökningar lades till" in _message(page)
    assert meeting.agenda.count() == 10
    expect(page.locator("table.queue tbody tr")).to_have_count(10)

    # The decision maker declares a conflict on the last case and decides the other nine.
    decider.goto(f"{url}/handlaggning/moten/{meeting.pk}/")
    _checked(decider, "the meeting")
    last = decider.locator(f"#a{cases[9].pk}")
    last.locator("details.meeting-conflict > summary").focus()
    decider.keyboard.press("Enter")
    last.get_by_label("Skäl för jävet").fill("Min syster är ordförande.")
    last.get_by_role("button", name=f"Anmäl jävet i {cases[9].case_number}").click()
    assert "jäv" in _message(decider).lower()
    for case in cases[:9]:
        decider.get_by_role(
            "button", name=f"Registrera beslutet om {case.case_number}", exact=True
        ).click()
        assert "är registrerat" in _message(decider)
    expect(decider.locator(f"#a{cases[9].pk} form.decision-form")).to_have_count(0)
    _checked(decider, "the meeting, nine decided")
    _close(decider)
    refused = decider.locator("body").inner_text()
    assert "jäv" in refused and cases[9].case_number in refused
    meeting.refresh_from_db()
    assert meeting.status == "open"

    # A colleague decides the last case and closes the meeting.
    colleague = _new_page(browser)
    login(colleague, eli.email, PASSWORD)
    colleague.goto(f"{url}/handlaggning/moten/{meeting.pk}/")
    colleague.get_by_role(
        "button", name=f"Registrera beslutet om {cases[9].case_number}", exact=True
    ).click()
    _close(colleague)
    assert "slutlig" in _message(colleague)
    _checked(colleague, "the closed meeting")
    meeting.refresh_from_db()
    assert meeting.status == "closed" and meeting.closed_by == eli
    assert Grant.objects.filter(application__in=cases).count() == 10
    for p in (page, second, decider, colleague):
        p.context.close()
