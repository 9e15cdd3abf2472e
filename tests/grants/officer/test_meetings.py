import datetime as dt
import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from grants.models import (
    Assessment,
    BudgetChange,
    Decision,
    DecisionMeeting,
    Event,
    Grant,
    OutboxJob,
    Payment,
    Report,
)
from grants.selectors.officer import decision_form_initial, meeting_close_summary
from grants.services import ServiceError
from grants.services.decisions import meeting_close
from grants.tasks.officer import letter_render
from tests import factories

from .conftest import close_meeting, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(track, decision_maker, client):
    client.force_login(decision_maker)
    response = client.post(
        f"/handlaggning/omgang/{track.round.pk}/nytt-mote/", {"date": "2030-06-12", "title": "Juni"}
    )
    assert response.status_code == 302
    return DecisionMeeting.objects.get()


def _on_agenda(meeting, track, **extra):
    application = submit(factories.make_application(track=track, **extra), assess=True)
    meeting.agenda.add(application)
    return application


def _decide(client, meeting, application, **data):
    prefix = f"a{application.pk}-"
    return client.post(
        f"/handlaggning/moten/{meeting.pk}/beslut/{application.pk}/",
        {prefix + k: v for k, v in data.items()},
    )


def test_running_totals_show_each_tracks_remaining_cap(client, meeting, track):
    a = _on_agenda(meeting, track)
    assert _decide(client, meeting, a, outcome="approved", amount="600000").status_code == 302
    html = client.get(f"/handlaggning/moten/{meeting.pk}/").content.decode()
    assert "600\xa0000\xa0kr" in html and "400\xa0000\xa0kr" in html


def test_closing_over_a_cap_is_refused_with_the_overshoot_then_closes_within_it(
    client, meeting, track, applicant, organisation, mailoutbox, django_capture_on_commit_callbacks
):
    a = _on_agenda(meeting, track, organisation=organisation)
    b = _on_agenda(meeting, track)
    a.areas.set([factories.kommun("Bollnäs"), factories.kommun("Ovanåker")])
    _decide(client, meeting, a, outcome="approved", amount="700000")
    _decide(client, meeting, b, outcome="approved", amount="450000")
    response = close_meeting(client, meeting)
    assert response.status_code == 409
    assert "150\xa0000\xa0kr" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == "open" and not Grant.objects.exists()

    _decide(client, meeting, b, outcome="rejected", reasons="Svag koppling till segregation")
    with django_capture_on_commit_callbacks(execute=True):
        response = close_meeting(client, meeting)
    assert response.status_code == 302
    meeting.refresh_from_db()
    a.refresh_from_db()
    b.refresh_from_db()
    assert meeting.status == "closed"
    assert (a.status, b.status) == ("approved", "rejected")
    grant = Grant.objects.get()
    assert grant.application == a and grant.amount_total == 700_000
    assert grant.awarded_on == grant.last_decided_on == dt.date(2030, 6, 12)
    assert {k.name for k in grant.beneficiary_kommuner.all()} == {"Bollnäs", "Ovanåker"}
    assert [p.amount for p in grant.payments.all()] == [350_000, 350_000]
    assert [p.requires_progress_report for p in grant.payments.all()] == [False, True]
    assert set(grant.reports.values_list("kind", flat=True)) == {"final"}
    letter = Decision.objects.get(application=a).letter_pdf
    text = PdfReader(io.BytesIO(letter.open("rb").read())).pages[0].extract_text()
    assert a.case_number in text and "700" in text
    assert [m.to for m in mailoutbox] == [[applicant.email]]
    assert Event.objects.filter(action="meeting.closed").count() == 1


def test_closed_decisions_are_final(client, meeting, track):
    a = _on_agenda(meeting, track)
    _decide(client, meeting, a, outcome="rejected", reasons="Utanför målgruppen")
    close_meeting(client, meeting)
    response = _decide(client, meeting, a, outcome="approved", amount="100000")
    assert response.status_code == 400
    assert Decision.objects.get().outcome == "rejected"


