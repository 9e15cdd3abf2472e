"""An officer follows a batch of letters on E-mails and documents: done of all with an estimate,
in a polite live region that htmx updates without a reload, and the page passes axe."""

import pytest
from playwright.sync_api import expect

from grants.models import LetterBatch
from tests import factories
from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_an_officer_follows_a_batch_of_letters(page, live_server, login):
    officer = factories.make_officer(email="kim@example.org")
    batch = LetterBatch.objects.create(
        round=factories.make_round(year=2030), total=3, done=1, estimate_seconds=60
    )
    login(page, officer.email, "correct horse battery")
    page.goto(f"{live_server.url}/handlaggning/utskick/")
    region = page.locator('[aria-live="polite"]').filter(
        has=page.locator(f"#letter-batch-{batch.pk}")
    )
    expect(region).to_contain_text("1 av 3 brev klara, cirka")
    assert axe_violations(page) == []
    # The worker's part, done here: the page follows it by polling, without a reload.
    LetterBatch.objects.filter(pk=batch.pk).update(done=3)
    expect(region).to_contain_text("Alla 3 brev är klara.")
    assert region.get_attribute("aria-atomic") == "true"
