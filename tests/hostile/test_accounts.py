"""Accounts: single-use links, no log-in for whoever merely holds a link, the same answer for
known and unknown addresses, throttling per IP address, redirects only to this site."""

import re

import pytest
from django.test import Client

from grants.models import User
from tests import factories

PASSWORD = "a-long-enough-Passphrase-2"


def _register(client, email="new@example.org"):
    return client.post(
        "/konto/registrera/",
        {"full_name": "Nina Ny", "email": email, "password1": PASSWORD, "password2": PASSWORD},
    )


def _path(message) -> str:
    return re.search(r"https?://[^/\s]+(/\S+)", message.body).group(1)


@pytest.fixture
def registered(db, client, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _register(client)
    return _path(mailoutbox[-1])


def test_the_link_logs_in_the_registering_browser_once_and_then_dies(client, registered):
    response = client.get(registered)
    assert response.status_code == 302 and "_auth_user_id" in client.session
    client.logout()
    again = client.get(registered)
    assert again.status_code == 400
    assert "_auth_user_id" not in client.session
    stranger = Client()
    assert stranger.get(registered).status_code == 400
    assert "_auth_user_id" not in stranger.session


def test_a_link_opened_in_another_browser_verifies_but_does_not_log_in(registered):
    stranger = Client()
    response = stranger.get(registered)
    assert response.status_code == 302 and response["Location"].startswith("/konto/logga-in/")
    assert "_auth_user_id" not in stranger.session
    user = User.objects.get(email="new@example.org")
    assert user.is_active and user.email_verified_at is not None


def test_a_newer_verification_link_kills_the_older_one(
    client, registered, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _register(client)
    newer = _path(mailoutbox[-1])
    assert newer != registered
    assert client.get(registered).status_code == 400
    assert client.get(newer).status_code == 302


def test_registration_answers_alike_for_known_and_unknown_addresses(
    client, applicant, mailoutbox, django_capture_on_commit_callbacks
):
    applicant.email_verified_at = applicant.date_joined
    applicant.save()
    password_before = User.objects.get(pk=applicant.pk).password
    with django_capture_on_commit_callbacks(execute=True):
        known = _register(Client(), email="applicant@example.org")
        unknown = _register(Client(), email="nobody@example.org")
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert User.objects.get(pk=applicant.pk).password == password_before
    assert [m.to[0] for m in mailoutbox] == ["applicant@example.org", "nobody@example.org"]


def _reset(client, email):
    return client.post("/konto/losenord/aterstall/", {"email": email})


def test_reset_answers_alike_and_its_links_are_single_use_and_superseded(
    client, applicant, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        known = _reset(Client(), "applicant@example.org")
        unknown = _reset(Client(), "nobody@example.org")
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert len(mailoutbox) == 1
    first = _path(mailoutbox[0])
    with django_capture_on_commit_callbacks(execute=True):
        _reset(Client(), "applicant@example.org")
    second = _path(mailoutbox[1])
    # The older link died when the newer was sent.
    assert Client().get(first, follow=True).context["validlink"] is False
    browser = Client()
    response = browser.get(second, follow=True)
    assert response.context["validlink"] is True
    form_url = response.redirect_chain[-1][0]
    response = browser.post(form_url, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert response.status_code == 302
    # Used once: the same link no longer works.
    assert Client().get(second, follow=True).context["validlink"] is False


def test_reset_sends_nothing_at_once_from_the_request(client, applicant, mailoutbox):
    """The look-up and the e-mail run in a task after the answer (here: never committed), so
    the page does the same work for every address."""
    _reset(client, "applicant@example.org")
    assert mailoutbox == []


def test_one_ip_address_is_throttled_across_many_addresses(client, db):
    users = [factories.make_user(email=f"u{i}@example.org") for i in range(6)]
    for user in users[:5]:
        client.post("/konto/logga-in/", {"username": user.email, "password": "wrong"})
    response = client.post(
        "/konto/logga-in/", {"username": users[5].email, "password": "correct horse battery"}
    )
    assert response.status_code == 429
    assert "låst i 15 minuter" in response.content.decode()
    response = client.post(
        "/en/konto/logga-in/", {"username": users[5].email, "password": "correct horse battery"}
    )
    assert response.status_code == 429 and "locked for 15 minutes" in response.content.decode()


def test_one_address_is_throttled_across_ip_addresses(client, applicant):
    for i in range(5):
        client.post(
            "/konto/logga-in/",
            {"username": "applicant@example.org", "password": "wrong"},
            REMOTE_ADDR=f"10.0.0.{i + 1}",
        )
    response = client.post(
        "/konto/logga-in/",
        {"username": "applicant@example.org", "password": "correct horse battery"},
        REMOTE_ADDR="10.0.0.99",
    )
    assert response.status_code == 429


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "https:evil.example",
        "\x00/x",
        " https://evil.example",
    ],
)
def test_safe_next_url_refuses_other_sites(rf, target):
    from grants.redirects import safe_next_url

    request = rf.post("/", {"next": target})
    assert safe_next_url(request, "/fallback/") == "/fallback/"
    request = rf.post("/", {"next": "/handlaggning/uppfoljning/?status=paid"})
    assert safe_next_url(request, "/fallback/") == "/handlaggning/uppfoljning/?status=paid"


def test_marking_a_payment_paid_does_not_redirect_off_site(client, case_officer, monkeypatch, db):
    from grants.models import Payment
    from grants.services import payments as payment_services

    grant = factories.make_grant()
    payment = Payment.objects.create(
        grant=grant, number=1, amount=100, due_date=grant.awarded_on, status="released"
    )
    monkeypatch.setattr(payment_services, "payment_mark_paid", lambda **kwargs: None)
    client.force_login(case_officer)
    response = client.post(
        f"/handlaggning/utbetalningar/{payment.pk}/betald/", {"next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/handlaggning/bidrag/{grant.pk}/"
