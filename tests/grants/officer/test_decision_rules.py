"""The decision rules live in the service (grants.services.decisions.decision_terms): the
decision form shows its problems at their fields, and the service refuses on the same rules."""

import pytest

from grants.forms.officer import DecisionForm
from grants.models import Decision
from grants.services import ServiceError
from grants.services import decisions as decision_rules
from grants.services.decisions import decision_record, decision_terms
from tests import factories

from .conftest import submit

PER_YEAR = {"": {}, "2030: 300000\n2031: 200000": {"2030": 300_000, "2031": 200_000}}
CASES = [
    {"outcome": "approved", "amount": "", "amount_per_year": "", "reasons": ""},
    {"outcome": "approved", "amount": "500000", "amount_per_year": "", "reasons": ""},
    {"outcome": "approved", "amount": "", "amount_per_year": "2030: 300000\n2031: 200000"},
    {"outcome": "approved", "amount": "400000", "amount_per_year": "2030: 300000\n2031: 200000"},
    {"outcome": "rejected", "amount": "", "amount_per_year": "", "reasons": " "},
    {"outcome": "rejected", "amount": "9", "amount_per_year": "", "reasons": "Outside the aim."},
]


@pytest.mark.parametrize("data", CASES)
def test_the_form_shows_exactly_the_services_problems_at_their_fields(data):
    form = DecisionForm(data)
    form.is_valid()
    terms, problems = decision_terms(
        outcome=data["outcome"],
        amount=int(data["amount"]) if data["amount"] else None,
        amount_per_year=PER_YEAR[data["amount_per_year"]],
        reasons=data.get("reasons", ""),
    )
    if data["outcome"] == "rejected":
        assert terms.amount == 0 and terms.amount_per_year == {}
    shown = {name: [str(message)] for name, message in problems.items()}
    assert shown == dict(form.errors)
    if not problems:
        assert form.cleaned_data["amount"] == terms.amount


def test_a_rule_added_to_the_service_shows_in_the_form_and_the_service(
    monkeypatch, track, decision_maker
):
    rules = decision_rules.decision_terms

    def stricter(**kwargs):
        terms, problems = rules(**kwargs)
        if terms.amount > 800_000:
            problems = {**problems, "amount": "At most 800 000 kr at one meeting."}
        return terms, problems

    monkeypatch.setattr(decision_rules, "decision_terms", stricter)
    form = DecisionForm({"outcome": "approved", "amount": "900000"})
    assert not form.is_valid()
    assert form.errors["amount"] == ["At most 800 000 kr at one meeting."]

    meeting = decision_rules.meeting_create(
        round_=track.round, user=decision_maker, date=track.round.grant_period_start
    )
    application = submit(factories.make_application(track=track), assess=True)
    meeting.agenda.add(application)
    with pytest.raises(ServiceError, match="At most 800 000 kr"):
        decision_record(
            meeting=meeting,
            application=application,
            user=decision_maker,
            outcome="approved",
            amount=900_000,
        )
    assert not Decision.objects.exists()
    decision_record(
        meeting=meeting, application=application, user=decision_maker, outcome="approved", amount=1
    )
    assert Decision.objects.get().amount == 1
