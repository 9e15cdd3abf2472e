"""Every portal URL: a member of another organisation gets 404, an anonymous visitor the login
page. The URL list is read from the URL configuration, so a new portal URL is covered too."""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.urls import get_resolver, reverse
from django.utils import timezone, translation

from grants.models import DecisionMeeting, Membership, SupplementRequest
from grants.services.applications import application_transition
from grants.services.portal import application_submit
from tests import factories
from tests.grants.portal.conftest import PDF_BYTES, complete

# URLs that take no object of an organisation: open to every logged-in user.
NOT_OWNED = {"dashboard", "organisation_create", "invitation_accept"}


def _portal_names():
    resolver = get_resolver()
    names = set()
    for entry in resolver.url_patterns:
        for sub in getattr(entry, "url_patterns", []):
            if getattr(sub, "namespace", None) == "portal":
                names |= {p.name for p in sub.url_patterns}
    return sorted(names)


@pytest.fixture
def world(applicant, organisation, civil_track, case_officer):
    draft = factories.make_application(track=civil_track, organisation=organisation)
    draft = complete(draft, applicant)
    submitted = factories.make_application(track=civil_track, organisation=organisation)
    submitted = complete(submitted, applicant)
    application_submit(application=submitted, user=applicant, expected_version=None)
    submitted.refresh_from_db()
    submitted.receipt_pdf.save("r.pdf", ContentFile(PDF_BYTES))
    application_transition(
        application=submitted, to_status="supplement_requested", user=case_officer
    )
    supplement = SupplementRequest.objects.create(
        application=submitted,
        message="Mer",
        due_date=timezone.localdate() + dt.timedelta(days=5),
        requested_by=case_officer,
    )
    meeting = DecisionMeeting.objects.create(round=submitted.round, date=timezone.localdate())
    grant = factories.make_grant(application=submitted, meeting=meeting)
    decision = submitted.decisions.get()
    decision.letter_pdf.save("b.pdf", ContentFile(PDF_BYTES))
    member = Membership.objects.create(
        user=factories.make_user(), organisation=organisation, role=Membership.Role.MEMBER
    )
    pk, sub = draft.pk, submitted.pk
    return {
        "dashboard": [],
        "organisation_create": [],
        "invitation_accept": ["token"],
        "organisation": [organisation.pk],
        "invite": [organisation.pk],
        "member_remove": [organisation.pk, member.pk],
        "application_start": [organisation.pk, civil_track.pk],
        "application": [pk],
        "application_review": [pk],
        "application_submit": [pk],
        "application_section": [pk, "project"],
        "attachment": [pk, draft.attachments.get().pk],
        "attachment_delete": [pk, draft.attachments.get().pk],
        "receipt": [sub],
        "supplement_answer": [sub, supplement.pk],
        "letter": [sub, decision.pk],
        "report": [grant.application_id, "final"],
        "ledger_csv": [grant.application_id],
        "application_withdraw": [sub],
    }


def test_every_portal_url_is_in_the_access_table(world):
    assert set(_portal_names()) == set(world)


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_member_of_another_organisation_gets_404_everywhere(
    client, world, other_applicant, method
):
    client.force_login(other_applicant)
    for name, args in world.items():
        if name in NOT_OWNED:
            continue
        response = getattr(client, method)(reverse(f"portal:{name}", args=args))
        assert response.status_code in (404, 405), f"{name}: {response.status_code}"
        if response.status_code == 405:
            assert method == "get"


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_an_anonymous_visitor_is_sent_to_the_login_page_everywhere(client, world, prefix):
    for name, args in world.items():
        with translation.override("sv"):
            url = prefix + reverse(f"portal:{name}", args=args)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if response.status_code == 405:
                continue
            assert response.status_code == 302, f"{method} {name}: {response.status_code}"
            assert "/konto/logga-in/?next=" in response["Location"], name


def test_the_members_own_pages_answer(client, world, applicant):
    client.force_login(applicant)
    for name in (
        "dashboard",
        "organisation_create",
        "organisation",
        "application",
        "application_review",
        "application_section",
        "attachment",
        "receipt",
        "supplement_answer",
        "letter",
        "report",
        "ledger_csv",
    ):
        response = client.get(reverse(f"portal:{name}", args=world[name]))
        assert response.status_code == 200, name
