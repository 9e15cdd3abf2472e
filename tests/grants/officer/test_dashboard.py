import datetime as dt

import pytest
from django.db.models import Count

from grants.models import Assessment, BudgetChange, DecisionMeeting
from grants.selectors.officer import budget_ledger, status_counts
from tests import factories

from .conftest import submit

pytestmark = pytest.mark.django_db


def _propose(application, officer, amount):
    Assessment.objects.create(
        application=application, officer=officer, recommendation="approve", proposed_amount=amount
    )


def test_ledger_uses_the_latest_budget_change_and_sums_proposed_and_decided(case_officer):
    track = factories.make_track(budget_cap=1_000_000)
    BudgetChange.objects.create(
        track=track, effective_on=dt.date(2030, 5, 1), new_cap=800_000, reason="r"
    )
    BudgetChange.objects.create(
        track=track,
        effective_on=dt.date(2030, 6, 1),
        new_cap=1_200_000,
        reason="r",
        reference="Ku2030/1",
    )
    _propose(submit(factories.make_application(track=track), assess=True), case_officer, 300_000)
    meeting = DecisionMeeting.objects.create(
        round=track.round, date=dt.date(2030, 6, 12), status=DecisionMeeting.Status.CLOSED
    )
    factories.make_grant(
        application=factories.make_application(track=track, status="approved"),
        amount=500_000,
        meeting=meeting,
    )
    [row] = budget_ledger(round_=track.round)
    assert row.initial_cap == 1_000_000
    assert row.cap == 1_200_000
    assert [c.new_cap for c in row.changes] == [800_000, 1_200_000]
    assert row.proposed == 300_000
    assert row.decided == 500_000
    assert row.remaining == 700_000
    assert not row.proposals_exceed_cap


def test_decisions_of_open_meetings_are_not_counted_as_decided(case_officer):
    track = factories.make_track(budget_cap=1_000_000)
    factories.make_grant(application=factories.make_application(track=track, status="approved"))
    [row] = budget_ledger(round_=track.round)
    assert row.decided == 0


def test_dashboard_warns_when_proposals_exceed_a_cap(client, case_officer):
    track = factories.make_track(budget_cap=400_000, name="Ideella")
    for amount in (250_000, 200_000):
        _propose(submit(factories.make_application(track=track), assess=True), case_officer, amount)
    client.force_login(case_officer)
    html = client.get(f"/handlaggning/?round={track.round.pk}").content.decode()
    assert "Förslagen i Ideella överskrider taket med 50\xa0000\xa0kr." in html
    html = client.get(f"/en/handlaggning/?round={track.round.pk}").content.decode()
    assert "Proposals in Associations exceed the cap by SEK\xa050,000." in html


def test_status_counts_per_track_leave_out_drafts():
    civil = factories.make_track()
    municipal = factories.make_track(round_=civil.round, civil=False)
    factories.make_application(track=civil)  # draft
    submit(factories.make_application(track=civil))
    submit(factories.make_application(track=municipal), assess=True)
    counts = status_counts(round_=civil.round)
    by_status = {row["status"].value: row["counts"] for row in counts["rows"]}
    assert by_status["submitted"] == [1, 0]
    assert by_status["in_assessment"] == [0, 1]
    assert counts["total"] == 2


def test_dashboard_on_the_demo_round_shows_the_decided_total(client, demo, case_officer):
    client.force_login(case_officer)
    html = client.get("/handlaggning/").content.decode()
    assert "Budgetliggare" in html
    from grants.models import Grant

    round_ = Grant.objects.first().application.round
    total = sum(
        Grant.objects.filter(application__round=round_).values_list("amount_total", flat=True)
    )
    decided = sum(r.decided for r in budget_ledger(round_=round_))
    assert decided == total


def test_demo_meeting_page_lists_its_decisions_and_the_totals(client, demo):
    from grants.models import Decision, DecisionMeeting, User

    client.force_login(User.objects.get(email="beslutsfattare@demo.delmos.example"))
    meeting = DecisionMeeting.objects.annotate(n=Count("decisions")).order_by("-n").first()
    html = client.get(f"/handlaggning/moten/{meeting.pk}/").content.decode()
    decisions = Decision.objects.filter(meeting=meeting).select_related("application")
    assert html.count('class="agenda-item"') == decisions.count()
    assert "Stäng beslutstillfället" not in html  # closed: final
    html = client.get("/handlaggning/").content.decode()
    assert "Nytt beslutstillfälle" in html and "Registrera en omfördelning" in html
