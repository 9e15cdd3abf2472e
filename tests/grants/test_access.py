import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/portal/", "/handlaggning/", "/en/portal/", "/en/handlaggning/"])
def test_anonymous_visitors_are_sent_to_the_login_page(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert "/konto/logga-in/?next=" in response["Location"]


def test_applicants_get_404_in_the_workspace(client, applicant):
    client.force_login(applicant)
    assert client.get("/handlaggning/").status_code == 404


def test_case_officer_and_decision_maker_open_the_workspace(client, case_officer, decision_maker):
    for user in (case_officer, decision_maker):
        client.force_login(user)
        assert client.get("/handlaggning/").status_code == 200


def test_portal_lists_only_the_users_own_organisations(
    client, applicant, organisation, other_applicant
):
    client.force_login(applicant)
    html = client.get("/portal/").content.decode()
    assert organisation.name in html
    assert "Another association" not in html


def test_login_with_email_sends_staff_to_the_workspace(client, case_officer):
    response = client.post(
        "/konto/logga-in/", {"username": "officer@example.org", "password": "correct horse battery"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/handlaggning/"


def test_a_wrong_password_says_so_in_swedish_and_keeps_the_email(client, applicant):
    response = client.post(
        "/konto/logga-in/", {"username": "applicant@example.org", "password": "nope"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "korrekt" in html  # Django's own Swedish message for a failed login
    assert 'value="applicant@example.org"' in html
