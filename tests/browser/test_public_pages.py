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


SHOWCASE = "Regional samverkansmodell för att minska och motverka segregation i Gävleborg"


def _public_paths():
    from grants.models import Grant

    grant = Grant.objects.get(application__organisation__name="Hälsinglands utbildningsförbund")
    return [
        "/",
        "/beviljade-bidrag/",
        "/beviljade-bidrag/?county=21&sort=-amount",
        "/beviljade-bidrag/?q=finnsinte",
        f"/beviljade-bidrag/{grant.pk}/",
        f"/organisationer/{grant.application.organisation.org_number}/",
        "/lan/",
        "/lan/21/",
        "/kommuner/2183/",
        "/utlysningar/",
        "/utlysningar/2020/",
        "/oppna-data/",
        "/tillganglighet/",
    ]


@pytest.mark.parametrize("language", ["", "/en"])
def test_every_public_page_has_no_axe_violations(page, live_server, demo, language):
    found = {}
    for path in _public_paths():
        page.goto(live_server.url + language + path)
        assert page.locator("h1").count() == 1, path
        assert page.locator("footer a", has_text=re.compile("Tillgänglighet|Accessibility")).count()
        violations = axe_violations(page)
        if violations:
            found[path] = violations
    assert found == {}


def _tab_to(page, predicate_js, limit=80):
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(predicate_js):
            return
    raise AssertionError(f"never reached: {predicate_js}")


def test_keyboard_user_filters_by_county_and_opens_a_grant(page, live_server, demo):
    page.goto(live_server.url + "/beviljade-bidrag/")
    _tab_to(page, "document.activeElement.id === 'id_county'")
    for _ in range(25):
        if page.evaluate("document.activeElement.value") == "21":
            break
        page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.value") == "21"
    _tab_to(page, "document.activeElement.textContent.trim() === 'Visa bidrag'")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"county=21"))
    # Not the unfiltered 71 (the 2020 round's 70 and the open round's multi-year grant).
    expect(page.locator("body")).not_to_contain_text("71 bidrag")  # no eval under the CSP
    assert "Gävleborgs län (" in page.locator("#id_county option:checked").inner_text()
    _tab_to(page, f"document.activeElement.textContent.trim() === {SHOWCASE!r}", limit=200)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/beviljade-bidrag/\d+/$"))
    assert page.locator("h1").inner_text() == SHOWCASE


def test_the_county_maps_table_is_reachable_from_the_keyboard(page, live_server, demo):
    page.goto(live_server.url + "/lan/")
    _tab_to(page, "document.activeElement.textContent.trim() === 'Kartans siffror som tabell'")
    page.keyboard.press("Enter")
    table = page.locator("#map-table")
    expect(table).to_be_focused()
    assert table.is_visible()
    assert table.locator("tbody tr").count() == 21
    assert "Gävleborgs län" in table.inner_text()