def test_closing_needs_a_decision_on_every_agenda_item(meeting, track, decision_maker):
    _on_agenda(meeting, track)
    with pytest.raises(ServiceError) as error:
        meeting_close(meeting=meeting, user=decision_maker)
    assert error.value.code == "undecided"


def test_rejection_needs_reasons_and_approval_an_amount(client, meeting, track):
    a = _on_agenda(meeting, track)
    assert _decide(client, meeting, a, outcome="rejected", reasons="").status_code == 400
    assert _decide(client, meeting, a, outcome="approved", amount="").status_code == 400
    assert not Decision.objects.exists()


def test_multi_year_amounts_must_add_up(client, meeting, track):
    track.multi_year = True
    track.save()
    a = _on_agenda(meeting, track)
    response = _decide(
        client,
        meeting,
        a,
        outcome="approved",
        amount="500000",
        amount_per_year="2030: 300000\n2031: 100000",
    )
    assert response.status_code == 400
    _decide(
        client,
        meeting,
        a,
        outcome="approved",
        amount="",
        amount_per_year="2030: 300000\n2031: 200000",
    )
    decision = Decision.objects.get()
    assert decision.amount == 500_000 and decision.amount_per_year == {
        "2030": 300_000,
        "2031": 200_000,
    }


def test_a_supplementary_grant_is_a_new_decision_at_a_later_meeting(
    client, meeting, track, decision_maker, django_capture_on_commit_callbacks
):
    a = _on_agenda(meeting, track)
    _decide(client, meeting, a, outcome="approved", amount="300000")
    close_meeting(client, meeting)
    later = DecisionMeeting.objects.create(round=track.round, date=dt.date(2030, 9, 1))
    a.refresh_from_db()
    later.agenda.add(a)
    _decide(client, later, a, outcome="approved", amount="100000")
    with django_capture_on_commit_callbacks(execute=True):
        assert close_meeting(client, later).status_code == 302
    grant = Grant.objects.get()
    assert grant.amount_total == 400_000 and grant.has_supplementary
    assert grant.last_decided_on == dt.date(2030, 9, 1)
    assert list(Decision.objects.order_by("id").values_list("kind", flat=True)) == [
        "original",
        "supplementary",
    ]
    assert Payment.objects.filter(grant=grant).count() == 3


def test_letter_task_is_idempotent(client, meeting, track, django_capture_on_commit_callbacks):
    a = _on_agenda(meeting, track)
    _decide(client, meeting, a, outcome="rejected", reasons="Utanför målgruppen")
    with django_capture_on_commit_callbacks(execute=True):
        close_meeting(client, meeting)
    decision = Decision.objects.get()
    name = decision.letter_pdf.name
    assert letter_render(kind="decision", object_id=decision.pk) is False
    decision.refresh_from_db()
    assert decision.letter_pdf.name == name


def test_reallocation_writes_two_budget_changes_and_lets_the_meeting_close(
    client, meeting, track, django_capture_on_commit_callbacks
):
    other = factories.make_track(round_=track.round, civil=False, budget_cap=2_000_000)
    a = _on_agenda(meeting, track)
    _decide(client, meeting, a, outcome="approved", amount="1200000")
    assert close_meeting(client, meeting).status_code == 409
    response = client.post(
        f"/handlaggning/omgang/{track.round.pk}/omfordelning/",
        {
            "from_track": other.pk,
            "to_track": track.pk,
            "amount": "300000",
            "effective_on": "2030-06-10",
            "reference": "Ku2030/123",
            "reason": "Regeringsbeslut",
        },
    )
    assert response.status_code == 302
    changes = {c.track_id: c.new_cap for c in BudgetChange.objects.filter(reference="Ku2030/123")}
    assert changes == {other.pk: 1_700_000, track.pk: 1_300_000}
    with django_capture_on_commit_callbacks(execute=True):
        assert close_meeting(client, meeting).status_code == 302


