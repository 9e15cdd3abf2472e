"""Standards-clean pages: the Nu HTML Checker (vnu) and pa11y (HTML_CodeSniffer, WCAG2AA) find no
error on any page type (public, account, portal as an applicant, workspace as a case officer and
as a decision maker) in Swedish and English, all served by one live server.

vnu-jar and pa11y come from npm: .ci/run installs them into the repo-ignored .cache (vnu runs on
the machine's Java); the test skips only when they are absent. vnu reads every page in one run
(one Java start); pa11y drives one Chromium, a few pages at a time."""

import datetime as dt
import json
import os
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone

from grants.models import Assessment, DecisionMeeting, Grant, Payment, SupplementRequest, User
from grants.services.applications import application_transition
from grants.services.decisions import meeting_add_applications
from grants.services.portal import application_submit
from tests import factories
from tests.browser.conftest import CHROMIUM
from tests.grants.portal.conftest import PDF_BYTES, complete

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".cache"
PA11Y_MODULES = Path(os.environ.get("PA11Y_MODULES", CACHE / "pa11y" / "node_modules"))
VNU_JAR = Path(
    os.environ.get(
        "VNU_JAR", CACHE / "vnu" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
    )
)
RUNNER = Path(__file__).with_name("pa11y") / "run_pages.js"
JAVA = os.environ.get("JAVA", shutil.which("java") or "/usr/bin/java")
OFFICER = "handlaggare@demo.delmos.example"
DECIDER = "beslutsfattare@demo.delmos.example"
# Pages that answer 4xx on purpose: their error pages must be valid too.
ERROR_PAGES = (
    "/sidan-finns-inte/",
    "/konto/verifiera/broken-token/",
    "/portal/inbjudan/any-token/",
)


@pytest.fixture(autouse=True)
def _empty_page_cache():
    from django.core.cache import cache

    from grants.views.public import local_pages

    cache.clear()
    local_pages.clear()


def _public_paths() -> list[str]:
    grant = Grant.objects.select_related("application__organisation").get(
        application__organisation__name="Hälsinglands utbildningsförbund"
    )
    return [
        "/",
        "/beviljade-bidrag/",
        "/beviljade-bidrag/?county=21&sort=-amount",
        "/beviljade-bidrag/?q=finnsinte",
        f"/beviljade-bidrag/{grant.pk}/",
        f"/organisationer/{grant.application.organisation.org_number}/",
        "/lan/",
        "/lan/21/",
        "/kommuner/2183/",
        "/utlysningar/",
        "/utlysningar/2020/",
        "/utlysningar/2020/listor/",
        "/utlysningar/2020/listor/kommuner-och-regioner/v2/",
        "/oppna-data/",
        "/tillganglighet/",
        "/sidan-finns-inte/",
        "/konto/logga-in/",
        "/konto/registrera/",
        "/konto/registrera/skickat/",
        "/konto/losenord/aterstall/",
        "/konto/losenord/aterstall/skickat/",
        "/konto/verifiera/broken-token/",
    ]


