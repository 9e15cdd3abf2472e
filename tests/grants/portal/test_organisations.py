import re

import pytest

from grants.models import Event, Invitation, Membership, Organisation
from tests import factories


def _org_data(**extra):
    data = {
        "name": "Föreningen Mötesplats",
        "org_number": "802500-1234",
        "org_type": "ideell_forening",
        "seat": "2183",  # Bollnäs
        "street_address": "Storgatan 1",
        "postcode": "82130",
        "town": "Bollnäs",
        "phone": "0278-12345",
        "email": "info@motesplats.example",
        "bankgiro": "5050-1055",
        "plusgiro": "",
        "signatory": "Stina Styrelse",
    }
    data.update(extra)
    return data


def _valid_number(first="8"):
    return factories.org_number(first)


@pytest.mark.django_db
def test_creating_an_organisation_makes_the_user_its_representative(client, applicant):
    client.force_login(applicant)
    number = _valid_number()
    response = client.post("/portal/organisationer/ny/", _org_data(org_number=number))
    assert response.status_code == 302
    organisation = Organisation.objects.get(org_number=number)
    assert organisation.seat.name == "Bollnäs"
    assert organisation.postcode == "821 30"
    assert organisation.bankgiro == "5050-1055"
    membership = Membership.objects.get(organisation=organisation)
    assert membership.user == applicant and membership.role == "representative"
    assert Event.objects.filter(action="organisation.created", organisation=organisation).exists()


@pytest.mark.django_db
def test_a_wrong_legal_form_digit_names_the_expected_digit(client, applicant):
    client.force_login(applicant)
    response = client.post("/portal/organisationer/ny/", _org_data(org_number=_valid_number("2")))
    html = response.content.decode()
    assert response.status_code == 200
    assert "börjar med 8" in html and "börjar med 2" in html
    assert 'value="Föreningen Mötesplats"' in html


@pytest.mark.django_db
def test_a_typing_error_in_the_number_or_the_bankgiro_is_refused(client, applicant):
    client.force_login(applicant)
    response = client.post(
        "/portal/organisationer/ny/", _org_data(org_number="802000-0007", bankgiro="5050-1056")
    )
    html = response.content.decode()
    assert "Kontrollsiffran stämmer inte" in html
    assert "bankgiro" in html.lower()
    assert not Organisation.objects.filter(name="Föreningen Mötesplats").exists()


@pytest.mark.django_db
def test_bankgiro_or_plusgiro_is_required(client, applicant):
    client.force_login(applicant)
    response = client.post(
        "/portal/organisationer/ny/", _org_data(org_number=_valid_number(), bankgiro="")
    )
    assert "Ange ett bankgiro- eller plusgironummer" in response.content.decode()


@pytest.mark.django_db
def test_a_registered_number_is_refused_with_advice_to_ask_for_an_invitation(
    client, applicant, organisation
):
    other = factories.make_user()
    client.force_login(other)
    response = client.post(
        "/portal/organisationer/ny/", _org_data(org_number=organisation.org_number)
    )
    html = response.content.decode()
    assert "redan registrerad" in html and "bjuda in dig" in html
    assert Organisation.objects.filter(org_number=organisation.org_number).count() == 1


@pytest.mark.django_db
def test_a_municipality_is_linked_to_itself(client, applicant):
    client.force_login(applicant)
    number = _valid_number("2")
    response = client.post(
        "/portal/organisationer/ny/",
        _org_data(org_number=number, org_type="kommun", name="Bollnäs kommun"),
    )
    assert response.status_code == 302
    assert Organisation.objects.get(org_number=number).represents_kommun.name == "Bollnäs"


@pytest.mark.django_db
def test_the_seat_is_chosen_among_all_290_municipalities_by_name(client, applicant):
    client.force_login(applicant)
    html = client.get("/portal/organisationer/ny/").content.decode()
    select = re.search(r'<select name="seat".*?</select>', html, re.S).group(0)
    assert select.count("<option") == 291
    assert ">Bollnäs</option>" in select


