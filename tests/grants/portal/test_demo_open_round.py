import datetime as dt

import time_machine
from django.utils import timezone

from grants.demo.open_round import MUNICIPAL_LIST, OPEN_ROUND_SLUG, load_open_round
from grants.models import Round
from grants.services.submission import submission_problems


def test_load_demo_adds_an_open_demonstration_round_with_a_multi_year_track(demo):
    round_ = Round.objects.get(slug=OPEN_ROUND_SLUG)
    now = timezone.now()
    assert round_.is_demo is True
    assert round_.status == Round.Status.OPEN
    assert round_.opens_at < now < round_.closes_at
    tracks = list(round_.tracks.all())
    assert [t.question_set for t in tracks] == ["municipal", "civil_society"]
    civil = tracks[1]
    assert civil.multi_year is True and civil.max_years == 2 and civil.is_demo is True
    assert tracks[0].eligible_kommuner.count() == len(MUNICIPAL_LIST)


def test_open_round_is_open_relative_to_the_day_it_is_loaded(db):
    with time_machine.travel(dt.datetime(2031, 5, 1, 12, tzinfo=dt.UTC)):
        round_ = load_open_round()
        assert round_.year == 2031
        assert round_.opens_at < timezone.now() < round_.closes_at
    assert load_open_round().pk == round_.pk


def _demo_multi_year_grant():
    from grants.demo.multi_year import ASSOCIATION
    from grants.models import Grant

    return Grant.objects.select_related("application__round").get(
        application__round__slug=OPEN_ROUND_SLUG, application__organisation__name=ASSOCIATION
    )


def test_the_open_round_shows_one_multi_year_grant_paid_and_reported_per_grant_year(demo):
    """Issue 9 item 4: a decision's amount per year becomes instalments in their own years; the
    next year's money waits for that year's report; one progress report per grant year."""
    from grants.services import ledger

    grant = _demo_multi_year_grant()
    round_ = grant.application.round
    first, second = round_.grant_period_start.year, round_.grant_period_start.year + 1
    decision = grant.application.decisions.get()
    assert decision.amount_per_year == {str(first): 470_000, str(second): 430_000}
    assert grant.amount_total == 900_000 and grant.application.is_demo
    payments = list(
        grant.payments.order_by("number").values_list(
            "grant_year", "amount", "status", "due_date", "requires_progress_report"
        )
    )
    assert payments == [
        (first, 470_000, "planned", round_.grant_period_start, False),
        (second, 430_000, "planned", dt.date(second, 5, 1), True),
    ]
    reports = list(grant.reports.order_by("due_date").values_list("kind", "grant_year"))
    assert reports == [("progress", first), ("progress", second), ("final", second)]
    book = ledger.grant_ledger(grant)
    assert book.balances
    assert [(line.year, line.totals.granted, line.totals.planned) for line in book.lines] == [
        (first, 470_000, 470_000),
        (second, 430_000, 430_000),
    ]
    # The decision letter was rendered by the job the meeting's closing queued.
    assert decision.letter_pdf
    # Applied through the portal's checks, and the timeline tells the story in order: applied,
    # assessed, decided at the early meeting.
    assert submission_problems(grant.application) == []
    actions = list(
        grant.application.events.order_by("created_at", "pk").values_list("action", flat=True)
    )
    assert actions.index("application.submitted") < actions.index("assessment.saved")
    assert actions.index("assessment.saved") < actions.index("application.approved")
    assert grant.application.submitted_at.date() < decision.meeting.date


def test_the_demo_applicant_and_the_officer_see_the_multi_year_grant(demo, client):
    from grants.models import User

    grant = _demo_multi_year_grant()
    client.force_login(User.objects.get(email="sokande@demo.delmos.example"))
    page = client.get(f"/portal/ansokningar/{grant.application_id}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "470\xa0000" in text and "430\xa0000" in text
    client.force_login(User.objects.get(email="handlaggare@demo.delmos.example"))
    page = client.get(f"/handlaggning/bidrag/{grant.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "470\xa0000" in text and "430\xa0000" in text