def _applicant_paths() -> tuple[User, list[str]]:
    """An applicant with a draft, a submitted application asked for a supplement and granted."""
    now = timezone.now()
    user = factories.make_user(email="standards@example.org", full_name="Stina Standard")
    officer = User.objects.get(email=OFFICER)
    organisation = factories.make_organisation(name="Föreningen Standard", members=[user])
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
    submitted.decisions.get().letter_pdf.save("b.pdf", ContentFile(PDF_BYTES))
    Payment.objects.create(grant=grant, number=1, due_date=timezone.localdate(), amount=200_000)
    paths = [
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
    paths += [
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
    return user, paths


def _workspace_paths() -> tuple[list[str], list[str]]:
    """The workspace: the officer's pages on the demo's 2020 round and on an open round with an
    application in assessment; the decision maker's open meeting and the publications."""
    officer = User.objects.get(email=OFFICER)
    decider = User.objects.get(email=DECIDER)
    track = factories.make_track(budget_cap=1_000_000)
    organisation = factories.make_organisation(
        name="Föreningen Granskad", members=[factories.make_user()]
    )
    application = factories.make_application(track=track, organisation=organisation)
    application_transition(application=application, to_status="submitted")
    application.refresh_from_db()
    application_transition(application=application, to_status="in_assessment")
    application.refresh_from_db()
    Assessment.objects.create(
        application=application, officer=officer, recommendation="approve", proposed_amount=300_000
    )
    meeting = DecisionMeeting.objects.create(round=track.round, date=dt.date(2030, 6, 12))
    meeting_add_applications(meeting=meeting, applications=[application], user=decider)
    grant = Grant.objects.get(application__organisation__name="Hälsinglands utbildningsförbund")
    old = grant.application
    officer_paths = [
        "/handlaggning/",
        f"/handlaggning/?round={track.round.pk}",
        "/handlaggning/ko/",
        "/handlaggning/ko/?status=approved",
        f"/handlaggning/ansokan/{application.pk}/",
        f"/handlaggning/ansokan/{old.pk}/",
        f"/handlaggning/bidrag/{grant.pk}/",
        "/handlaggning/uppfoljning/",
    ]
    decider_paths = [
        "/handlaggning/",
        f"/handlaggning/moten/{meeting.pk}/",
        f"/handlaggning/moten/{old.decisions.first().meeting_id}/",
        "/handlaggning/publiceringar/",
        f"/handlaggning/omgang/{track.round.pk}/nytt-mote/",
        f"/handlaggning/omgang/{track.round.pk}/omfordelning/",
    ]
    return officer_paths, decider_paths


def _cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def _pages(base: str) -> list[tuple[str, str]]:
    """[(url, cookie)] for every page in both languages."""
    applicant, applicant_paths = _applicant_paths()
    officer_paths, decider_paths = _workspace_paths()
    groups = [
        ("", _public_paths()),
        (_cookie(applicant), applicant_paths),
        (_cookie(User.objects.get(email=OFFICER)), officer_paths),
        (_cookie(User.objects.get(email=DECIDER)), decider_paths),
    ]
    return [
        (f"{base}{prefix}{path}", cookie)
        for cookie, paths in groups
        for path in paths
        for prefix in ("", "/en")
    ]


def _fetch(url: str, cookie: str) -> str:
    headers = {"Cookie": cookie} if cookie else {}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - the live server
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - live server
            assert response.url == url, f"{url} redirected to {response.url}"
            return response.read().decode()
    except urllib.error.HTTPError as error:
        if any(part in url for part in ERROR_PAGES):
            return error.read().decode()
        raise AssertionError(f"{url} answered {error.code}") from error


def vnu_errors(documents: dict[str, str], folder: Path) -> dict[str, list[str]]:
    """Every page through the Nu HTML Checker in one Java run: {url: [error messages]}."""
    names = {}
    for number, (url, html) in enumerate(documents.items()):
        path = folder / f"page{number:03d}.html"
        path.write_text(html, encoding="utf-8")
        names[path.name] = url
    command = [JAVA, "-Xss8m", "-jar", str(VNU_JAR), "--errors-only", "--format", "json"]
    done = subprocess.run(
        [*command, "--exit-zero-always", *[str(folder / name) for name in names]],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    found: dict[str, list[str]] = {}
    for message in json.loads(done.stderr)["messages"]:
        url = names.get(message.get("url", "").rsplit("/", 1)[-1], message.get("url"))
        found.setdefault(url, []).append(
            f"line {message.get('lastLine')}: {message['message']} | {message.get('extract', '')!r}"
        )
    return found


def pa11y_errors(pages: list[tuple[str, str]]) -> dict[str, list[dict]]:
    done = subprocess.run(
        ["node", str(RUNNER), str(PA11Y_MODULES), CHROMIUM, "3"],
        input=json.dumps(pages),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    results = json.loads(done.stdout)
    assert set(results) == {url for url, _ in pages}
    return {url: issues for url, issues in results.items() if issues}


def test_every_page_type_passes_vnu_and_pa11y_in_both_languages(live_server, demo, tmp_path):
    if not VNU_JAR.exists() or shutil.which("node") is None:
        pytest.skip("vnu-jar is not installed (bash .ci/run installs it into .cache/vnu)")
    if not (PA11Y_MODULES / ".bin" / "pa11y").exists():
        pytest.skip("pa11y is not installed (bash .ci/run installs it into .cache/pa11y)")
    started = time.monotonic()
    pages = _pages(live_server.url)
    documents = {url: _fetch(url, cookie) for url, cookie in pages}
    fetched = time.monotonic()
    html_errors = vnu_errors(documents, tmp_path)
    checked = time.monotonic()
    access_errors = pa11y_errors(pages)
    seconds = {
        "pages": len(pages),
        "world_and_fetch": round(fetched - started, 1),
        "vnu": round(checked - fetched, 1),
        "pa11y": round(time.monotonic() - checked, 1),
    }
    report = json.dumps(
        {"seconds": seconds, "vnu": html_errors, "pa11y": access_errors},
        indent=1,
        ensure_ascii=False,
    )
    (ROOT / "test-results").mkdir(exist_ok=True)
    (ROOT / "test-results" / "standards.json").write_text(report, encoding="utf-8")
    assert (html_errors, access_errors) == ({}, {}), report[:6000]
