"""The application form as a person uses it, by labels and roles only: a keyboard-only user fills
in the project section with its municipalities; a budget of three lines over two years shows its
totals before saving; each missing item on the review page leads to its field; the task list
keeps its boxes apart at every width; axe passes on the pages in the states people bring them to."""

import re

import pytest
from playwright.sync_api import expect

from grants.models import Application
from tests.browser.conftest import axe_violations
from tests.browser.form_world import EMAIL, PASSWORD, make_form_world, section_url

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

NBSP = "\u00a0"


def _sek(amount: str) -> str:
    return amount.replace(" ", NBSP) + NBSP + "kr"


def _is_focused(locator) -> bool:
    return locator.evaluate("el => el === document.activeElement")


def _tab_to(page, locator, *, backwards=False, limit=80):
    """Press Tab (or Shift+Tab) until the element has focus, as a keyboard user would."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit):
        if _is_focused(locator):
            return
        page.keyboard.press(key)
    raise AssertionError(f"{locator} never got the focus by {key}")


def _settle(page):
    """Let the autosaves finish before pressing Save: typing autosaves 1.5 s after the last key.
    (PostgreSQL queues concurrent saves on the row lock; SQLite in memory refuses them.)"""
    page.wait_for_timeout(1700)
    expect(page.locator(".htmx-request")).to_have_count(0)  # no eval under the CSP


def test_a_keyboard_only_user_completes_the_project_section(page, live_server, login):
    draft = make_form_world()
    year = draft.round.grant_period_start.year
    login(page, EMAIL, PASSWORD)
    page.goto(section_url(live_server.url, draft, "project"))
    page.locator("body").focus()

    for label, text in (
        ("Projektets namn", "Mötesplatser i Hälsingland"),
        ("Sammanfattning", "Läxhjälp och föreningsliv för unga."),
        ("Vad bidraget ska användas till, och en övergripande plan", "Plan i tre steg."),
        ("Målgrupper", "Unga 13–19 år."),
    ):
        _tab_to(page, page.get_by_label(label, exact=True))
        page.keyboard.type(text)
    expect(page.get_by_text("Du har 174 tecken kvar")).to_be_visible()  # 200 − 26 typed

    # Municipalities: type in the filter, Enter goes to the first match, Space ticks it.
    area_filter = page.get_by_label("Sök en kommun eller ett län")
    for name in ("Bollnäs", "Söderhamn", "Hudiksvall"):
        _tab_to(page, area_filter, backwards=name != "Bollnäs")
        page.keyboard.press("Control+A")
        page.keyboard.type(name)
        expect(page.get_by_role("status").filter(has_text="1 kommun matchar")).to_have_count(1)
        page.keyboard.press("Enter")
        assert _is_focused(page.get_by_role("checkbox", name=name, exact=True))
        page.keyboard.press("Space")
        expect(page.get_by_role("button", name=f"Ta bort {name}")).to_be_visible()
    # A county matches too: every municipality in it is shown.
    _tab_to(page, area_filter, backwards=True)
    page.keyboard.press("Control+A")
    page.keyboard.type("Gotland")
    expect(page.get_by_role("checkbox", name="Gotland", exact=True)).to_be_visible()
    expect(page.get_by_role("checkbox", name="Bollnäs", exact=True)).to_be_hidden()
    page.keyboard.press("Escape")
    expect(page.get_by_role("checkbox", name="Bollnäs", exact=True)).to_be_visible()

    # Remove one again with its button; the focus stays among the chosen.
    _tab_to(page, page.get_by_role("button", name="Ta bort Söderhamn"), backwards=True)
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Ta bort Söderhamn")).to_have_count(0)
    expect(page.get_by_role("checkbox", name="Söderhamn", exact=True)).not_to_be_checked()
    assert (
        page.evaluate("document.activeElement.textContent")
        .strip()
        .startswith(("Bollnäs", "Hudiksvall"))
    )

    _tab_to(page, page.get_by_label("Startdatum"))
    page.keyboard.type(f"1 februari {year}")
    _tab_to(page, page.get_by_label("Slutdatum"))
    page.keyboard.type(f"{year + 1}-11-30")
    _tab_to(page, page.get_by_role("button", name="Spara", exact=True))
    _settle(page)
    page.keyboard.press("Enter")

    expect(page.get_by_text("Sparat.")).to_be_visible()
    nav = page.get_by_role("navigation", name="Ansökans avsnitt")
    expect(nav.get_by_role("link", name="Projekt", exact=True)).to_have_accessible_description(
        "Klart"
    )
    expect(page.get_by_label("Startdatum")).to_have_value(f"{year}-02-01")
    expect(page.get_by_role("checkbox", name="Bollnäs", exact=True)).to_be_checked()
    expect(page.get_by_role("button", name="Ta bort Hudiksvall")).to_be_visible()
    application = Application.objects.get(pk=draft.pk)
    assert sorted(application.areas.values_list("name", flat=True)) == ["Bollnäs", "Hudiksvall"]
    assert application.project_title == "Mötesplatser i Hälsingland"


def test_a_budget_of_three_lines_over_two_years_shows_its_totals_before_saving(
    page, live_server, login
):
    draft = make_form_world()
    year = draft.round.grant_period_start.year
    login(page, EMAIL, PASSWORD)
    page.goto(section_url(live_server.url, draft, "budget"))
    total = page.get_by_role("row", name=re.compile("^Sökt belopp"))
    first_year = page.get_by_role("row", name=re.compile(f"^Summa {year}"))
    second_year = page.get_by_role("row", name=re.compile(f"^Summa {year + 1}"))

    lines = [
        ("Personal", year, "Projektledare", "300 000"),
        ("Lokaler", year + 1, "Hyra", "150.000"),
        ("Resor", year, "Studieresa", "25 500 kr"),
    ]
    for number, (category, line_year, description, amount) in enumerate(lines, start=1):
        page.get_by_label(f"Kostnadsslag, rad {number}").select_option(label=category)
        page.get_by_label(f"År, rad {number}").select_option(str(line_year))
        page.get_by_label(f"Beskrivning, rad {number}").fill(description)
        page.get_by_label(f"Belopp (kr), rad {number}").fill(amount)
    expect(first_year).to_contain_text(_sek("325 500"))
    expect(second_year).to_contain_text(_sek("150 000"))
    expect(total).to_contain_text(_sek("475 500"))

    # A fourth line added in place, then removed again; the totals follow.
    page.get_by_role("button", name="Lägg till en budgetrad").click()
    expect(page.get_by_label("Kostnadsslag, rad 4")).to_be_focused()
    page.get_by_label("Kostnadsslag, rad 4").select_option(label="Övriga kostnader")
    page.get_by_label("Belopp (kr), rad 4").fill("1 600 000")
    expect(total).to_contain_text(_sek("2 075 500"))
    expect(page.get_by_text("mer än det högsta belopp")).to_contain_text(_sek("2 000 000"))
    page.get_by_role("button", name="Ta bort rad 4").click()
    expect(page.get_by_label("Kostnadsslag, rad 4")).to_have_count(0)
    expect(total).to_contain_text(_sek("475 500"))
    expect(page.get_by_text("mer än det högsta belopp")).to_be_hidden()
    # Removing the second line renumbers the rest.
    page.get_by_role("button", name="Ta bort rad 2").click()
    expect(page.get_by_label("Beskrivning, rad 2")).to_have_value("Studieresa")
    expect(second_year).to_contain_text(_sek("0"))
    expect(total).to_contain_text(_sek("325 500"))
    page.get_by_role("button", name="Lägg till en budgetrad").click()
    page.get_by_label("Kostnadsslag, rad 3").select_option(label="Lokaler")
    page.get_by_label("År, rad 3").select_option(str(year + 1))
    page.get_by_label("Belopp (kr), rad 3").fill("150000")
    expect(total).to_contain_text(_sek("475 500"))

    _settle(page)
    page.get_by_role("button", name="Spara", exact=True).click()
    expect(page.get_by_text("Sparat.")).to_be_visible()
    expect(total).to_contain_text(_sek("475 500"))
    expect(second_year).to_contain_text(_sek("150 000"))
    expect(page.get_by_label("Belopp (kr), rad 1")).to_have_value("300 000")
    application = Application.objects.get(pk=draft.pk)
    assert application.requested_amount == 475_500
    assert application.requested_per_year == {str(year): 325_500, str(year + 1): 150_000}


def test_each_missing_item_on_the_review_page_leads_to_its_field(page, live_server, login):
    draft = make_form_world()
    login(page, EMAIL, PASSWORD)
    review = f"{live_server.url}/portal/ansokningar/{draft.pk}/granska/"
    page.goto(review)
    problems = page.get_by_role("alert").filter(has_text="saknas innan ni kan skicka in")
    count = problems.get_by_role("link").count()
    assert count >= 15
    for index in range(count):
        page.goto(review)
        link = problems.get_by_role("link").nth(index)
        text = link.inner_text()
        link.click()
        page.wait_for_load_state()
        anchor = page.evaluate("decodeURIComponent(location.hash.slice(1))")
        focused = page.evaluate(
            """(anchor) => {
                const el = document.activeElement;
                const target = document.getElementById(anchor);
                return {
                    tag: el.tagName,
                    inTarget: !!target && (el === target || target.contains(el)),
                    visible: !!(el.offsetWidth || el.offsetHeight),
                };
            }""",
            anchor,
        )
        assert focused["tag"] in ("INPUT", "SELECT", "TEXTAREA"), (text, focused)
        assert focused["inTarget"] and focused["visible"], (text, anchor, focused)


def test_the_error_summary_links_each_field_and_takes_the_focus(page, live_server, login):
    draft = make_form_world()
    login(page, EMAIL, PASSWORD)
    page.goto(section_url(live_server.url, draft, "funding"))
    page.get_by_role("radio", name="Ja").check()
    page.get_by_label("Belopp (kr)").fill("tolv tusen")
    page.get_by_label("Väntat beslutsdatum").fill("31 februari 2027")
    page.get_by_role("button", name="Spara", exact=True).click()
    summary = page.get_by_role("alert").filter(has_text="Det finns fel att rätta")
    expect(summary).to_be_focused()
    summary.get_by_role("link", name=re.compile("^Väntat beslutsdatum")).click()
    expect(page.get_by_label("Väntat beslutsdatum")).to_be_focused()
    summary.get_by_role("link", name=re.compile("^Belopp")).click()
    expect(page.get_by_label("Belopp (kr)")).to_be_focused()
    expect(page.get_by_label("Belopp (kr)")).to_have_accessible_description(
        re.compile("Skriv beloppet i hela kr")
    )
    nav = page.get_by_role("navigation", name="Ansökans avsnitt")
    expect(nav.get_by_role("link", name="Annan finansiering")).to_have_accessible_description(
        re.compile("^Har fel")
    )
    assert axe_violations(page) == []


def _overlap(a, b) -> bool:
    return (
        a["x"] < b["x"] + b["width"] - 0.5
        and b["x"] < a["x"] + a["width"] - 0.5
        and a["y"] < b["y"] + b["height"] - 0.5
        and b["y"] < a["y"] + a["height"] - 0.5
    )


def test_the_task_list_has_no_overlapping_boxes_at_320_768_and_1280_px(page, live_server, login):
    draft = make_form_world()
    login(page, EMAIL, PASSWORD)
    for width in (320, 768, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(section_url(live_server.url, draft, "budget"))
        nav = page.get_by_role("navigation", name="Ansökans avsnitt")
        items = nav.get_by_role("listitem")
        assert items.count() == 8
        boxes = []
        for index in range(items.count()):
            item = items.nth(index)
            parts = [item.get_by_role("link").bounding_box()]
            if item.locator("strong").count():
                parts.append(item.locator("strong").bounding_box())
            boxes.append((item.bounding_box(), parts))
        for index, (box, parts) in enumerate(boxes):
            assert box["x"] >= 0 and box["x"] + box["width"] <= width, (width, index, box)
            if len(parts) == 2:  # the section's name and its state
                assert not _overlap(parts[0], parts[1]), (width, index, parts)
            for part in parts:  # each inside its own line of the list
                assert part["y"] >= box["y"] - 0.5, (width, index)
                assert part["y"] + part["height"] <= box["y"] + box["height"] + 0.5, (width, index)
            for other, _parts in boxes[index + 1 :]:
                assert not _overlap(box, other), (width, index, box, other)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, width


def test_axe_passes_on_the_form_in_use(page, live_server, login):
    draft = make_form_world()
    login(page, EMAIL, PASSWORD)
    page.goto(section_url(live_server.url, draft, "project"))
    page.get_by_label("Sök en kommun eller ett län").fill("Bo")
    page.get_by_role("checkbox", name="Bollnäs", exact=True).check()
    expect(page.get_by_role("button", name="Ta bort Bollnäs")).to_be_visible()
    assert axe_violations(page) == []
    page.goto(section_url(live_server.url, draft, "budget"))
    page.get_by_role("button", name="Lägg till en budgetrad").click()
    page.get_by_label("Belopp (kr), rad 1").fill("12")
    page.get_by_role("button", name="Spara", exact=True).click()
    expect(page.get_by_role("alert").filter(has_text="Det finns fel att rätta")).to_be_visible()
    assert axe_violations(page) == []
