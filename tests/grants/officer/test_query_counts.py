"""Pages run a fixed number of queries whatever the number of rows."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grants.models import Assessment, DecisionMeeting, Event
from grants.services.decisions import decision_record
from grants.services.officer import comment_add
from tests import factories

from .conftest import submit

pytestmark = pytest.mark.django_db


def _queries(client, path):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_meeting_page_queries_do_not_grow_with_the_agenda(client, decision_maker, track):
    meeting = DecisionMeeting.objects.create(round=track.round, date=dt.date(2030, 6, 12))
    client.force_login(decision_maker)

    def add(n):
        for _ in range(n):
            application = submit(factories.make_application(track=track), assess=True)
            Assessment.objects.create(
                application=application,
                officer=decision_maker,
                recommendation="approve",
                proposed_amount=1000,
            )
            meeting.agenda.add(application)
            decision_record(
                meeting=meeting,
                application=application,
                user=decision_maker,
                outcome="approved",
                amount=1000,
            )

    add(2)
    few = _queries(client, f"/handlaggning/moten/{meeting.pk}/")
    add(20)
    assert _queries(client, f"/handlaggning/moten/{meeting.pk}/") == few


def test_application_page_queries_do_not_grow_with_its_history(client, case_officer, submitted):
    client.force_login(case_officer)

    def grow(n):
        for _ in range(n):
            comment_add(application=submitted, user=case_officer, text="Kommentar")
            factories.make_grant(
                application=factories.make_application(
                    organisation=submitted.organisation, status="approved"
                )
            )

    grow(1)
    few = _queries(client, f"/handlaggning/ansokan/{submitted.pk}/")
    grow(10)
    assert Event.objects.filter(application=submitted).count() > 10
    assert _queries(client, f"/handlaggning/ansokan/{submitted.pk}/") == few
