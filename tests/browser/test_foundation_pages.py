import pytest

from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.mark.parametrize("path", ["/", "/en/", "/konto/logga-in/", "/en/konto/logga-in/"])
def test_foundation_pages_have_no_axe_violations(page, live_server, demo, path):
    page.goto(live_server.url + path)
    assert page.locator("h1").count() == 1
    assert axe_violations(page) == []


def test_keyboard_user_reaches_content_through_the_skip_link(page, live_server, demo):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert "Hoppa till innehållet" in focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_officer_logs_in_and_lands_in_the_workspace(page, live_server, demo, login):
    from grants.demo import DEMO_PASSWORD

    login(page, "handlaggare@demo.delmos.example", DEMO_PASSWORD)
    assert page.url.endswith("/handlaggning/")
    assert page.locator("h1").inner_text() == "Handläggning"
