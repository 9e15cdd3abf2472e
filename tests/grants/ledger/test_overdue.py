"""Issue 9, item 3: an overdue report is visible as overdue to officers (the workspace's list of
what is overdue) and to the applicant (the portal), by the report's own due date: a multi-year
grant's report for its second grant year, not the round's first report date."""

import datetime as dt

import pytest
import time_machine

from grants.selectors import reminders as selectors
from grants.services.payments import payment_mark_paid
from grants.services.portal import report_submit
from grants.services.reports import report_review

from .helpers import award, ledger_track, start_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def multi(organisation, decision_maker, applicant, case_officer):
    """A grant for 2031 and 2032 whose 2031 progress report is approved; 2032's is due
    30 September 2032."""
    grant = start_project(
        award(
            track=ledger_track(),
            organisation=organisation,
            decision_maker=decision_maker,
            per_year={"2031": 400_000, "2032": 300_000},
        )
    )
    payment_mark_paid(payment=grant.payments.get(number=1), user=case_officer)
    first = report_submit(
        grant=grant, kind="progress", user=applicant, results="År 1", money_used=390_000
    )
    report_review(report=first, user=case_officer, approve=True)
    assert grant.reports.get(kind="progress", grant_year=2032).due_date == dt.date(2032, 9, 30)
    return grant


def test_the_second_years_report_is_overdue_for_officers_and_the_applicant(
    client, multi, case_officer, applicant
):
    with time_machine.travel(dt.datetime(2032, 9, 20, 9, tzinfo=dt.UTC)):
        assert selectors.digest_for_day(dt.date(2032, 9, 20)).overdue_reports == []
    with time_machine.travel(dt.datetime(2032, 10, 15, 9, tzinfo=dt.UTC)):
        overdue = selectors.digest_for_day(dt.date(2032, 10, 15)).overdue_reports
        assert [g.pk for g in overdue] == [multi.pk]
        client.force_login(case_officer)
        html = client.get("/handlaggning/paminnelser/").content.decode()
        listed = html[html.index("Försenade (1)") :]
        assert f'href="/handlaggning/bidrag/{multi.pk}/"' in listed[: listed.index("</ul>")]
        client.force_login(applicant)
        html = client.get(f"/portal/ansokningar/{multi.application_id}/").content.decode()
        line = html[html.index("2032: ") :][:300]
        assert 'class="overdue"' in line


def test_a_final_report_moved_by_a_correction_is_not_overdue_by_the_rounds_date(
    multi, decision_maker
):
    from grants.services.corrections import correction_decide

    multi.reports.filter(kind="progress").update(review_status="approved")
    correction_decide(
        grant=multi,
        user=decision_maker,
        reasons="Förlängd projekttid",
        changes={},
        period_end=dt.date(2033, 3, 31),
    )
    final = multi.reports.get(kind="final")
    assert final.due_date > dt.date(2033, 6, 30)  # the round's date
    with time_machine.travel(dt.datetime(2033, 7, 15, 9, tzinfo=dt.UTC)):
        assert selectors.digest_for_day(dt.date(2033, 7, 15)).overdue_reports == []
