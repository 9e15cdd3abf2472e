import csv
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from grants.models import Assessment, DecisionMeeting, Event, SupplementRequest
from tests import factories

from .conftest import submit

pytestmark = pytest.mark.django_db


def _rows(html):
    return html.count('name="application" value=')


def test_queue_filters_by_county_and_free_text(client, case_officer, track):
    gavleborg = submit(
        factories.make_application(
            track=track,
            organisation=factories.make_organisation(
                name="Hälsinge förening", seat=factories.kommun("Bollnäs")
            ),
        )
    )
    skane = submit(
        factories.make_application(
            track=track,
            organisation=factories.make_organisation(
                name="Malmö förening", seat=factories.kommun("Malmö")
            ),
            project_title="Språkcafé",
        )
    )
    client.force_login(case_officer)
    lan = gavleborg.organisation.seat.lan
    html = client.get(f"/handlaggning/ko/?county={lan.pk}").content.decode()
    assert "Hälsinge förening" in html and "Malmö förening" not in html
    html = client.get("/handlaggning/ko/?q=språkcafé").content.decode()
    assert "Malmö förening" in html and "Hälsinge förening" not in html
    html = client.get(f"/handlaggning/ko/?q={skane.case_number}").content.decode()
    assert _rows(html) == 1


def test_queue_filters_by_amount_score_officer_status_and_overdue(client, case_officer, track):
    small = submit(factories.make_application(track=track, requested_amount=100_000))
    big = submit(factories.make_application(track=track, requested_amount=900_000), assess=True)
    Assessment.objects.create(
        application=big,
        officer=case_officer,
        score_relevance=5,
        score_goal_fulfilment=4,
        score_efficiency=4,
        score_long_term=3,
    )
    big.assigned_officer = case_officer
    big.save()
    SupplementRequest.objects.create(
        application=small, message="?", due_date="2000-01-01", requested_by=case_officer
    )
    client.force_login(case_officer)
    get = lambda q: client.get(f"/handlaggning/ko/?{q}").content.decode()  # noqa: E731
    assert _rows(get("amount_min=500000")) == 1
    assert _rows(get("amount_max=500000")) == 1
    assert _rows(get("score_min=15")) == 1
    assert _rows(get("score_min=17")) == 0
    assert _rows(get(f"officer={case_officer.pk}")) == 1
    assert _rows(get("officer=null")) == 1
    assert _rows(get("status=in_assessment")) == 1
    assert f'id="pick-{small.pk}"' in get("overdue=true")
    assert _rows(get("overdue=true")) == 1
    assert _rows(get(f"round={track.round.pk}&track={track.pk}")) == 2


def test_queue_sorts_by_amount(client, case_officer, track):
    a = submit(factories.make_application(track=track, requested_amount=100_000))
    b = submit(factories.make_application(track=track, requested_amount=900_000))
    client.force_login(case_officer)
    html = client.get("/handlaggning/ko/?sort=-amount").content.decode()
    assert html.index(f'id="pick-{b.pk}"') < html.index(f'id="pick-{a.pk}"')
    html = client.get("/handlaggning/ko/?sort=amount").content.decode()
    assert html.index(f'id="pick-{a.pk}"') < html.index(f'id="pick-{b.pk}"')


def test_queue_hides_drafts_and_applications_with_a_declared_conflict(client, case_officer, track):
    draft = factories.make_application(track=track, project_title="Utkastet")
    hidden = submit(factories.make_application(track=track))
    hidden.conflicts.create(officer=case_officer, reason="styrelse")
    client.force_login(case_officer)
    html = client.get("/handlaggning/ko/").content.decode()
    assert f'id="pick-{draft.pk}"' not in html
    assert f'id="pick-{hidden.pk}"' not in html


def test_queue_runs_a_fixed_number_of_queries_whatever_the_rows(client, case_officer, track):
    client.force_login(case_officer)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/handlaggning/ko/?sort=-score")
        assert response.status_code == 200
        return len(ctx.captured_queries)

    for _ in range(2):
        submit(factories.make_application(track=track), assess=True)
    few = count()
    for n in range(30):
        app = submit(factories.make_application(track=track), assess=True)
        Assessment.objects.create(application=app, officer=case_officer, score_relevance=n % 5 + 1)
        app.assigned_officer = case_officer
        app.save()
    many = count()
    assert few == many
    assert many <= 15  # 14, and the officer's saved filters


