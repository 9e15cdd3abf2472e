"""Zero axe violations (WCAG 2.1 A and AA) on every portal and account page, in Swedish and
English, including pages showing errors."""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from grants.models import DecisionMeeting, Payment, SupplementRequest
from grants.services.applications import application_transition
from grants.services.portal import application_submit
from tests import factories
from tests.browser.conftest import axe_violations
from tests.grants.portal.conftest import PDF_BYTES, complete

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ANONYMOUS_PAGES = [
    "/konto/logga-in/",
    "/konto/registrera/",
    "/konto/registrera/skickat/",
    "/konto/losenord/aterstall/",
    "/konto/losenord/aterstall/skickat/",
    "/konto/verifiera/broken-token/",
]


def _world():
    now = timezone.now()
    user = factories.make_user(email="axe@example.org", full_name="Axel Axe")
    officer = factories.make_officer()
    organisation = factories.make_organisation(name="Föreningen Axe", members=[user])
    round_ = factories.make_round(
        year=now.year,
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=30),
        grant_period_start=dt.date(now.year + 1, 1, 1),
        grant_period_end=dt.date(now.year + 2, 12, 31),
        progress_report_due=dt.date(now.year + 1, 9, 30),
    )
    track = factories.make_track(round_=round_, multi_year=True, max_years=2)
    factories.make_track(round_=round_, civil=False)
    draft = factories.make_application(track=track, organisation=organisation)
    submitted = complete(factories.make_application(track=track, organisation=organisation), user)
    application_submit(application=submitted, user=user, expected_version=None)
    submitted.refresh_from_db()
    application_transition(application=submitted, to_status="supplement_requested", user=officer)
    supplement = SupplementRequest.objects.create(
        application=submitted,
        message="Skicka budgeten per månad.",
        due_date=timezone.localdate() + dt.timedelta(days=5),
        requested_by=officer,
    )
    meeting = DecisionMeeting.objects.create(round=round_, date=timezone.localdate())
    grant = factories.make_grant(application=submitted, meeting=meeting)
    decision = submitted.decisions.get()
    decision.letter_pdf.save("b.pdf", ContentFile(PDF_BYTES))
    Payment.objects.create(grant=grant, number=1, due_date=timezone.localdate(), amount=200_000)
    pages = [
        "/portal/",
        "/portal/organisationer/ny/",
        f"/portal/organisationer/{organisation.pk}/",
        f"/portal/ansokningar/{draft.pk}/",
        f"/portal/ansokningar/{draft.pk}/granska/",
        f"/portal/ansokningar/{submitted.pk}/",
        f"/portal/ansokningar/{submitted.pk}/komplettering/{supplement.pk}/",
        f"/portal/ansokningar/{submitted.pk}/rapport/progress/",
        "/konto/losenord/byt/",
        "/portal/inbjudan/any-token/",
    ]
    pages += [
        f"/portal/ansokningar/{draft.pk}/{section}/"
        for section in (
            "project",
            "partners",
            "effect",
            "budget",
            "certifications",
            "funding",
            "attachments",
        )
    ]
    return pages


def _check(page, url):
    page.goto(url)
    assert page.locator("h1").count() == 1, url
    violations = axe_violations(page)
    assert violations == [], (url, violations)


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_account_pages_have_no_axe_violations(page, live_server, prefix):
    for path in ANONYMOUS_PAGES:
        _check(page, live_server.url + prefix + path)


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_portal_pages_have_no_axe_violations(page, live_server, login, prefix):
    pages = _world()
    login(page, "axe@example.org", "correct horse battery")
    for path in pages:
        _check(page, live_server.url + prefix + path)


def test_pages_with_errors_have_no_axe_violations(page, live_server, login):
    pages = _world()
    login(page, "axe@example.org", "correct horse battery")
    page.goto(live_server.url + "/portal/organisationer/ny/")
    page.get_by_label("Organisationsnummer").fill("212000-2412")
    page.get_by_role("button", name="Registrera organisationen").click()
    assert page.locator(".errorlist").count() > 0
    assert axe_violations(page) == []
    project = next(p for p in pages if p.endswith("/project/"))
    page.goto(live_server.url + project)
    page.get_by_label("Startdatum").fill("2031-05-01")
    page.get_by_label("Slutdatum").fill("2031-01-01")
    page.get_by_role("button", name="Spara", exact=True).click()
    assert page.get_by_role(
        "link", name="Slutdatum: Slutdatumet ligger före startdatumet."
    ).is_visible()
    assert axe_violations(page) == []
