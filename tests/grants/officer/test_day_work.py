"""The workspace built for a day's work: the queue's results first with its filters folded away and
saved per officer, next and previous case within the current filter, the application in two
panes, the second assessment beside the first, and a decision maker's conflict at a meeting."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from grants.models import DecisionMeeting, SavedFilter, SecondAssessment, SupplementRequest
from grants.services.decisions import meeting_add_applications
from grants.services.officer import assessment_save
from tests import factories

from .conftest import submit

pytestmark = pytest.mark.django_db

QUEUE = "/handlaggning/ko/"


def _page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _app_url(application):
    return f"/handlaggning/ansokan/{application.pk}/"


# -- the queue --------------------------------------------------------------------------------


def test_the_queues_results_come_first_and_its_filters_fold_away(client, case_officer, submitted):
    client.force_login(case_officer)
    html = _page(client, QUEUE)
    panel = re.search(r"<details[^>]*id=\"queue-filters\"[^>]*>", html)
    assert panel and " open" not in panel.group(0)
    assert f'data-remember="queue-filters-{case_officer.pk}"' in panel.group(0)
    # The filter form is inside the panel, and the panel is the only thing before the results.
    assert html.index("<details") < html.index('class="filter-form"') < html.index("</details>")
    assert html.index("</details>") < html.index("<table")
    assert submitted.case_number in html
    # A filter in error opens the panel so that the message is seen.
    html = client.get(QUEUE + "?amount_min=-5").content.decode()
    assert re.search(r"<details[^>]*id=\"queue-filters\"[^>]*\bopen\b", html)


def test_my_cases_and_due_this_week_are_saved_filters_for_every_officer(
    client, case_officer, track, organisation
):
    mine = submit(factories.make_application(track=track, organisation=organisation))
    mine.assigned_officer = case_officer
    mine.save()
    due = submit(factories.make_application(track=track))
    later = submit(factories.make_application(track=track))
    today = timezone.localdate()
    sunday = today + dt.timedelta(days=6 - today.weekday())
    for application, due_date in ((due, sunday), (later, sunday + dt.timedelta(days=1))):
        SupplementRequest.objects.create(
            application=application, message="Stadgar", due_date=due_date, requested_by=case_officer
        )
    client.force_login(case_officer)
    html = _page(client, QUEUE)
    nav = re.search(r'<nav class="saved-filters".*?</nav>', html, re.S).group(0)
    assert f'href="{QUEUE}?officer={case_officer.pk}"' in nav
    assert f'href="{QUEUE}?due=week"' in nav

    html = _page(client, f"{QUEUE}?officer={case_officer.pk}")
    assert mine.case_number in html and due.case_number not in html
    html = _page(client, f"{QUEUE}?due=week")
    assert due.case_number in html
    assert later.case_number not in html and mine.case_number not in html


def test_an_officer_saves_the_current_filter_under_a_name_and_deletes_it(
    client, case_officer, submitted
):
    other = factories.make_officer(email="other-officer@example.org")
    client.force_login(case_officer)
    response = client.post(
        "/handlaggning/ko/filter/", {"name": "Fokus norr", "query": "county=21&page=3"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{QUEUE}?county=21"
    saved = SavedFilter.objects.get(owner=case_officer)
    assert (saved.name, saved.query) == ("Fokus norr", "county=21")
    assert f'href="{QUEUE}?county=21"' in _page(client, QUEUE)

    # Without a name: refused next to the name field, the panel open.
    response = client.post("/handlaggning/ko/filter/", {"name": " ", "query": "county=21"})
    assert response.status_code == 400
    assert 'id="saved-filter-name_error"' in response.content.decode()

    client.force_login(other)
    assert "Fokus norr" not in _page(client, QUEUE)
    assert client.post(f"/handlaggning/ko/filter/{saved.pk}/ta-bort/").status_code == 404
    client.force_login(case_officer)
    assert client.post(f"/handlaggning/ko/filter/{saved.pk}/ta-bort/").status_code == 302
    assert not SavedFilter.objects.exists()


# -- next and previous case -------------------------------------------------------------------


def _links(html):
    prev = re.search(r'<a href="([^"]+)" rel="prev" data-shortcut="k"', html)
    nxt = re.search(r'<a href="([^"]+)" rel="next" data-shortcut="j"', html)
    return (prev and prev.group(1), nxt and nxt.group(1))


def test_next_and_previous_case_follow_the_current_queue_filter_and_sort(
    client, case_officer, track
):
    other_track = factories.make_track(round_=track.round, code="annat")
    small, middle, big = (
        submit(factories.make_application(track=track, requested_amount=amount))
        for amount in (100_000, 200_000, 300_000)
    )
    outside = submit(factories.make_application(track=other_track))
    client.force_login(case_officer)

    _page(client, f"{QUEUE}?track={track.pk}")  # the queue remembers the filter
    html = _page(client, _app_url(middle))
    assert _links(html) == (_app_url(small), _app_url(big))
    assert _links(_page(client, _app_url(small)))[0] is None
    assert _links(_page(client, _app_url(big)))[1] is None  # `outside` is filtered out
    assert f'href="{QUEUE}?track={track.pk}"' in html  # the way back keeps the filter

    _page(client, f"{QUEUE}?track={track.pk}&sort=-amount")
    assert _links(_page(client, _app_url(middle))) == (_app_url(big), _app_url(small))

    # A case the filter no longer shows still steps to its neighbours in the filtered list.
    _page(client, f"{QUEUE}?track={other_track.pk}")
    assert _links(_page(client, _app_url(middle))) == (None, _app_url(outside))


def test_the_shortcuts_are_listed_on_the_page(client, case_officer, submitted):
    client.force_login(case_officer)
    html = _page(client, _app_url(submitted))
    shortcuts = re.search(r'<details class="shortcuts">.*?</details>', html, re.S).group(0)
    assert "<kbd>j</kbd>" in shortcuts and "<kbd>k</kbd>" in shortcuts
    assert 'src="/static/js/workspace.js"' in html or "js/workspace" in html


# -- two panes ----------------------------------------------------------------------------------


def test_the_application_page_has_the_case_file_beside_the_case_work(
    client, case_officer, submitted
):
    client.force_login(case_officer)
    html = _page(client, _app_url(submitted))
    file_pane = html[html.index('class="case-pane case-file"') : html.index("case-pane case-work")]
    work_pane = html[html.index('class="case-pane case-work"') :]
    for section in ("answers", "attachments", "eligibility", "history", "timeline"):
        assert f'<section id="{section}"' in file_pane
        assert f'href="#{section}"' in file_pane  # the pane's own section links
    for section in ("assessment", "second-assessment", "supplement", "comments"):
        assert f'<section id="{section}"' in work_pane
        assert f'href="#{section}"' in work_pane
    assert f'action="/handlaggning/ansokan/{submitted.pk}/bedomning/"' in work_pane


# -- the second assessment ----------------------------------------------------------------------

SCORES = {
    "formal_requirements_met": True,
    "score_relevance": 4,
    "score_goal_fulfilment": 4,
    "score_efficiency": 3,
    "score_long_term": 3,
    "recommendation": "approve",
    "proposed_amount": 400_000,
}


@pytest.fixture
def big_case(case_officer):
    track = factories.make_track(budget_cap=5_000_000, second_assessment_above=300_000)
    application = submit(factories.make_application(track=track, requested_amount=500_000))
    assessment_save(application=application, user=case_officer, data=SCORES, expected_version=None)
    return application


def test_the_second_officer_scores_beside_the_first_and_disagreements_stand_out(
    client, case_officer, big_case
):
    second = factories.make_officer(email="second@example.org", full_name="Sam Andra")
    client.force_login(case_officer)
    html = _page(client, _app_url(big_case))
    assert f'action="/handlaggning/ansokan/{big_case.pk}/andra-bedomning/"' not in html

    client.force_login(second)
    html = _page(client, _app_url(big_case))
    assert f'action="/handlaggning/ansokan/{big_case.pk}/andra-bedomning/"' in html
    assert f'action="/handlaggning/ansokan/{big_case.pk}/bedomning/"' not in html
    response = client.post(
        f"/handlaggning/ansokan/{big_case.pk}/andra-bedomning/",
        {
            "formal_requirements_met": "true",
            "score_relevance": "2",
            "score_goal_fulfilment": "4",
            "score_efficiency": "3",
            "score_long_term": "3",
            "recommendation": "reject",
            "notes": "Svag förankring.",
        },
    )
    assert response.status_code == 302
    assert SecondAssessment.objects.get().officer == second

    html = _page(client, _app_url(big_case))
    table = re.search(r'<table class="data-table comparison">.*?</table>', html, re.S).group(0)
    rows = re.findall(r"<tr( class=\"disagree\")?><th scope=\"row\">([^<]+)</th>", table)
    differing = {label for flag, label in rows if flag}
    assert len(rows) == 8
    assert differing == {"Relevans", "Total poäng", "Rekommendation", "Föreslaget belopp"}

    # The decision maker sees both at the meeting, the disagreement marked.
    meeting = DecisionMeeting.objects.create(round=big_case.round, date=dt.date(2030, 6, 12))
    big_case.refresh_from_db()
    meeting_add_applications(meeting=meeting, applications=[big_case], user=second)
    client.force_login(factories.make_decision_maker(email="dm@example.org"))
    html = _page(client, f"/handlaggning/moten/{meeting.pk}/")
    line = re.search(r'<p class="four-eyes disagree">.*?</p>', html, re.S).group(0)
    assert "total poäng 14 (första) och 12 (andra)" in line and "oense" in line


def test_the_first_officer_cannot_make_the_second_assessment(client, case_officer, big_case):
    client.force_login(case_officer)
    response = client.post(
        f"/handlaggning/ansokan/{big_case.pk}/andra-bedomning/",
        {"recommendation": "approve", "proposed_amount": "400000"},
    )
    assert response.status_code == 400
    assert not SecondAssessment.objects.exists()


# -- conflicts at a meeting ---------------------------------------------------------------------


def test_a_decision_maker_declares_a_conflict_and_is_kept_out_of_closing(
    client, case_officer, decision_maker, track
):
    application = submit(factories.make_application(track=track), assess=True)
    meeting = DecisionMeeting.objects.create(round=track.round, date=dt.date(2030, 6, 12))
    meeting_add_applications(meeting=meeting, applications=[application], user=case_officer)
    client.force_login(decision_maker)
    url = f"/handlaggning/moten/{meeting.pk}/"
    assert f'action="{url}jav/{application.pk}/"' in _page(client, url)
    response = client.post(f"{url}jav/{application.pk}/", {f"c{application.pk}-reason": "Släkt"})
    assert response.status_code == 302
    html = _page(client, url)
    assert f'action="{url}beslut/{application.pk}/"' not in html  # no decision form for them
    assert "Släkt" in html

    response = client.post(f"{url}stang/")
    # Through the confirmation page, when closing asks for one.
    confirm = re.search(r'name="confirm" value="([^"]*)"', response.content.decode())
    if confirm:
        response = client.post(f"{url}stang/", {"confirm": confirm.group(1)})
    assert response.status_code == 409
    assert application.case_number in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == DecisionMeeting.Status.OPEN


def test_a_broken_remembered_filter_still_shows_the_case(client, case_officer, submitted):
    client.force_login(case_officer)
    client.cookies["delmos_queue"] = "amount_min%3D-5%26sort%3Dnonsense%26county%3D%00"
    html = _page(client, _app_url(submitted))
    assert _links(html) == (None, None)
    assert "Inget nästa ärende" in html
