"""Issue 14, item 1, in a browser: the municipality choice follows the chosen county and is used
by keyboard alone; the new result's count is announced; axe finds nothing on the way."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def _empty_page_cache():
    from django.core.cache import cache

    from grants.views.public import local_pages

    cache.clear()
    local_pages.clear()


def _tab_to(page, element_id: str, limit=80):
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == element_id:
            return
    raise AssertionError(f"never reached #{element_id}")


def _arrow_to(page, value: str, limit=300):
    for _ in range(limit):
        if page.evaluate("document.activeElement.value") == value:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"never reached the value {value}")


def test_keyboard_user_narrows_municipalities_by_county_and_hears_the_count(
    page, live_server, demo
):
    page.goto(live_server.url + "/beviljade-bidrag/")
    municipality = page.get_by_label("Kommun där projektet verkar")
    # Every county's municipalities, in groups named by county, until a county is chosen.
    expect(municipality.locator("optgroup")).to_have_count(21)
    assert axe_violations(page) == []

    _tab_to(page, "id_county")
    _arrow_to(page, "21")  # Gävleborgs län, chosen with the arrow keys
    expect(municipality.locator("optgroup")).to_have_count(1)
    expect(municipality.locator("optgroup")).to_have_attribute("label", "Gävleborgs län")
    expect(municipality.locator("option")).to_have_count(1 + 10)

    _tab_to(page, "id_municipality")
    _arrow_to(page, "2183")  # Bollnäs
    assert municipality.input_value() == "2183"

    # Another county, then back: the chosen municipality's group stays while it is chosen.
    page.locator("#id_county").focus()
    page.keyboard.press("ArrowDown")
    expect(municipality.locator("optgroup")).to_have_count(2)
    page.keyboard.press("ArrowUp")
    expect(municipality.locator("optgroup")).to_have_count(1)

    announcement = page.locator("#results-announcement")
    expect(announcement).to_have_attribute("role", "status")
    expect(announcement).to_have_text("")
    page.get_by_role("button", name="Visa bidrag").press("Enter")
    page.wait_for_url(re.compile(r"county=21.*municipality=2183"))
    expect(announcement).to_have_text(re.compile(r"^\d+ bidrag?, totalt "))
    expect(page.locator(".summary")).to_have_text(announcement.inner_text())
    # After htmx's swap of the filters the municipality list still follows the county.
    expect(municipality.locator("optgroup")).to_have_count(1)
    assert municipality.input_value() == "2183"
    assert axe_violations(page) == []

    # Without a county every group comes back.
    page.locator("#id_county").select_option("")
    expect(municipality.locator("optgroup")).to_have_count(21)