def test_bulk_assign_sets_the_officer_and_logs_it(client, case_officer, track):
    apps = [submit(factories.make_application(track=track)) for _ in range(3)]
    other = factories.make_officer(email="colleague@example.org")
    client.force_login(case_officer)
    response = client.post(
        "/handlaggning/ko/atgard/",
        {"application": [a.pk for a in apps[:2]], "action": "assign", "officer": other.pk},
    )
    assert response.status_code == 302
    assigned = {
        a.pk: a.assigned_officer_id
        for a in type(apps[0]).objects.filter(pk__in=[a.pk for a in apps])
    }
    assert assigned == {apps[0].pk: other.pk, apps[1].pk: other.pk, apps[2].pk: None}
    events = Event.objects.filter(action="application.assigned")
    assert events.count() == 2 and {e.actor for e in events} == {case_officer}


def test_bulk_add_to_meeting_puts_assessed_applications_on_the_agenda(client, case_officer, track):
    ready = submit(factories.make_application(track=track), assess=True)
    not_ready = submit(factories.make_application(track=track))
    meeting = DecisionMeeting.objects.create(round=track.round, date="2030-06-12")
    client.force_login(case_officer)
    client.post(
        "/handlaggning/ko/atgard/",
        {"application": [ready.pk], "action": "meeting", "meeting": meeting.pk},
    )
    assert list(meeting.agenda.all()) == [ready]
    response = client.post(
        "/handlaggning/ko/atgard/",
        {"application": [not_ready.pk], "action": "meeting", "meeting": meeting.pk},
        follow=True,
    )
    assert not_ready not in meeting.agenda.all()
    assert "inskickad" in response.content.decode()


def test_export_csv_and_xlsx_follow_the_filters(client, case_officer, track):
    submit(factories.make_application(track=track, requested_amount=100_000, project_title="Liten"))
    submit(factories.make_application(track=track, requested_amount=900_000, project_title="Stor"))
    client.force_login(case_officer)
    response = client.get("/handlaggning/ko/export.csv?amount_min=500000")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][0] == "case_number"
    assert [r[9] for r in rows[1:]] == ["Stor"]
    response = client.get("/handlaggning/ko/export.xlsx?amount_max=500000")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert values[0][0] == "case_number"
    assert [v[9] for v in values[1:]] == ["Liten"]
    assert values[1][10] == 100_000


def test_queue_filters_by_municipality_worked_in_and_by_organisation_type(
    client, case_officer, track
):
    municipal_track = factories.make_track(round_=track.round, civil=False)
    association = submit(factories.make_application(track=track))
    association.areas.set([factories.kommun("Ovanåker"), factories.kommun("Ljusdal")])
    municipality = submit(
        factories.make_application(
            track=municipal_track,
            organisation=factories.make_organisation(
                org_type="kommun", seat=factories.kommun("Malmö")
            ),
        )
    )
    client.force_login(case_officer)
    ovanaker = factories.kommun("Ovanåker")
    html = client.get(f"/handlaggning/ko/?municipality={ovanaker.pk}&sort=-score").content.decode()
    assert _rows(html) == 1 and f'id="pick-{association.pk}"' in html
    html = client.get("/handlaggning/ko/?org_type=kommun").content.decode()
    assert _rows(html) == 1 and f'id="pick-{municipality.pk}"' in html


def _ids(html):
    return re.findall(r'\sid="([^"]+)"', html)


def _fieldset(html, action):
    """The HTML of one bulk action's fieldset."""
    match = re.search(
        rf'<fieldset class="bulk-action" id="bulk-{action}">.*?</fieldset>', html, re.S
    )
    assert match, action
    return match.group(0)


def test_each_bulk_action_has_its_own_fields_and_no_id_repeats(client, case_officer, track):
    submit(factories.make_application(track=track))
    DecisionMeeting.objects.create(round=track.round, date="2030-06-12")
    client.force_login(case_officer)
    html = client.get("/handlaggning/ko/").content.decode()
    ids = _ids(html)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    # The filter's select keeps its own label only.
    assert len(re.findall(r'<label for="id_officer"', html)) == 1
    assign, meeting = _fieldset(html, "assign"), _fieldset(html, "meeting")
    assert 'name="officer"' in assign and 'name="meeting"' not in assign
    assert 'name="meeting"' in meeting and 'name="officer"' not in meeting
    # The browser never blocks one action for the other's empty select.
    assert re.search(r'<form[^>]*id="bulk-form"[^>]*novalidate', html)


