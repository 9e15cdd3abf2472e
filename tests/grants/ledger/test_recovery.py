"""Recovery by the rules: paid − used, never more than paid; unpaid instalments cancelled."""

import csv
import io

import pytest
from django.contrib import admin as django_admin

from grants.models import ClaimEntry, Event, Payment, RecoveryClaim, Report
from grants.services import ServiceError
from grants.services.ledger import grant_ledger, ledger_problems, round_totals, track_totals
from grants.services.payments import payment_mark_paid
from grants.services.portal import report_submit
from grants.services.reports import (
    claim_entry_record,
    claim_proposal,
    recovery_claim_decide,
    recovery_claim_settle,
    report_review,
)

from .helpers import award, ledger_track, start_project, year_begins

pytestmark = pytest.mark.django_db


@pytest.fixture
def grant_700k(organisation, decision_maker):
    track = ledger_track(multi_year=False)
    grant = award(
        track=track, organisation=organisation, decision_maker=decision_maker, amount=700_000
    )
    return start_project(grant)  # the first instalment is released when the period starts


def test_the_700_000_kr_scenario_claims_50_000_and_cancels_the_second_instalment(
    grant_700k, applicant, case_officer
):
    grant = grant_700k
    first, second = grant.payments.order_by("number")
    assert (first.amount, first.status, second.amount, second.status) == (
        350_000,
        "released",
        350_000,
        "planned",
    )
    payment_mark_paid(payment=first, user=case_officer)
    progress = report_submit(
        grant=grant, kind="progress", user=applicant, results="Halvvägs", money_used=200_000
    )
    # The final report waits for the progress report's approval.
    final = report_submit(
        grant=grant, kind="final", user=applicant, results="Klart", money_used=300_000
    )
    with pytest.raises(ServiceError, match="2031"):  # the progress report for 2031 first
        report_review(report=final, user=case_officer, approve=True)
    report_review(report=progress, user=case_officer, approve=False, notes="Komplettera")
    # Still waiting: a returned progress report does not release the second instalment.
    second.refresh_from_db()
    assert second.status == "planned"
    progress = report_submit(
        grant=grant, kind="progress", user=applicant, results="Halvvägs", money_used=200_000
    )
    report_review(report=progress, user=case_officer, approve=True)
    year_begins(grant)  # the test's grant period lies ahead: released once its year has begun
    second.refresh_from_db()
    assert second.status == "released"
    report_review(report=final, user=case_officer, approve=True)

    claim = RecoveryClaim.objects.get(grant=grant)
    assert claim.amount == 50_000  # paid 350 000 − used 300 000, not 700 000 − 300 000
    assert (claim.paid_basis, claim.used_basis, claim.grounds) == (350_000, 300_000, "unused")
    second.refresh_from_db()
    assert second.status == "cancelled" and second.cancelled_at is not None
    grant.refresh_from_db()
    assert grant.status == "reported"
    ledger = grant_ledger(grant)
    t = ledger.totals
    assert (t.granted, t.paid, t.cancelled, t.used, t.claimed, t.open) == (
        700_000,
        350_000,
        350_000,
        300_000,
        50_000,
        50_000,
    )
    assert not ledger_problems(ledger)
    assert Event.objects.filter(
        grant=grant, action="payment.cancelled", actor=case_officer
    ).exists()
    # Partial repayment, then the rest written off with a reason: settled and recovered.
    claim_entry_record(claim=claim, user=case_officer, kind="repaid", amount=30_000)
    with pytest.raises(ServiceError, match="20\xa0000"):
        claim_entry_record(claim=claim, user=case_officer, kind="repaid", amount=20_001)
    with pytest.raises(ServiceError) as refused:
        claim_entry_record(claim=claim, user=case_officer, kind="written_off", amount=20_000)
    assert refused.value.field == "reason"
    claim_entry_record(
        claim=claim, user=case_officer, kind="written_off", amount=20_000, reason="Särskilda skäl"
    )
    claim.refresh_from_db()
    grant.refresh_from_db()
    assert claim.settled_at is not None and grant.status == "recovered"
    t = grant_ledger(grant).totals
    assert (t.repaid, t.written_off, t.open) == (30_000, 20_000, 0)
    assert track_totals(grant.round)[grant.track_id] == t
    assert round_totals([grant.round_id])[grant.round_id] == t


def test_more_used_than_paid_pays_the_difference_never_beyond_granted(
    grant_700k, applicant, case_officer
):
    grant = grant_700k
    first = grant.payments.get(number=1)
    payment_mark_paid(payment=first, user=case_officer)
    progress = report_submit(
        grant=grant, kind="progress", user=applicant, results="x", money_used=300_000
    )
    report_review(report=progress, user=case_officer, approve=True)
    year_begins(grant)
    final = report_submit(
        grant=grant, kind="final", user=applicant, results="x", money_used=900_000
    )
    report_review(report=final, user=case_officer, approve=True)
    year_begins(grant)  # what is still to be paid is released on its grant year's day
    assert not RecoveryClaim.objects.exists()
    live = grant.payments.exclude(status="cancelled")
    assert sum(p.amount for p in live) == 700_000  # the 350 000 paid + 350 000 released
    t = grant_ledger(grant).totals
    assert (t.paid, t.released, t.cancelled) == (350_000, 350_000, 350_000)
    grant.refresh_from_db()
    assert grant.status == "closed"