def test_reallocation_cannot_take_money_already_decided(client, meeting, track):
    other = factories.make_track(round_=track.round, civil=False)
    a = _on_agenda(meeting, track)
    _decide(client, meeting, a, outcome="approved", amount="900000")
    close_meeting(client, meeting)
    response = client.post(
        f"/handlaggning/omgang/{track.round.pk}/omfordelning/",
        {
            "from_track": track.pk,
            "to_track": other.pk,
            "amount": "200000",
            "effective_on": "2030-07-01",
            "reference": "X",
            "reason": "Y",
        },
    )
    assert response.status_code == 200
    assert not BudgetChange.objects.exists()


def test_case_officers_cannot_record_decisions_or_close(client, meeting, track, case_officer):
    a = _on_agenda(meeting, track)
    client.force_login(case_officer)
    assert client.get(f"/handlaggning/moten/{meeting.pk}/").status_code == 200
    assert _decide(client, meeting, a, outcome="approved", amount="1000").status_code == 404
    assert close_meeting(client, meeting).status_code == 404
    assert not Decision.objects.exists()
    assert Report.objects.count() == 0


def test_a_decision_maker_with_a_conflict_does_not_see_or_decide_that_item(
    client, meeting, track, decision_maker
):
    a = _on_agenda(meeting, track)
    a.conflicts.create(officer=decision_maker, reason="Styrelseledamot")
    html = client.get(f"/handlaggning/moten/{meeting.pk}/").content.decode()
    assert f'id="a{a.pk}"' not in html
    assert _decide(client, meeting, a, outcome="approved", amount="1000").status_code == 404


def test_decision_form_starts_from_the_decision_else_the_recommendation(
    meeting, track, case_officer
):
    application = _on_agenda(meeting, track)
    assert decision_form_initial(application, None) == {}
    Assessment.objects.create(
        application=application,
        officer=case_officer,
        recommendation="reject",
        proposed_amount=0,
        version=1,
    )
    application.refresh_from_db()
    assert decision_form_initial(application, None) == {"outcome": "rejected", "amount": 0}
    decision = Decision(
        application=application,
        meeting=meeting,
        outcome="approved",
        amount=300_000,
        amount_per_year={"2030": 100_000, "2031": 200_000},
        reasons="Väl underbyggd.",
    )
    assert decision_form_initial(application, decision) == {
        "outcome": "approved",
        "amount": 300_000,
        "amount_per_year": "2030: 100000\n2031: 200000",
        "reasons": "Väl underbyggd.",
    }


def test_an_application_is_on_at_most_one_open_meeting(client, meeting, track, case_officer):
    from grants.services.decisions import meeting_add_applications

    application = _on_agenda(meeting, track)
    other = DecisionMeeting.objects.create(round=track.round, date=dt.date(2030, 6, 20))
    with pytest.raises(ServiceError) as refused:
        meeting_add_applications(meeting=other, applications=[application], user=case_officer)
    assert refused.value.code == "on_other_meeting"
    assert "2030-06-12 (Juni)" in refused.value.message
    assert not other.agenda.exists()
    # In the queue, the refusal names the other meeting next to the action.
    client.force_login(case_officer)
    response = client.post(
        "/handlaggning/ko/atgard/",
        {"application": [application.pk], "action": "meeting", "meeting": other.pk},
    )
    assert response.status_code == 400
    assert "finns redan på det öppna beslutstillfället 2030-06-12 (Juni)" in (
        response.content.decode()
    )
    # Once the first meeting is closed, a later meeting may take it (a supplementary grant).
    meeting.status = DecisionMeeting.Status.CLOSED
    meeting.save()
    application.status = "approved"
    application.save()
    assert meeting_add_applications(meeting=other, applications=[application], user=case_officer)