def test_adding_to_a_meeting_needs_no_officer_and_counts_in_proper_plurals(
    client, case_officer, track
):
    apps = [submit(factories.make_application(track=track), assess=True) for _ in range(4)]
    meeting = DecisionMeeting.objects.create(round=track.round, date="2030-06-12")
    client.force_login(case_officer)
    response = client.post(
        "/handlaggning/ko/atgard/",
        {
            "application": [a.pk for a in apps[:3]],
            "action": "meeting",
            "meeting": meeting.pk,
            "query": "status=in_assessment",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/handlaggning/ko/?status=in_assessment"
    assert set(meeting.agenda.all()) == set(apps[:3])
    html = client.get(response["Location"]).content.decode()
    assert "3 ansökningar lades till beslutstillfället." in html
    response = client.post(
        "/handlaggning/ko/atgard/",
        {"application": [apps[3].pk], "action": "meeting", "meeting": meeting.pk},
        follow=True,
    )
    assert "1 ansökan lades till beslutstillfället." in response.content.decode()
    response = client.post(
        "/en/handlaggning/ko/atgard/",
        {"application": [apps[3].pk], "action": "assign", "officer": case_officer.pk},
        follow=True,
    )
    assert "1 application assigned." in response.content.decode()


def test_a_refused_bulk_action_says_why_next_to_it_and_keeps_the_ticks(client, case_officer, track):
    ready = submit(factories.make_application(track=track), assess=True)
    not_ready = submit(factories.make_application(track=track))
    meeting = DecisionMeeting.objects.create(round=track.round, date="2030-06-12")
    client.force_login(case_officer)

    # No officer chosen: the assign action says so; nothing is assigned.
    response = client.post(
        "/handlaggning/ko/atgard/",
        {"application": [ready.pk], "action": "assign", "officer": ""},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Detta fält måste fyllas i." in _fieldset(html, "assign")
    # The page is shown at the action's URL: the filters and pages still lead to the queue.
    assert re.search(r'<form method="get" action="/handlaggning/ko/"', html)
    assert f'id="pick-{ready.pk}" checked' in html
    ready.refresh_from_db()
    assert ready.assigned_officer is None

    # Nothing ticked: said next to the action used.
    response = client.post("/handlaggning/ko/atgard/", {"action": "meeting", "meeting": meeting.pk})
    assert response.status_code == 400
    assert "Markera minst en ansökan." in _fieldset(response.content.decode(), "meeting")

    # The service refuses: its reason next to the meeting action, the ticks kept.
    response = client.post(
        "/handlaggning/ko/atgard/",
        {"application": [ready.pk, not_ready.pk], "action": "meeting", "meeting": meeting.pk},
    )
    assert response.status_code == 400
    html = response.content.decode()
    meeting_html = _fieldset(html, "meeting")
    assert 'role="alert"' in meeting_html and "inskickad" in meeting_html
    assert "inskickad" not in _fieldset(html, "assign")
    assert f'id="pick-{ready.pk}" checked' in html and f'id="pick-{not_ready.pk}" checked' in html
    assert not meeting.agenda.exists()


def test_adding_from_an_application_page_returns_there_refused_or_not(client, case_officer, track):
    application = submit(factories.make_application(track=track), assess=True)
    first = DecisionMeeting.objects.create(round=track.round, date="2030-06-12")
    second = DecisionMeeting.objects.create(round=track.round, date="2030-06-19")
    client.force_login(case_officer)
    page = f"/handlaggning/ansokan/{application.pk}/"
    data = {"application": [application.pk], "action": "meeting", "from": "application"}
    response = client.post("/handlaggning/ko/atgard/", {**data, "meeting": first.pk})
    assert response.status_code == 302 and response["Location"] == page
    response = client.post("/handlaggning/ko/atgard/", {**data, "meeting": second.pk}, follow=True)
    assert response.redirect_chain[-1][0] == page + "#meeting-h"
    assert "finns redan på det öppna beslutstillfället 2030-06-12" in response.content.decode()
    assert not second.agenda.exists()
