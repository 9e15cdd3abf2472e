"""Issue 15, item 5: two meetings of one round closing at the same moment against one track's
cap: the round's row lock makes the second wait for the first and see its decisions, so exactly
one closes and the other is refused with the overshoot."""

import contextlib
import datetime as dt
import threading

import pytest
from django.db import connection

from grants.models import DecisionMeeting, Grant
from grants.services import ServiceError
from grants.services import decisions as decision_services
from tests import factories

from .conftest import submit

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason=(
            "SQLite has no row locks: a writing transaction locks the whole file, so two closes "
            "cannot interleave there. The race and the round's row lock are PostgreSQL's; "
            "CI runs this in its PostgreSQL pass."
        ),
    ),
]


def test_two_meetings_closing_at_once_against_one_cap_give_one_refusal(monkeypatch):
    decider = factories.make_decision_maker()
    track = factories.make_track(budget_cap=1_000_000)
    meetings = []
    for day in (12, 13):
        meeting = DecisionMeeting.objects.create(round=track.round, date=dt.date(2030, 6, day))
        application = submit(factories.make_application(track=track), assess=True)
        meeting.agenda.add(application)
        decision_services.decision_record(
            meeting=meeting,
            application=application,
            user=decider,
            outcome="approved",
            amount=600_000,  # each fits the cap alone; together they exceed it by 200 000 kr
        )
        meetings.append(meeting)

    # Each close, once it has checked the caps, waits (at most two seconds) for the other to
    # have checked too: without the round's lock both would check before either commits.
    checked = threading.Barrier(2, timeout=2)
    overshoots = decision_services.meeting_overshoots

    def overshoots_then_wait(*, meeting):
        found = overshoots(meeting=meeting)
        # A broken barrier: the other one is waiting for the lock, as it should.
        with contextlib.suppress(threading.BrokenBarrierError):
            checked.wait()
        return found

    monkeypatch.setattr(decision_services, "meeting_overshoots", overshoots_then_wait)
    start = threading.Barrier(2, timeout=10)
    closed, refused, other = [], [], []

    def close(meeting):
        try:
            start.wait()
            decision_services.meeting_close(meeting=meeting, user=decider)
            closed.append(meeting.pk)
        except ServiceError as error:
            refused.append(error)
        except Exception as error:  # noqa: BLE001 - asserted below
            other.append(error)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=close, args=(m,)) for m in meetings]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert other == []
    assert len(closed) == 1 and len(refused) == 1
    assert refused[0].code == "cap_exceeded"
    assert "200\xa0000\xa0kr" in refused[0].message
    statuses = sorted(DecisionMeeting.objects.values_list("status", flat=True))
    assert statuses == ["closed", "open"]
    assert Grant.objects.count() == 1
