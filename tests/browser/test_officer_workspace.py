"""The workspace in a real browser: filter, assess, request a supplement; run a meeting into the
cap, see the refusal, close within it; and axe on every workspace page."""

import datetime as dt

import pytest
from django.utils import timezone

from grants.models import Assessment, Grant
from grants.services.applications import application_transition
from grants.services.decisions import meeting_add_applications, meeting_create
from tests import factories
from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "correct horse battery"


def _submitted(track, seat, name, **extra):
    org = factories.make_organisation(
        name=name,
        seat=factories.kommun(seat),
        founded_on=dt.date(2015, 1, 1),
        members=[factories.make_user()],
    )
    application = factories.make_application(track=track, organisation=org, **extra)
    application_transition(application=application, to_status="submitted")
    application.refresh_from_db()
    return application


def _assessed(application, officer, amount):
    application_transition(application=application, to_status="in_assessment")
    Assessment.objects.create(
        application=application, officer=officer, recommendation="approve", proposed_amount=amount
    )
    application.refresh_from_db()
    return application


def test_officer_filters_by_county_assesses_and_requests_a_supplement(page, live_server, login):
    officer = factories.make_officer(email="kim@example.org", full_name="Kim Handläggare")
    track = factories.make_track(budget_cap=1_000_000)
    hälsinge = _submitted(track, "Bollnäs", "Hälsinge grannar", project_title="Läxhjälp i Bollnäs")
    _submitted(track, "Malmö", "Malmö grannar")

    login(page, officer.email, PASSWORD)
    page.goto(f"{live_server.url}/handlaggning/ko/")
    assert axe_violations(page) == []
    page.get_by_text("Filter", exact=True).click()  # the panel the filters fold into
    page.get_by_label("Län", exact=True).select_option(label="Gävleborgs län")
    page.get_by_role("button", name="Filtrera").click()
    rows = page.locator("table.queue tbody tr")
    assert rows.count() == 1
    assert "Hälsinge grannar" in rows.first.inner_text()

    page.get_by_role("link", name=hälsinge.case_number).click()
    assert page.locator("h1").count() == 1
    assert axe_violations(page) == []
    page.get_by_label("Formella krav", exact=True).select_option(label="Uppfyllda")
    page.get_by_label("Relevans").select_option("4")
    page.get_by_label("Måluppfyllelse").select_option("4")
    page.get_by_label("Effektivitet").select_option("3")
    page.get_by_label("Långsiktig effekt", exact=True).select_option("3")
    page.get_by_label("Rekommendation").select_option(label="bifall")
    page.get_by_label("Föreslaget belopp (kr)").fill("400000")
    page.get_by_label("Anteckningar").fill("God lokal förankring.")
    page.get_by_role("button", name="Spara bedömningen").click()
    assert "Bedömningen är sparad." in page.locator(".messages").inner_text()

    due = (timezone.localdate() + dt.timedelta(days=14)).isoformat()
    page.get_by_label("Vad som begärs").fill("Skicka föreningens stadgar.")
    page.get_by_label("Svara senast").fill(due)
    page.get_by_role("button", name="Skicka begäran").click()
    assert "Begäran är skickad till sökanden." in page.locator(".messages").inner_text()
    hälsinge.refresh_from_db()
    assert hälsinge.status == "supplement_requested"
    assert hälsinge.assessment.proposed_amount == 400_000
    assert axe_violations(page) == []


