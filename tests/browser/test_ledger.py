"""The 700 000 kr scenario in a browser: the first instalment (350 000 kr) paid, the final report
says 300 000 kr used; approving it claims back 50 000 kr and cancels the second instalment. A
claim beyond what was paid is refused next to its field, naming the limit."""

import pytest
from playwright.sync_api import expect

from grants.models import RecoveryClaim
from grants.services.payments import payment_mark_paid
from grants.services.portal import report_submit
from grants.services.reports import report_review
from tests import factories
from tests.browser.conftest import axe_violations
from tests.grants.ledger.helpers import award, ledger_track, start_project

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "correct horse battery"


def test_approving_the_final_report_claims_paid_minus_used(page, live_server, login):
    officer = factories.make_officer(email="kim@example.org", full_name="Kim Handläggare")
    decider = factories.make_decision_maker(email="dana@example.org")
    applicant = factories.make_user(email="sam@example.org")
    organisation = factories.make_organisation(members=[applicant])
    grant = award(
        track=ledger_track(multi_year=False),
        organisation=organisation,
        decision_maker=decider,
        amount=700_000,
    )
    start_project(grant)
    payment_mark_paid(payment=grant.payments.get(number=1), user=officer)
    progress = report_submit(
        grant=grant, kind="progress", user=applicant, results="Halvvägs", money_used=200_000
    )
    report_review(report=progress, user=officer, approve=True)
    report_submit(grant=grant, kind="final", user=applicant, results="Klart", money_used=300_000)

    login(page, officer.email, PASSWORD)
    page.goto(f"{live_server.url}/handlaggning/bidrag/{grant.pk}/")
    final = page.locator("section.report").filter(has_text="Slutrapport")
    final.get_by_label("Godkänn").check()
    final.get_by_role("button", name="Spara granskningen").click()
    expect(page.locator(".messages")).to_contain_text("Granskningen är sparad.")

    expect(page.locator("[data-claim-amount]")).to_have_text("50\xa0000\xa0kr")
    expect(page.locator('tr[data-payment="2"]')).to_have_attribute("data-status", "cancelled")
    expect(page.locator('[data-ledger="paid"]')).to_have_text("350\xa0000\xa0kr")
    expect(page.locator('[data-ledger="cancelled"]')).to_have_text("350\xa0000\xa0kr")
    expect(page.locator('[data-ledger="claimed"]')).to_have_text("50\xa0000\xa0kr")
    assert RecoveryClaim.objects.get().amount == 50_000

    # A further claim beyond what was paid and not claimed (300 000 kr) is refused at its field.
    page.get_by_label("Grund").select_option("misuse")
    page.locator("#claim_amount").fill("300001")
    page.locator("#claim_reason").fill("Pengarna användes till annat.")
    page.get_by_role("button", name="Besluta återkravet").click()
    expect(page.locator("#claim_amount_error")).to_contain_text("300\xa0000")
    expect(page.locator("#claim_reason")).to_have_value("Pengarna användes till annat.")
    assert RecoveryClaim.objects.count() == 1
    assert axe_violations(page) == []
