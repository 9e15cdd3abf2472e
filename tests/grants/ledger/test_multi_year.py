"""Multi-year grants: money and reports per grant year; corrections."""

import datetime as dt
import json

import pytest
from django.core.management import call_command

from grants.models import Decision, Report
from grants.services import ServiceError
from grants.services.corrections import correction_decide
from grants.services.decisions import (
    decision_record,
    meeting_add_applications,
    meeting_close,
    meeting_create,
)
from grants.services.ledger import grant_ledger, ledger_problems
from grants.services.payments import payment_mark_paid
from grants.services.portal import report_submit
from grants.services.reports import report_review

from .helpers import award, ledger_track, start_project, year_begins

pytestmark = pytest.mark.django_db


@pytest.fixture
def multi(organisation, decision_maker):
    track = ledger_track()
    grant = award(
        track=track,
        organisation=organisation,
        decision_maker=decision_maker,
        per_year={"2031": 400_000, "2032": 300_000},
    )
    return start_project(grant)


def test_amounts_per_year_become_instalments_in_their_own_years(multi):
    rows = [
        (p.number, p.grant_year, p.amount, p.status, p.due_date)
        for p in multi.payments.order_by("number")
    ]
    assert rows == [
        (1, 2031, 400_000, "released", dt.date(2031, 1, 1)),
        (2, 2032, 300_000, "planned", dt.date(2032, 5, 1)),
    ]
    reports = [(r.kind, r.grant_year, r.due_date) for r in multi.reports.order_by("due_date")]
    assert reports == [
        ("progress", 2031, dt.date(2031, 9, 30)),
        ("progress", 2032, dt.date(2032, 9, 30)),
        ("final", 2032, dt.date(2033, 6, 30)),
    ]
    lines = [(line.year, line.totals.granted) for line in grant_ledger(multi).lines]
    assert lines == [(2031, 400_000), (2032, 300_000)]


def test_next_years_money_waits_for_that_years_report_and_reports_come_in_order(
    multi, applicant, case_officer
):
    payment_mark_paid(payment=multi.payments.get(number=1), user=case_officer)
    # The 2032 report cannot come before 2031's.
    first = report_submit(
        grant=multi, kind="progress", user=applicant, results="år 1", money_used=380_000
    )
    assert first.grant_year == 2031
    with pytest.raises(ServiceError, match="2032"):
        report_submit(grant=multi, kind="final", user=applicant, results="x", money_used=1)
    report_review(report=first, user=case_officer, approve=True)
    # The report is approved, but 2032's money waits for its grant year (1 May 2032) to begin.
    second_instalment = multi.payments.get(number=2)
    assert (second_instalment.status, second_instalment.requires_progress_report) == (
        "planned",
        False,
    )
    assert second_instalment.due_date == dt.date(2032, 5, 1)
    year_begins(multi)
    assert multi.payments.get(number=2).status == "released"
    second = report_submit(
        grant=multi, kind="progress", user=applicant, results="år 2", money_used=290_000
    )
    assert second.grant_year == 2032


def test_correction_moves_money_between_years_and_lowers_the_amount(
    multi, decision_maker, case_officer
):
    with pytest.raises(ServiceError) as refused:
        correction_decide(grant=multi, user=decision_maker, reasons="", changes={2032: -1})
    assert refused.value.field == "reasons"
    payment_mark_paid(payment=multi.payments.get(number=1), user=case_officer)
    # 2031 is paid in full: nothing can be taken from it.
    with pytest.raises(ServiceError) as refused:
        correction_decide(
            grant=multi, user=decision_maker, reasons="Flytt", changes={2031: -100_000}
        )
    assert refused.value.field == "amount" and "0\xa0kr" in refused.value.message
    decision = correction_decide(
        grant=multi,
        user=decision_maker,
        reasons="Lägre kostnader år 2",
        changes={2032: -100_000},
        period_end=dt.date(2033, 3, 31),
    )
    assert decision.kind == Decision.Kind.CORRECTION and decision.amount_change == -100_000
    multi.refresh_from_db()
    assert multi.amount_total == 600_000 and multi.period_end == dt.date(2033, 3, 31)
    live = multi.payments.exclude(status="cancelled").filter(grant_year=2032)
    assert [(p.amount, p.status) for p in live] == [(200_000, "planned")]
    assert multi.reports.get(kind=Report.Kind.FINAL).due_date == dt.date(
        2033, 9, 28
    )  # moved by the 90 days the period is
    ledger = grant_ledger(multi)
    assert [(line.year, line.totals.granted) for line in ledger.lines] == [
        (2031, 400_000),
        (2032, 200_000),
    ]
    assert not ledger_problems(ledger)
    assert multi.application.events.filter(action="grant.corrected").exists()


def test_correction_form_refuses_beyond_the_ledger_next_to_the_field_and_keeps_the_input(
    client, multi, decision_maker, case_officer, applicant
):
    payment_mark_paid(payment=multi.payments.get(number=1), user=case_officer)
    client.force_login(decision_maker)
    url = f"/handlaggning/bidrag/{multi.pk}/andringsbeslut/"
    form = {"action": "change", "year": "2031", "amount": "-1000", "reasons": "Lägre kostnad"}
    response = client.post(url, form)
    assert response.status_code == 400
    html = response.content.decode()
    error = html[html.index('id="correction_amount_error"') :][:300]
    assert "2031" in error and "0\xa0kr" in error
    assert "Lägre kostnad" in html
    form = {"action": "change", "year": "2032", "amount": "-1000", "reasons": "Lägre kostnad"}
    assert client.post(url, form).status_code == 302
    multi.refresh_from_db()
    assert multi.amount_total == 699_000
    # The applicant sees the ledger in the portal, with the correction in it.
    client.force_login(applicant)
    html = client.get(f"/portal/ansokningar/{multi.application_id}/").content.decode()
    assert "Reskontra" in html and "699\xa0000\xa0kr" in html


def test_open_data_follows_a_correction(client, multi, decision_maker):
    def awarded():
        call_command("write_open_data")  # what the beat job does when the data version changed
        response = client.get("/oppna-data/360giving.json")
        body = b"".join(response.streaming_content) if response.streaming else response.content
        return [g["amountAwarded"] for g in json.loads(body)["grants"]]

    assert awarded() == [700_000]
    correction_decide(grant=multi, user=decision_maker, reasons="Höjt", changes={2032: 50_000})
    assert awarded() == [750_000]


def test_a_supplementary_grant_balances_in_the_ledger(multi, decision_maker):
    round_ = multi.application.round
    meeting = meeting_create(round_=round_, user=decision_maker, date=dt.date(round_.year, 9, 1))
    meeting_add_applications(meeting=meeting, applications=[multi.application], user=decision_maker)
    decision_record(
        meeting=meeting,
        application=multi.application,
        user=decision_maker,
        outcome="approved",
        amount=100_000,
    )
    meeting_close(meeting=meeting, user=decision_maker)
    multi.refresh_from_db()
    ledger = grant_ledger(multi)
    assert ledger.totals.granted == multi.amount_total == 800_000
    assert ledger_problems(ledger) == []
