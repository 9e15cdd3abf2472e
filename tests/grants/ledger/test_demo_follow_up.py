"""The demonstration follow-up: the 2020 grants paid in two instalments with both reports, a few
invented claims (marked demonstration data) that add up."""

import pytest

from grants.models import Grant, RecoveryClaim, Report, Round
from grants.services.ledger import grant_ledger, ledger_problems, round_totals

pytestmark = pytest.mark.django_db


def test_2020_follow_up_adds_up_and_its_claims_are_demonstration_data(demo):
    round_ = Round.objects.get(year=2020)
    grants = list(Grant.objects.filter(round=round_).select_related("application__round"))
    claims = RecoveryClaim.objects.filter(grant__round=round_)
    assert 3 <= claims.count() <= 5
    assert all(c.is_demo and "Demonstrationsdata" in c.reason for c in claims)
    assert {c.status for c in claims} == {"open", "settled"}
    assert claims.filter(entries__kind="written_off").exists()
    total = None
    for grant in grants:
        ledger = grant_ledger(grant)
        assert ledger_problems(ledger) == []
        t = ledger.totals
        assert t.paid == t.granted and t.to_pay == 0
        assert t.paid - t.used == t.claimed  # every settled grant: paid − used = claimed
        assert grant.reports.filter(review_status=Report.Review.APPROVED).count() == 2
        if grant.status == "recovered":
            assert t.open == 0
        total = t if total is None else total + t
    assert round_totals([round_.pk])[round_.pk] == total
