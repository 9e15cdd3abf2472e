"""A newcomer's whole way: register, verify the e-mail, register the organisation, fill in an
application over two sittings, attach a file, submit and see the case number."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from grants.demo.open_round import load_open_round
from grants.models import Application, User
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "ett-langt-Losenord-2026"
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _save_and_next(page):
    """Leave the field (its change autosaves), let the autosave finish, then press the button.
    (The test database is SQLite in memory, which cannot serve two writes at once; PostgreSQL
    queues them on the row lock.)"""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.wait_for_timeout(150)
    expect(page.locator(".htmx-request")).to_have_count(0)  # no eval under the CSP
    page.get_by_role("button", name="Spara och gå till nästa avsnitt").click()


def _path(link: str) -> str:
    return re.sub(r"^https?://[^/]+", "", link)


def test_a_newcomer_registers_applies_over_two_sittings_and_submits(page, live_server):
    round_ = load_open_round()
    year = round_.grant_period_start.year
    base = live_server.url

    # Register and verify the e-mail address from the outbox.
    page.goto(f"{base}/konto/registrera/")
    page.get_by_label("Ditt namn").fill("Nora Nykomling")
    page.get_by_label("E-postadress").fill("nora@example.org")
    page.locator("#id_password1").fill(PASSWORD)
    page.get_by_label("Lösenord igen").fill(PASSWORD)
    page.get_by_role("button", name="Skapa konto").click()
    assert page.locator("h1").inner_text() == "Titta i din e-post"
    message = next(m for m in mail.outbox if m.to == ["nora@example.org"])
    link = re.search(r"https?://\S+/konto/verifiera/\S+/", message.body).group(0)
    page.goto(base + _path(link))
    assert page.url.endswith("/portal/")
    assert User.objects.get(email="nora@example.org").email_verified_at is not None

    # Register the organisation.
    page.get_by_role("link", name="Registrera en organisation").click()
    number = factories.org_number("8")
    page.get_by_label("Organisationens namn").fill("Föreningen Nya Vägar")
    page.get_by_label("Typ av organisation").select_option("ideell_forening")
    page.get_by_label("Organisationsnummer").fill(number)
    page.get_by_label("Sätekommun").select_option(label="Bollnäs")
    page.get_by_label("Gatuadress").fill("Storgatan 1")
    page.get_by_label("Postnummer").fill("821 30")
    page.get_by_label("Postort").fill("Bollnäs")
    page.get_by_label("Telefon (växel)").fill("0278-123 45")
    page.locator("#id_email").fill("info@nyavagar.example")
    page.get_by_label("Bankgiro").fill("5050-1055")
    page.get_by_label("Firmatecknare").fill("Nora Nykomling")
    page.get_by_role("button", name="Registrera organisationen").click()
    assert page.locator("h1").inner_text() == "Föreningen Nya Vägar"

    # Apply to the open multi-year track; first sitting: the project section, autosaved.
    page.get_by_role("button", name=re.compile("Ansök: Ideella")).click()
    assert page.locator("h1").inner_text() == "Projekt"
    page.get_by_label("Projektets namn").fill("Nya vägar i Bollnäs")
    page.get_by_label("Sammanfattning").fill("Mötesplatser för unga och äldre.")
    page.get_by_label("Vad bidraget ska användas till, och en övergripande plan").fill("Planen.")
    page.get_by_label("Målgrupper").fill("Unga i Bollnäs.")
    page.get_by_label("Sök en kommun eller ett län").fill("Bollnäs")
    page.get_by_role("checkbox", name="Bollnäs", exact=True).check()
    page.get_by_label("Startdatum").fill(f"{year}-02-01")
    page.get_by_label("Slutdatum").fill(f"{year + 1}-11-30")
    page.get_by_label("Slutdatum").blur()  # a text box: leaving it (or typing) autosaves
    page.locator("#save-status").get_by_text("Sparades automatiskt").wait_for()
    application = Application.objects.get(organisation__name="Föreningen Nya Vägar")
    for _ in range(50):  # the last change is saved in the background a moment later
        application.refresh_from_db()
        if application.end_date is not None:
            break
        page.wait_for_timeout(200)

    # Second sitting: reload, and everything is kept.
    page.reload()
    assert page.get_by_label("Projektets namn").input_value() == "Nya vägar i Bollnäs"
    assert page.get_by_label("Slutdatum").input_value() == f"{year + 1}-11-30"
    _save_and_next(page)
    assert page.locator("h1").inner_text() == "Samverkansparter"
    _save_and_next(page)

    page.get_by_label("Hur parterna samverkar").fill("Med kommunen och skolan.")
    page.get_by_label("Hur arbetet minskar segregationen på lång sikt").fill("Mötesplatser består.")
    page.get_by_label("Hur arbetet ska följas upp").fill("Enkäter.")
    _save_and_next(page)

    assert page.locator("h1").inner_text() == "Budget"
    page.locator("#id_form-0-category").select_option("staff")
    page.locator("#id_form-0-year").select_option(str(year))
    page.locator("#id_form-0-amount").fill("300000")
    page.locator("#id_form-1-category").select_option("premises")
    page.locator("#id_form-1-year").select_option(str(year + 1))
    page.locator("#id_form-1-amount").fill("150000")
    _save_and_next(page)

    assert page.locator("h1").inner_text() == "Intyganden"
    for key in (
        "legal_form_eligible",
        "non_profit_in_sweden",
        "active_two_years",
        "respects_democracy",
        "local_roots",
    ):
        page.locator(f"#id_{key}_0").check()
    for key in ("tax_debts", "in_liquidation", "state_aid"):
        page.locator(f"#id_{key}_1").check()
    follow_up = page.get_by_label("Beskriv den lokala förankringen")
    assert follow_up.is_visible()  # the yes opened it
    follow_up.fill("Verksamma i Bollnäs sedan 1990.")
    assert not page.get_by_label("Beskriv situationen").is_visible()
    _save_and_next(page)

    assert page.locator("h1").inner_text() == "Annan finansiering"
    page.locator("#id_other_state_grants_1").check()
    _save_and_next(page)

    # Attach the statutes.
    assert page.locator("h1").inner_text() == "Bilagor"
    page.get_by_label("Typ av bilaga").select_option("statutes")
    page.get_by_label("Fil").set_input_files(
        {"name": "stadgar.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}
    )
    page.get_by_role("button", name="Bifoga filen").click()
    assert page.get_by_role("link", name="stadgar.pdf").is_visible()

    # Check, submit, and see the case number.
    page.get_by_role("navigation", name="Ansökans avsnitt").get_by_role(
        "link", name="Granska och skicka in"
    ).click()
    assert page.get_by_text("Ansökan är komplett").is_visible()
    assert page.get_by_text("450\u00a0000\u00a0kr").first.is_visible()
    page.get_by_role("button", name="Skicka in ansökan").click()
    application.refresh_from_db()
    assert application.case_number == f"DELMOS {round_.year}/1"
    assert page.locator(".case-number").inner_text() == application.case_number
    assert any(application.case_number in m.subject for m in mail.outbox)


def test_keyboard_only_fills_and_saves_one_section(page, live_server, login):
    from django.utils import timezone

    now = timezone.now()
    user = factories.make_user(email="tangent@example.org")
    organisation = factories.make_organisation(members=[user])
    round_ = factories.make_round(
        year=now.year,
        opens_at=now - timezone.timedelta(days=1),
        closes_at=now + timezone.timedelta(days=30),
    )
    track = factories.make_track(round_=round_)
    application = factories.make_application(track=track, organisation=organisation)
    login(page, "tangent@example.org", "correct horse battery")
    page.goto(f"{live_server.url}/portal/ansokningar/{application.pk}/effect/")
    # Tab from the top of the page to the first field, then type and tab through the section.
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "id_collaboration":
            break
    assert page.evaluate("document.activeElement.id") == "id_collaboration"
    page.keyboard.type("Tillsammans med skolan.")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_long_term_effect"
    page.keyboard.type("Varaktiga mötesplatser.")
    page.keyboard.press("Tab")
    page.keyboard.type("Enkäter varje termin.")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").strip() == "Spara"
    page.wait_for_timeout(150)  # leaving the field autosaved it; let that finish (see above)
    expect(page.locator(".htmx-request")).to_have_count(0)  # no eval under the CSP
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    page.get_by_text("Sparat.").wait_for()
    application.refresh_from_db()
    assert application.collaboration == "Tillsammans med skolan."
    assert application.follow_up == "Enkäter varje termin."