def test_an_item_can_be_taken_off_an_open_meeting(client, meeting, track, case_officer):
    kept, dropped, decided = (_on_agenda(meeting, track) for _ in range(3))
    assert _decide(client, meeting, decided, outcome="approved", amount="1000").status_code == 302
    page = client.get(f"/handlaggning/moten/{meeting.pk}/").content.decode()
    assert f"/handlaggning/moten/{meeting.pk}/ta-bort/{dropped.pk}/" in page
    assert f"Ta bort {dropped.case_number} från dagordningen" in page

    # A case officer takes an undecided item off; one with a decision only a decision maker may.
    client.force_login(case_officer)
    page = client.get(f"/handlaggning/moten/{meeting.pk}/").content.decode()
    assert f"/ta-bort/{decided.pk}/" not in page
    response = client.post(f"/handlaggning/moten/{meeting.pk}/ta-bort/{dropped.pk}/", follow=True)
    assert f"{dropped.case_number} är borttagen från beslutstillfällets dagordning." in (
        response.content.decode()
    )
    response = client.post(f"/handlaggning/moten/{meeting.pk}/ta-bort/{decided.pk}/", follow=True)
    assert "bara en beslutsfattare" in response.content.decode()
    assert set(meeting.agenda.all()) == {kept, decided}
    event = Event.objects.get(action="meeting.application_removed")
    assert (event.application, event.actor) == (dropped, case_officer)

    # The decision maker drops the decided item: its unfinal decision goes with it.
    client.force_login(meeting_decider := factories.make_decision_maker())
    client.post(f"/handlaggning/moten/{meeting.pk}/ta-bort/{decided.pk}/")
    assert list(meeting.agenda.all()) == [kept]
    assert not Decision.objects.filter(application=decided).exists()
    assert meeting_decider

    # Now the meeting closes with what is left, and a dropped item can go to another meeting.
    assert _decide(client, meeting, kept, outcome="approved", amount="1000").status_code == 302
    assert close_meeting(client, meeting).status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == "closed"
    # A closed meeting's agenda is fixed.
    response = client.post(f"/handlaggning/moten/{meeting.pk}/ta-bort/{kept.pk}/", follow=True)
    assert "Beslutstillfället är stängt" in response.content.decode()
    assert list(meeting.agenda.all()) == [kept]


def test_a_double_clicked_decision_and_close_do_one_thing(
    client, meeting, track, django_capture_on_commit_callbacks, settings
):
    a = _on_agenda(meeting, track)
    for _click in range(2):
        _decide(client, meeting, a, outcome="rejected", reasons="Utanför målgruppen")
    assert Decision.objects.filter(application=a).count() == 1
    confirm = meeting_close_summary(meeting).fingerprint
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(f"/handlaggning/moten/{meeting.pk}/stang/", {"confirm": confirm})
        second = client.post(f"/handlaggning/moten/{meeting.pk}/stang/", {"confirm": confirm})
    assert first.status_code == 302 and second.status_code in (302, 409)
    assert Event.objects.filter(action="meeting.closed").count() == 1
    assert Event.objects.filter(action="application.rejected").count() == 1
    (job,) = OutboxJob.objects.filter(kind="letter")
    assert job.status == "done" and job.application_id == a.pk
    letters = Path(settings.PRIVATE_MEDIA_ROOT) / "letters"
    assert [p.name for p in letters.iterdir()] == [f"decision-{Decision.objects.get().pk}.pdf"]


def test_a_double_clicked_payment_is_paid_once(client, case_officer):
    grant = factories.make_grant()
    payment = grant.payments.create(
        number=1, amount=200_000, due_date=dt.date(2030, 7, 1), status="released"
    )
    client.force_login(case_officer)
    for _click in range(2):
        response = client.post(f"/handlaggning/utbetalningar/{payment.pk}/betald/")
        assert response.status_code == 302
    payment.refresh_from_db()
    assert payment.status == "paid"
    assert Event.objects.filter(action="payment.paid").count() == 1
