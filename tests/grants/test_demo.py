import datetime as dt

import pytest
from django.core.management import call_command
from django.db.models import Count, Sum

from grants.demo.facts import ROUND_SLUG
from grants.demo.multi_year import ASSOCIATION
from grants.models import (
    Application,
    BudgetChange,
    Decision,
    DecisionMeeting,
    Event,
    Grant,
    Membership,
    Organisation,
    Round,
)

pytestmark = pytest.mark.django_db

COUNTED = [Round, Organisation, Application, Decision, Grant, Event, BudgetChange, Membership]


def _counts():
    return {model.__name__: model.objects.count() for model in COUNTED}


def test_load_demo_twice_leaves_the_same_counts(capsys):
    call_command("load_demo")
    first = _counts()
    call_command("load_demo")
    assert _counts() == first
    assert "nothing changed" in capsys.readouterr().out


def test_demo_round_has_the_public_2020_figures(demo):
    round_ = Round.objects.get(year=2020)
    municipal, civil = round_.tracks.order_by("position")
    assert (municipal.ordinance, municipal.budget_cap) == ("SFS 2018:118", 57_000_000)
    assert (civil.ordinance, civil.budget_cap) == ("SFS 2018:119", 25_000_000)
    assert Application.objects.filter(track=municipal).count() == 67
    assert Application.objects.filter(track=civil).count() == 205
    assert Grant.objects.filter(application__track=municipal).count() == 39
    assert Grant.objects.filter(application__track=civil).count() == 31
    total = Grant.objects.filter(round=round_).aggregate(total=Sum("amount_total"))["total"]
    assert 81_500_000 <= total <= 82_000_000


def test_demo_grants_stay_within_the_caps_after_the_reallocation(demo):
    for track in Round.objects.get(year=2020).tracks.all():
        change = track.budget_changes.get()
        assert change.effective_on == dt.date(2020, 6, 25)
        granted = Grant.objects.filter(application__track=track).aggregate(s=Sum("amount_total"))[
            "s"
        ]
        assert granted <= change.new_cap
        june_12 = Decision.objects.filter(
            application__track=track, meeting__date=dt.date(2020, 6, 12)
        ).aggregate(s=Sum("amount"))["s"]
        assert june_12 <= track.budget_cap


def test_demo_has_the_two_decision_meetings_with_57_and_13_approvals(demo):
    approvals = dict(
        Decision.objects.filter(
            outcome="approved", kind="original", application__round__slug=ROUND_SLUG
        )
        .values_list("meeting__date")
        .annotate(n=Count("id"))
    )
    assert approvals == {dt.date(2020, 6, 12): 57, dt.date(2020, 6, 25): 13}
    assert DecisionMeeting.objects.filter(status="closed", round__slug=ROUND_SLUG).count() == 2


def test_demo_holds_the_public_facts_of_25_june(demo):
    from grants.demo import CIVIL_GRANTED_JUNE_25

    krokom = Grant.objects.get(application__organisation__name="Krokoms kommun")
    assert krokom.amount_total == 700_000
    assert krokom.awarded_on == dt.date(2020, 6, 25)

    landskrona = Grant.objects.get(application__organisation__name="Landskrona kommun")
    supplement = landskrona.application.decisions.get(kind="supplementary")
    assert supplement.amount == 1_000_000
    assert supplement.meeting.date == dt.date(2020, 6, 25)
    assert landskrona.awarded_on == dt.date(2020, 6, 12)
    assert landskrona.has_supplementary

    for name in CIVIL_GRANTED_JUNE_25:
        grant = Grant.objects.get(application__organisation__name=name)
        assert grant.awarded_on == dt.date(2020, 6, 25)


def test_demo_has_the_halsingland_showcase(demo):
    grant = Grant.objects.select_related("application__organisation__seat__lan").get(
        application__organisation__name="Hälsinglands utbildningsförbund"
    )
    org = grant.application.organisation
    assert org.org_type == "kommunalforbund"
    assert org.seat.lan.name == "Gävleborgs län"
    assert "samverkansmodell" in grant.public_title
    assert {k.name for k in grant.beneficiary_kommuner.all()} == {
        "Bollnäs",
        "Söderhamn",
        "Nordanstig",
    }
    partners = set(grant.application.partners.values_list("name", flat=True))
    assert {"Region Gävleborg", "Högskolan i Gävle"} <= partners


def test_demo_marks_invented_data_and_keeps_facts_unmarked(demo):
    assert Round.objects.get(year=2020).is_demo is False
    assert not Organisation.objects.filter(is_demo=False).exists()
    krokom = Decision.objects.get(application__organisation__name="Krokoms kommun")
    assert krokom.is_demo is False
    assert BudgetChange.objects.filter(is_demo=True).count() == 2


def test_demo_organisation_numbers_are_valid_and_fit_their_type(demo):
    from grants.identifiers import check_legal_form, normalise_org_number

    for org in Organisation.objects.all():
        assert normalise_org_number(org.org_number) == org.org_number
        check_legal_form(org.org_number, org.org_type)


def test_demo_users_have_their_roles(demo):
    from grants.models import User
    from grants.roles import is_case_officer, is_decision_maker

    assert is_case_officer(User.objects.get(email="handlaggare@demo.delmos.example"))
    assert is_decision_maker(User.objects.get(email="beslutsfattare@demo.delmos.example"))
    applicant = User.objects.get(email="sokande@demo.delmos.example")
    # Hälsingland (the 2020 grant), and the association with the open round's multi-year grant.
    assert {m.organisation.name for m in applicant.memberships.all()} == {
        "Hälsinglands utbildningsförbund",
        ASSOCIATION,
    }
    assert not is_case_officer(applicant)
