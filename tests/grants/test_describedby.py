"""Every aria-describedby on every form page points at ids that exist on that page (once),
empty and showing errors: otherwise a screen reader never reads the hint or the error. Site-wide: accounts, the applicant portal, the case officers' workspace, the public list."""

import datetime as dt
from collections import Counter
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from grants.services.portal import application_submit
from tests import factories
from tests.grants.portal.conftest import complete

pytestmark = pytest.mark.django_db


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: Counter = Counter()
        self.described: list[tuple[str, str]] = []
        self._template = 0

    def handle_starttag(self, tag, attrs):
        if tag == "template":  # inert until the script copies it
            self._template += 1
        if self._template:
            return
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids[attrs["id"]] += 1
        if attrs.get("aria-describedby") is not None:
            self.described.append((tag, attrs["aria-describedby"]))

    def handle_endtag(self, tag):
        if tag == "template":
            self._template -= 1


def _check(html: str, where: str) -> int:
    parser = _Ids()
    parser.feed(html)
    missing = [
        (tag, ref)
        for tag, refs in parser.described
        for ref in refs.split()
        if ref not in parser.ids
    ]
    assert missing == [], where
    twice = {ref for _tag, refs in parser.described for ref in refs.split() if parser.ids[ref] > 1}
    assert twice == set(), where
    return len(parser.described)


def _world():
    now = timezone.now()
    user = factories.make_user(email="aria@example.org")
    organisation = factories.make_organisation(name="Föreningen Aria", members=[user])
    round_ = factories.make_round(
        year=now.year,
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=30),
        grant_period_start=dt.date(now.year + 1, 1, 1),
        grant_period_end=dt.date(now.year + 2, 12, 31),
        last_use_date=dt.date(now.year + 2, 12, 31),
        progress_report_due=dt.date(now.year + 1, 9, 30),
        final_report_due=dt.date(now.year + 3, 6, 30),
    )
    track = factories.make_track(round_=round_, multi_year=True, max_years=2)
    draft = factories.make_application(track=track, organisation=organisation)
    submitted = complete(factories.make_application(track=track, organisation=organisation), user)
    application_submit(application=submitted, user=user, expected_version=None)
    return user, organisation, round_, draft, submitted


def test_every_describedby_on_every_form_page_resolves(client):
    user, organisation, round_, draft, submitted = _world()
    counted = 0
    for url in ["/konto/logga-in/", "/konto/registrera/", "/konto/losenord/aterstall/"]:
        counted += _check(client.get(url).content.decode(), url)
    counted += _check(
        client.post("/konto/registrera/", {"email": "x", "password1": "a"}).content.decode(),
        "register with errors",
    )

    client.force_login(user)
    sections = ["project", "partners", "effect", "budget", "certifications", "funding"]
    for section in [*sections, "attachments"]:
        url = f"/portal/ansokningar/{draft.pk}/{section}/"
        counted += _check(client.get(url).content.decode(), url)
    bad = {
        "project": {"start_date": "snart", "end_date": "2020-01-01", "project_title": "x" * 201},
        "partners": {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "0",
            "form-0-role": "Utan namn",
        },
        "budget": {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "0",
            "form-0-amount": "tolv",
            "form-0-description": "x",
        },
        "funding": {"funding_amount": "tolv", "funding_decision_date": "31/2 2027"},
    }
    for section, data in bad.items():
        url = f"/portal/ansokningar/{draft.pk}/{section}/"
        # Saved as typed (issue 10); the page it leads back to shows the errors.
        html = client.post(url, {"version": draft.version, **data}, follow=True).content.decode()
        draft.refresh_from_db()
        assert "error-summary" in html, section
        counted += _check(html, f"{url} with errors")
    html = client.post(f"/portal/ansokningar/{draft.pk}/attachments/", {"kind": "x"}).content
    counted += _check(html.decode(), "attachments with errors")
    for url in [
        "/portal/organisationer/ny/",
        f"/portal/organisationer/{organisation.pk}/",
        f"/portal/ansokningar/{draft.pk}/granska/",
        "/konto/losenord/byt/",
    ]:
        counted += _check(client.get(url).content.decode(), url)
    html = client.post("/portal/organisationer/ny/", {"org_number": "1"}).content.decode()
    counted += _check(html, "organisation form with errors")

    officer = factories.make_officer(email="aria-officer@example.org")
    client.force_login(officer)
    url = f"/handlaggning/ansokan/{submitted.pk}/"
    counted += _check(client.get(url).content.decode(), url)
    html = client.post(
        f"/handlaggning/ansokan/{submitted.pk}/bedomning/",
        {"score_relevance": "9", "formal_requirements_met": "false"},
    ).content.decode()
    assert "error-summary" in html
    counted += _check(html, "assessment with errors")
    for url in ["/handlaggning/ko/", f"/handlaggning/omgang/{round_.pk}/nytt-mote/"]:
        response = client.get(url)
        if response.status_code == 200:
            counted += _check(response.content.decode(), url)
    counted += _check(client.get("/beviljade-bidrag/").content.decode(), "award list")
    assert counted > 40  # the pages above really describe their fields
