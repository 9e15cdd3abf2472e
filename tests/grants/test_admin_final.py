"""Issue 15, item 5: in the admin, a closed meeting and its final decisions are read-only (a
change is a correction decision); a meeting's status moves only through the workflow."""

import datetime as dt

import pytest

from grants.models import Decision, DecisionMeeting
from grants.services.decisions import decision_record, meeting_close
from tests import factories
from tests.grants.officer.conftest import submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser():
    return factories.make_user(email="root@example.org", is_staff=True, is_superuser=True)


@pytest.fixture
def closed(decision_maker):
    track = factories.make_track(budget_cap=1_000_000)
    application = submit(factories.make_application(track=track), assess=True)
    meeting = DecisionMeeting.objects.create(round=track.round, date=dt.date(2030, 6, 12))
    meeting.agenda.add(application)
    decision_record(
        meeting=meeting,
        application=application,
        user=decision_maker,
        outcome="approved",
        amount=900_000,
    )
    meeting_close(meeting=meeting, user=decision_maker)
    meeting.refresh_from_db()
    return meeting


def test_a_closed_meeting_cannot_be_reopened_or_deleted(client, superuser, closed):
    client.force_login(superuser)
    url = f"/admin/grants/decisionmeeting/{closed.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    data = {
        "round": closed.round_id,
        "date": "2030-06-12",
        "title": "",
        "notes": "",
        "status": "open",
        "decisions-TOTAL_FORMS": "1",
        "decisions-INITIAL_FORMS": "1",
        "decisions-MIN_NUM_FORMS": "0",
        "decisions-MAX_NUM_FORMS": "1000",
    }
    assert client.post(url, data).status_code == 403
    assert (
        client.post(
            f"/admin/grants/decisionmeeting/{closed.pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )
    closed.refresh_from_db()
    assert closed.status == "closed"


def test_a_final_decision_cannot_be_edited_deleted_or_added_in_the_admin(client, superuser, closed):
    decision = Decision.objects.get()
    client.force_login(superuser)
    url = f"/admin/grants/decision/{decision.pk}/change/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"outcome": "approved", "amount": "2000000", "reasons": ""})
    assert response.status_code == 403
    assert (
        client.post(f"/admin/grants/decision/{decision.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert client.get("/admin/grants/decision/add/").status_code == 403
    bulk = client.post(
        "/admin/grants/decision/",
        {"action": "delete_selected", "_selected_action": [decision.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302, 403)
    decision.refresh_from_db()
    assert decision.amount == 900_000


def test_an_open_meetings_status_is_not_a_form_field(client, superuser):
    track = factories.make_track()
    meeting = DecisionMeeting.objects.create(round=track.round, date=dt.date(2030, 6, 12))
    client.force_login(superuser)
    url = f"/admin/grants/decisionmeeting/{meeting.pk}/change/"
    response = client.post(
        url,
        {
            "round": track.round_id,
            "date": "2030-06-13",
            "title": "Juni",
            "notes": "",
            "status": "closed",
            "decisions-TOTAL_FORMS": "0",
            "decisions-INITIAL_FORMS": "0",
            "decisions-MIN_NUM_FORMS": "0",
            "decisions-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.status, meeting.title) == ("open", "Juni")
