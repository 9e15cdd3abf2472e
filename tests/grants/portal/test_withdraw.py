import pytest

from grants.models import Event
from grants.services.applications import application_transition
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(applicant, organisation):
    application = factories.make_application(organisation=organisation)
    return application_transition(application=application, to_status="submitted", user=applicant)


def _withdraw(client, application, confirm="yes"):
    return client.post(f"/portal/ansokningar/{application.pk}/aterta/", {"confirm": confirm})


def test_a_member_withdraws_a_submitted_application_and_it_stays_on_record(
    client, applicant, submitted
):
    client.force_login(applicant)
    page = client.get(f"/portal/ansokningar/{submitted.pk}/").content.decode()
    assert "Återta ansökan" in page

    response = _withdraw(client, submitted)

    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == "withdrawn"
    assert submitted.case_number
    assert Event.objects.filter(application=submitted, action="application.withdrawn").exists()
    page = client.get(response["Location"]).content.decode()
    assert "Ansökan har återtagits." in page
    assert "Återta ansökan" not in page


def test_withdrawing_needs_the_confirmation(client, applicant, submitted):
    client.force_login(applicant)
    response = _withdraw(client, submitted, confirm="")
    submitted.refresh_from_db()
    assert submitted.status == "submitted"
    assert "Kryssa i rutan" in client.get(response["Location"]).content.decode()


def test_a_decided_application_cannot_be_withdrawn(client, applicant, submitted):
    application_transition(application=submitted, to_status="in_assessment")
    application_transition(application=submitted, to_status="rejected")
    client.force_login(applicant)
    response = _withdraw(client, submitted)
    submitted.refresh_from_db()
    assert submitted.status == "rejected"
    assert "kan inte" in client.get(response["Location"]).content.decode()


def test_another_organisation_gets_404_and_anonymous_the_login(client, other_applicant, submitted):
    assert "/konto/logga-in/" in _withdraw(client, submitted)["Location"]
    client.force_login(other_applicant)
    assert _withdraw(client, submitted).status_code == 404
    submitted.refresh_from_db()
    assert submitted.status == "submitted"
