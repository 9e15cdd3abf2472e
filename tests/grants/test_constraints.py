import pytest
from django.db import IntegrityError, transaction

from grants.models import Decision, DecisionMeeting, Grant, Organisation
from tests import factories

pytestmark = pytest.mark.django_db


def _refused(callable_):
    with pytest.raises(IntegrityError), transaction.atomic():
        callable_()


def test_one_organisation_per_organisation_number():
    org = factories.make_organisation()
    _refused(lambda: factories.make_organisation(org_number=org.org_number))


def test_amounts_cannot_be_negative():
    app = factories.make_application()
    _refused(lambda: factories.make_application(requested_amount=-1))
    meeting = DecisionMeeting.objects.create(round=app.round, date="2030-06-01")
    _refused(
        lambda: Decision.objects.create(
            application=app, meeting=meeting, outcome="approved", amount=-5
        )
    )


def test_a_rejection_carries_no_amount():
    app = factories.make_application()
    meeting = DecisionMeeting.objects.create(round=app.round, date="2030-06-01")
    _refused(
        lambda: Decision.objects.create(
            application=app, meeting=meeting, outcome="rejected", amount=100
        )
    )


def test_one_case_number_per_round():
    app = factories.make_application(case_sequence=1, case_number="DELMOS 2030/1")
    _refused(
        lambda: factories.make_application(track=app.track, case_sequence=1, case_number="X 1")
    )
    _refused(lambda: factories.make_application(case_sequence=7, case_number="DELMOS 2030/1"))


def test_one_grant_per_application():
    grant = factories.make_grant()
    _refused(
        lambda: Grant.objects.create(
            application=grant.application,
            public_title="again",
            awarded_on=grant.awarded_on,
            last_decided_on=grant.awarded_on,
        )
    )


def test_a_municipality_organisation_names_its_municipality():
    _refused(
        lambda: Organisation.objects.create(
            name="Bollnäs kommun",
            org_number=factories.org_number("2"),
            org_type="kommun",
            seat=factories.kommun(),
        )
    )


def test_events_are_append_only():
    from grants.services.events import event_record

    event = event_record(action="test.done")
    event.action = "changed"
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()


def test_organisation_clean_normalises_and_checks_the_legal_form():
    from django.core.exceptions import ValidationError

    org = Organisation(
        name="X", org_number="2120002742", org_type="ideell_forening", seat=factories.kommun()
    )
    with pytest.raises(ValidationError) as exc:
        org.full_clean()
    assert "org_number" in exc.value.message_dict
    org.org_type = "kommunalforbund"
    org.full_clean()
    assert org.org_number == "212000-2742"


def test_an_untitled_draft_has_a_plain_string_name_for_the_audit_log():
    from grants.services.events import event_record

    draft = factories.make_application(project_title="")
    assert isinstance(str(draft), str)
    assert event_record(action="application.created", application=draft).target == str(draft)
