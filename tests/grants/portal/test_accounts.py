import re

import pytest
from django.urls import reverse

from grants.models import User
from tests import factories

PASSWORD = "a-long-enough-Passphrase-2"


def _register(client, email="new@example.org", prefix=""):
    return client.post(
        f"{prefix}/konto/registrera/",
        {"full_name": "Nina Ny", "email": email, "password1": PASSWORD, "password2": PASSWORD},
    )


def _link(message) -> str:
    return re.search(r"https?://\S+", message.body).group(0)


@pytest.mark.django_db
def test_registration_creates_an_inactive_user_and_mails_a_verification_link(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _register(client)
    assert response.status_code == 302
    user = User.objects.get(email="new@example.org")
    assert user.is_active is False and user.email_verified_at is None
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.subject == "Bekräfta din e-postadress för Delmos"
    assert message.alternatives[0][1] == "text/html"
    assert "/konto/verifiera/" in message.body


@pytest.mark.django_db
def test_english_registration_sends_the_email_in_english(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _register(client, prefix="/en")
    assert mailoutbox[0].subject == "Confirm your e-mail address for Delmos"
    assert "/en/konto/verifiera/" in mailoutbox[0].body
    assert User.objects.get(email="new@example.org").language == "en"


@pytest.mark.django_db
def test_the_verification_link_activates_the_account_and_logs_in(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _register(client)
    link = _link(mailoutbox[0])
    response = client.get(link.split("8000", 1)[-1])
    assert response.status_code == 302 and response["Location"] == reverse("portal:dashboard")
    user = User.objects.get(email="new@example.org")
    assert user.is_active and user.email_verified_at is not None
    assert client.get(reverse("portal:dashboard")).status_code == 200


@pytest.mark.django_db
def test_a_tampered_verification_link_is_refused(client):
    response = client.get("/konto/verifiera/not-a-token/")
    assert response.status_code == 400
    assert "Länken är inte giltig." in response.content.decode()


@pytest.mark.django_db
def test_registration_keeps_what_was_typed_and_explains_weak_passwords(client):
    response = client.post(
        "/konto/registrera/",
        {"full_name": "Nina Ny", "email": "nina@example.org", "password1": "12345678"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="nina@example.org"' in html and 'value="Nina Ny"' in html
    assert not User.objects.filter(email="nina@example.org").exists()


@pytest.mark.django_db
def test_registering_an_existing_address_answers_alike_and_tells_the_owner(
    client, applicant, mailoutbox, django_capture_on_commit_callbacks
):
    applicant.email_verified_at = applicant.date_joined
    applicant.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = _register(client, email="applicant@example.org")
    assert response.status_code == 302 and response["Location"] == "/konto/registrera/skickat/"
    assert mailoutbox[0].subject == "Ditt konto hos Delmos"
    assert "redan har ett konto" in mailoutbox[0].body


@pytest.mark.django_db
def test_login_is_locked_after_five_failed_attempts_with_a_clear_message(client, applicant):
    for _ in range(5):
        response = client.post(
            "/konto/logga-in/", {"username": "applicant@example.org", "password": "wrong"}
        )
    assert response.status_code == 429
    assert "låst i 15 minuter" in response.content.decode()
    response = client.post(
        "/konto/logga-in/",
        {"username": "applicant@example.org", "password": "correct horse battery"},
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_good_login_after_a_few_failures_works(client, applicant):
    for _ in range(2):
        client.post("/konto/logga-in/", {"username": "applicant@example.org", "password": "x"})
    response = client.post(
        "/konto/logga-in/",
        {"username": "applicant@example.org", "password": "correct horse battery"},
    )
    assert response.status_code == 302


@pytest.mark.django_db
def test_password_reset_mails_a_link_that_sets_a_new_password(
    client, applicant, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/konto/losenord/aterstall/", {"email": "applicant@example.org"})
    assert len(mailoutbox) == 1
    assert mailoutbox[0].alternatives[0][1] == "text/html"
    path = re.search(r"/konto/losenord/aterstall/\S+/\S+/", mailoutbox[0].body).group(0)
    response = client.get(path, follow=True)
    form_url = response.redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert response.status_code == 302
    applicant.refresh_from_db()
    assert applicant.check_password(PASSWORD)


@pytest.mark.django_db
def test_password_change_needs_the_old_password(client, applicant):
    client.force_login(applicant)
    response = client.post(
        "/konto/losenord/byt/",
        {"old_password": "wrong", "new_password1": PASSWORD, "new_password2": PASSWORD},
    )
    assert response.status_code == 200
    response = client.post(
        "/konto/losenord/byt/",
        {
            "old_password": "correct horse battery",
            "new_password1": PASSWORD,
            "new_password2": PASSWORD,
        },
    )
    assert response.status_code == 302
    applicant.refresh_from_db()
    assert applicant.check_password(PASSWORD)


def test_session_and_csrf_cookies_are_secure_by_default(settings):
    assert settings.SESSION_COOKIE_HTTPONLY and settings.CSRF_COOKIE_HTTPONLY
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"
    assert settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"


@pytest.mark.django_db
def test_password_validators_refuse_short_passwords(client):
    response = _register(client)
    assert response.status_code == 302
    user = factories.make_user()
    client.force_login(user)
    response = client.post(
        "/konto/losenord/byt/",
        {
            "old_password": "correct horse battery",
            "new_password1": "short",
            "new_password2": "short",
        },
    )
    assert response.status_code == 200
    assert "minst 10 tecken" in response.content.decode()