def test_a_claim_for_misuse_is_refused_beyond_what_was_paid_naming_the_limit(
    grant_700k, case_officer
):
    grant = grant_700k
    payment_mark_paid(payment=grant.payments.get(number=1), user=case_officer)
    with pytest.raises(ServiceError) as refused:
        recovery_claim_decide(
            grant=grant, user=case_officer, grounds="misuse", amount=350_001, reason="Fel ändamål"
        )
    assert refused.value.field == "amount" and "350\xa0000" in refused.value.message
    claim = recovery_claim_decide(
        grant=grant, user=case_officer, grounds="misuse", amount=100_000, reason="Fel ändamål"
    )
    assert claim.grounds == "misuse" and claim.reason == "Fel ändamål"
    assert grant.payments.get(number=2).status == "cancelled"
    recovery_claim_settle(claim=claim, user=case_officer)
    assert ClaimEntry.objects.get(claim=claim).amount == 100_000


def test_a_missing_final_report_gets_a_proposal_not_a_claim(grant_700k, case_officer):
    grant = grant_700k
    payment_mark_paid(payment=grant.payments.get(number=1), user=case_officer)
    Report.objects.filter(grant=grant, kind="final").update(due_date="2001-01-01")
    proposal = claim_proposal(grant)
    assert proposal["amount"] == 350_000 and proposal["grounds"] == "missing_report"
    assert not RecoveryClaim.objects.exists()  # the officer decides


def test_two_officers_settling_one_grant_give_one_claim(grant_700k, case_officer):
    """The second approval of the same final report is refused: the row is locked and read
    again, so one claim results."""
    grant = grant_700k
    payment_mark_paid(payment=grant.payments.get(number=1), user=case_officer)
    Report.objects.filter(grant=grant, kind="progress").update(review_status="approved")
    final = grant.reports.get(kind="final")
    Report.objects.filter(pk=final.pk).update(review_status="pending", money_used=0)
    stale = grant.reports.get(kind="final")
    report_review(report=final, user=case_officer, approve=True)
    with pytest.raises(ServiceError):
        report_review(report=stale, user=case_officer, approve=True)
    assert RecoveryClaim.objects.get().amount == 350_000
    assert Payment.objects.filter(grant=grant, status="cancelled").count() == 1


def test_ledger_csv_export_for_officer_and_applicant(
    client, grant_700k, case_officer, applicant, other_applicant
):
    grant = grant_700k
    for user in (case_officer, applicant):
        client.force_login(user)
        url = (
            f"/handlaggning/bidrag/{grant.pk}/reskontra.csv"
            if user is case_officer
            else f"/portal/ansokningar/{grant.application_id}/reskontra.csv"
        )
        response = client.get(url)
        rows = list(
            csv.reader(
                io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")), delimiter=";"
            )
        )
        assert rows[0][:2] == ["grant_year", "granted"]
        assert rows[-1][:2] == ["total", "700000"]
    client.force_login(other_applicant)
    assert (
        client.get(f"/portal/ansokningar/{grant.application_id}/reskontra.csv").status_code == 404
    )


def test_admin_cannot_change_paid_instalments_or_settled_claims(
    grant_700k, case_officer, admin_client
):
    grant = grant_700k
    first = grant.payments.get(number=1)
    first = payment_mark_paid(payment=first, user=case_officer)
    payment_admin = django_admin.site._registry[Payment]
    readonly = payment_admin.get_readonly_fields(None, first)
    assert {"amount", "status", "paid_at", "due_date"} <= set(readonly)
    second = grant.payments.get(number=2)
    assert "due_date" not in payment_admin.get_readonly_fields(None, second)
    assert "amount" in payment_admin.get_readonly_fields(None, second)
    response = admin_client.post(
        f"/admin/grants/payment/{first.pk}/change/", {"amount": 1, "status": "planned"}
    )
    first.refresh_from_db()
    assert (first.amount, first.status) == (350_000, "paid")
    claim = recovery_claim_decide(
        grant=grant, user=case_officer, grounds="misuse", amount=1_000, reason="Fel"
    )
    recovery_claim_settle(claim=claim, user=case_officer)
    claim.refresh_from_db()
    claim_admin = django_admin.site._registry[RecoveryClaim]
    assert "reason" in claim_admin.get_readonly_fields(None, claim)
    assert not claim_admin.has_delete_permission(None, claim)
    assert response.status_code in (200, 302)