@pytest.mark.django_db
def test_representative_invites_a_colleague_who_accepts_by_link(
    client, applicant, organisation, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(applicant)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/portal/organisationer/{organisation.pk}/bjud-in/", {"email": "Kollega@Example.org"}
        )
    assert Invitation.objects.get().email == "kollega@example.org"
    message = mailoutbox[0]
    assert "Föreningen Grannskap" in message.subject
    path = re.search(r"/portal/inbjudan/\S+/", message.body).group(0)
    colleague = factories.make_user(email="kollega@example.org")
    client.force_login(colleague)
    response = client.post(path)
    assert response.status_code == 302
    assert Membership.objects.get(user=colleague, organisation=organisation).role == "member"
    # The link works once; the colleague is a member and sees the organisation.
    assert client.get(f"/portal/organisationer/{organisation.pk}/").status_code == 200


@pytest.mark.django_db
def test_an_invitation_is_only_for_the_invited_address(
    client, applicant, organisation, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(applicant)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/portal/organisationer/{organisation.pk}/bjud-in/", {"email": "kollega@example.org"}
        )
    path = re.search(r"/portal/inbjudan/\S+/", mailoutbox[0].body).group(0)
    client.force_login(factories.make_user(email="someone@example.org"))
    response = client.post(path)
    assert response.status_code == 400
    assert not organisation.memberships.filter(user__email="someone@example.org").exists()


@pytest.mark.django_db
def test_an_expired_invitation_is_refused(
    client, applicant, organisation, mailoutbox, django_capture_on_commit_callbacks
):
    import datetime as dt

    import time_machine

    with time_machine.travel(dt.datetime.now(dt.UTC) - dt.timedelta(days=15)):
        client.force_login(applicant)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                f"/portal/organisationer/{organisation.pk}/bjud-in/",
                {"email": "kollega@example.org"},
            )
    path = re.search(r"/portal/inbjudan/\S+/", mailoutbox[0].body).group(0)
    client.force_login(factories.make_user(email="kollega@example.org"))
    response = client.post(path)
    assert response.status_code == 400
    assert "har slutat gälla" in response.content.decode()


@pytest.mark.django_db
def test_representative_removes_a_member_but_a_member_cannot(client, applicant, organisation):
    colleague = factories.make_user()
    membership = Membership.objects.create(user=colleague, organisation=organisation)
    client.force_login(colleague)
    client.post(f"/portal/organisationer/{organisation.pk}/medlemmar/{membership.pk}/ta-bort/")
    assert Membership.objects.filter(pk=membership.pk).exists()
    client.force_login(applicant)
    client.post(f"/portal/organisationer/{organisation.pk}/medlemmar/{membership.pk}/ta-bort/")
    assert not Membership.objects.filter(pk=membership.pk).exists()


@pytest.mark.django_db
def test_an_invited_newcomer_registers_and_lands_on_the_invitation(
    client, applicant, organisation, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(applicant)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/portal/organisationer/{organisation.pk}/bjud-in/", {"email": "ny@example.org"}
        )
    invitation = re.search(r"/portal/inbjudan/\S+/", mailoutbox[0].body).group(0)
    client.logout()
    login_page = client.get(invitation, follow=True).content.decode()
    assert "/konto/registrera/?next=" in login_page
    password = "a-long-enough-Passphrase-2"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/konto/registrera/",
            {
                "full_name": "Ny Kollega",
                "email": "ny@example.org",
                "password1": password,
                "password2": password,
                "next": invitation,
            },
        )
    verify = re.search(r"/konto/verifiera/\S+/", mailoutbox[-1].body).group(0)
    response = client.get(verify)
    assert response["Location"] == invitation
    client.post(invitation)
    assert organisation.memberships.filter(user__email="ny@example.org").exists()


@pytest.mark.django_db
def test_registration_ignores_a_next_address_on_another_site(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    password = "a-long-enough-Passphrase-2"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/konto/registrera/",
            {
                "full_name": "Ny",
                "email": "ny2@example.org",
                "password1": password,
                "password2": password,
                "next": "https://evil.example/",
            },
        )
    verify = re.search(r"/konto/verifiera/\S+/", mailoutbox[-1].body).group(0)
    assert client.get(verify)["Location"] == "/portal/"