def test_decision_maker_is_refused_over_the_cap_and_closes_within_it(page, live_server, login):
    decider = factories.make_decision_maker(email="dana@example.org")
    officer = factories.make_officer()
    track = factories.make_track(budget_cap=1_000_000)
    first = _assessed(_submitted(track, "Bollnäs", "Första föreningen"), officer, 700_000)
    second = _assessed(_submitted(track, "Ovanåker", "Andra föreningen"), officer, 450_000)
    meeting = meeting_create(round_=track.round, user=decider, date=dt.date(2030, 6, 12))
    meeting_add_applications(meeting=meeting, applications=[first, second], user=decider)

    login(page, decider.email, PASSWORD)
    page.goto(f"{live_server.url}/handlaggning/moten/{meeting.pk}/")
    assert axe_violations(page) == []
    for application in (first, second):
        page.get_by_role("button", name=f"Registrera beslutet om {application.case_number}").click()
        assert "är registrerat" in page.locator(".messages").inner_text()
    page.get_by_role("link", name="Stäng beslutstillfället…").click()
    assert "över taket med 150\xa0000\xa0kr" in page.locator("#confirm-tracks").inner_text()
    assert page.locator('input[name="confirm"]').count() == 0
    assert axe_violations(page) == []
    page.get_by_role("link", name="Tillbaka till beslutstillfället").click()

    item = page.locator(f"#a{second.pk}")
    item.get_by_label("avslagen").check()
    item.get_by_label("Skäl", exact=True).fill("Projektet saknar koppling till segregation.")
    item.get_by_role("button", name=f"Registrera beslutet om {second.case_number}").click()
    page.get_by_role("link", name="Stäng beslutstillfället…").click()
    page.get_by_role("button", name="Stäng beslutstillfället och gör 2 beslut slutliga").click()
    assert "slutliga" in page.locator(".messages").inner_text()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("approved", "rejected")
    assert Grant.objects.get().amount_total == 700_000

    # The applicant sees the decision in the portal.
    page.get_by_role("button", name="Logga ut").click()
    login(page, first.organisation.memberships.get().user.email, PASSWORD)
    page.goto(f"{live_server.url}/portal/ansokningar/{first.pk}/")
    status_page = page.locator("main").inner_text()
    assert "beviljad" in status_page.lower()
    assert "700\xa0000\xa0kr" in status_page
    assert axe_violations(page) == []


def test_workspace_pages_have_no_axe_violations(page, live_server, login):
    decider = factories.make_user(
        email="both@example.org", groups=["case_officer", "decision_maker"]
    )
    track = factories.make_track(budget_cap=1_000_000)
    factories.make_track(round_=track.round, civil=False)
    application = _assessed(_submitted(track, "Bollnäs", "Föreningen"), decider, 300_000)
    meeting = meeting_create(round_=track.round, user=decider, date=dt.date(2030, 6, 12))
    grant = factories.make_grant(
        application=_assessed(_submitted(track, "Ljusdal", "Bidragstagaren"), decider, 1)
    )
    grant.payments.create(number=1, due_date=dt.date(2030, 7, 1), amount=1, status="released")
    grant.reports.create(kind="final", due_date=dt.date(2031, 6, 30), review_status="pending")
    login(page, decider.email, PASSWORD)
    paths = [
        f"/handlaggning/?round={track.round.pk}",
        "/en/handlaggning/ko/",
        f"/handlaggning/ansokan/{application.pk}/",
        f"/handlaggning/moten/{meeting.pk}/",
        f"/handlaggning/omgang/{track.round.pk}/nytt-mote/",
        f"/en/handlaggning/omgang/{track.round.pk}/omfordelning/",
        f"/handlaggning/bidrag/{grant.pk}/",
        "/handlaggning/uppfoljning/",
        "/handlaggning/arsredovisning/",
        "/en/handlaggning/paminnelser/",
    ]
    for path in paths:
        page.goto(live_server.url + path)
        assert page.locator("h1").count() == 1, path
        assert axe_violations(page) == [], path


def test_officer_ticks_three_applications_and_adds_them_to_a_meeting(page, live_server, login):
    officer = factories.make_officer(email="kim@example.org", full_name="Kim Handläggare")
    track = factories.make_track(budget_cap=1_000_000)
    picked = [
        _assessed(_submitted(track, "Bollnäs", f"Förening {n}"), officer, 100_000) for n in range(3)
    ]
    left = _assessed(_submitted(track, "Bollnäs", "Förening kvar"), officer, 100_000)
    meeting = meeting_create(
        round_=track.round, date=timezone.localdate(), user=factories.make_decision_maker()
    )

    login(page, officer.email, PASSWORD)
    page.goto(f"{live_server.url}/handlaggning/ko/")
    for application in picked:
        page.get_by_label(f"Välj {application.case_number}").check()
    # The assign action's select is left empty: it must not block the meeting action.
    page.get_by_role("combobox", name="Lägg till beslutstillfälle").select_option(index=1)
    page.get_by_role("button", name="Lägg till beslutstillfället", exact=True).click()
    assert "3 ansökningar lades till beslutstillfället." in page.locator(".messages").inner_text()
    assert axe_violations(page) == []

    page.goto(f"{live_server.url}/handlaggning/moten/{meeting.pk}/")
    text = page.locator("main").inner_text()
    for application in picked:
        assert application.case_number in text
    assert left.case_number not in text
