import pytest
from django.utils import timezone
from playwright.sync_api import expect

from grants.models import Publication, Round
from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_published_lists_and_a_version_page_have_no_axe_violations(page, live_server, demo):
    for path in (
        "/utlysningar/2020/listor/",
        "/utlysningar/2020/listor/alla/v2/",
        "/en/utlysningar/2020/listor/kommuner-och-regioner/v2/",
    ):
        page.goto(live_server.url + path)
        assert page.locator("h1").count() == 1
        assert axe_violations(page) == [], path
    page.goto(live_server.url + "/utlysningar/2020/listor/kommuner-och-regioner/v2/")
    changes = page.locator("ul.publication-changes").inner_text()
    assert "Tillkommit: Krokoms kommun" in changes
    assert "Landskrona kommun" in changes
    response = page.request.get(live_server.url + "/utlysningar/2020/listor/alla/v2/sv.pdf")
    assert response.ok and response.body().startswith(b"%PDF")


def test_decision_maker_follows_a_job_without_reloading(page, live_server, demo, login):
    from grants.demo import DEMO_PASSWORD

    round_ = Round.objects.get(slug="2020")
    done = Publication.objects.filter(round=round_, track__isnull=True).get(version=2)
    pending = Publication.objects.create(
        round=round_,
        track=None,
        version=3,
        as_of=done.as_of,
        rows=done.rows,
        row_count=done.row_count,
        total_amount=done.total_amount,
        published_at=timezone.now(),
    )
    login(page, "beslutsfattare@demo.delmos.example", DEMO_PASSWORD)
    page.goto(live_server.url + "/handlaggning/publiceringar/")
    assert page.locator("h1").inner_text() == "Publicera listor över beviljade bidrag"
    assert axe_violations(page) == []
    status = page.locator(f"#publication-{pending.pk}")
    assert "I kö" in status.inner_text()
    # The worker's part, done here: the page follows it by polling, without a reload.
    Publication.objects.filter(pk=pending.pk).update(
        status="done", pdf=done.pdf.name, pdf_en=done.pdf_en.name
    )
    # A locator wait, not wait_for_function: the page's CSP forbids evaluating strings.
    expect(status).to_contain_text("Visa listan")
    Publication.objects.filter(pk=done.pk).update(status="failed", error="Disken är full")
    page.reload()
    failed = page.locator(f"#publication-{done.pk}")
    assert "Disken är full" in failed.inner_text()
    failed.get_by_role("button").click()
    page.wait_for_load_state()
    assert "Publiceringen står i kö igen." in page.locator(".messages").inner_text()
