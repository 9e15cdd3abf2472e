"""Issue 9: the first instalment is not released on the day of the decision when the project
period starts later; the beat releases it on the first day of its grant year."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from grants.models import Event
from grants.services import ServiceError
from grants.services.corrections import correction_decide
from grants.services.payments import payment_mark_paid, payments_release_due
from grants.tasks.reminder_beat import reminders_run

from .helpers import award, ledger_track

pytestmark = pytest.mark.django_db


def test_decided_before_the_period_starts_the_first_instalment_waits_for_its_year(
    organisation, decision_maker, case_officer
):
    # Decided on 12 June 2030 (the round's meeting); the project period starts 1 January 2031.
    track = ledger_track(multi_year=False)
    grant = award(
        track=track, organisation=organisation, decision_maker=decision_maker, amount=700_000
    )
    assert timezone.localdate() < dt.date(2031, 1, 1)
    first = grant.payments.get(number=1)
    assert (first.status, first.due_date, first.released_at) == (
        "planned",
        dt.date(2031, 1, 1),
        None,
    )
    with pytest.raises(ServiceError):
        payment_mark_paid(payment=first, user=case_officer)

    assert payments_release_due(today=dt.date(2030, 12, 31)) == 0
    assert grant.payments.get(number=1).status == "planned"
    assert payments_release_due(today=dt.date(2031, 1, 1)) == 1
    first.refresh_from_db()
    assert first.status == "released" and first.released_at is not None
    # The second instalment still waits for the progress report.
    assert grant.payments.get(number=2).status == "planned"
    assert payments_release_due(today=dt.date(2031, 1, 1)) == 0  # once
    assert Event.objects.filter(grant=grant, action="payment.released").count() == 1
    payment_mark_paid(payment=first, user=case_officer)


def test_multi_year_first_instalment_waits_and_the_beat_releases_it_on_its_day(
    organisation, decision_maker
):
    grant = award(
        track=ledger_track(),
        organisation=organisation,
        decision_maker=decision_maker,
        per_year={"2031": 470_000, "2032": 430_000},
    )
    statuses = [(p.amount, p.status, p.due_date) for p in grant.payments.order_by("number")]
    assert statuses == [
        (470_000, "planned", dt.date(2031, 1, 1)),
        (430_000, "planned", dt.date(2032, 5, 1)),
    ]
    with time_machine.travel(dt.datetime(2031, 1, 1, 6, tzinfo=dt.UTC)):
        assert reminders_run()["released"] == 1
    statuses = [p.status for p in grant.payments.order_by("number")]
    assert statuses == ["released", "planned"]  # 2032's waits for 2031's report


def test_decided_after_the_period_started_the_first_instalment_is_released_at_once(
    organisation, decision_maker
):
    track = ledger_track(year=2024, multi_year=False)  # the period started 1 January 2025
    grant = award(
        track=track, organisation=organisation, decision_maker=decision_maker, amount=100_000
    )
    first = grant.payments.get(number=1)
    assert first.status == "released" and first.due_date == timezone.localdate()


def test_a_correction_decided_before_the_period_starts_releases_nothing_early(
    organisation, decision_maker
):
    # A raise decided before the project period starts: the first year's instalment is planned
    # again for the raised amount, due on the period's first day, not released today.
    track = ledger_track(multi_year=False)
    grant = award(
        track=track, organisation=organisation, decision_maker=decision_maker, amount=700_000
    )
    correction_decide(
        grant=grant, user=decision_maker, reasons="Fler deltagare.", changes={2031: 100_000}
    )
    unpaid = grant.payments.exclude(status="cancelled").order_by("number")
    assert sum(p.amount for p in unpaid) == 800_000
    assert not grant.payments.filter(status="released").exists()
    assert all(p.due_date >= dt.date(2031, 1, 1) for p in unpaid)
    assert payments_release_due(today=dt.date(2031, 1, 1), grant=grant) >= 1
    assert grant.payments.filter(status="released").exists()
