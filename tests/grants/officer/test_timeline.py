"""Timelines for people: every event type has a readable, translated label; autosaves collapse
into one line; the applicant sees only what is marked visible to them, in words."""

import datetime as dt
import html
import re
from pathlib import Path

import pytest
from django.utils import timezone, translation

import grants
from grants.models import Event, Report
from grants.selectors.timeline import EVENT_TYPES, timeline
from grants.services.events import event_record
from grants.services.officer import comment_add
from tests import factories

from .conftest import submit

pytestmark = pytest.mark.django_db

SOURCE = Path(grants.__file__).parent
PREFIXES = "application|assessment|grant|payment|report|decision|meeting|supplement|recovery"


def _event_codes() -> set[str]:
    """Every event code the application writes: the action= literals of the services and tasks,
    the workflow's transitions, and the report kinds' submissions."""
    codes = set()
    for path in SOURCE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        text = path.read_text()
        codes |= set(re.findall(r'\baction="([a-z_]+\.[a-z_]+)"', text))
        if path.name == "workflow.py":
            codes |= set(re.findall(rf'"((?:{PREFIXES})\.[a-z_]+)"', text))
    codes |= {f"report.{kind}_submitted" for kind in Report.Kind.values}
    return codes


def test_every_event_type_has_a_readable_translated_label():
    codes = _event_codes()
    assert len(codes) > 30  # the scan found the codes
    assert codes - set(EVENT_TYPES) == set()
    for code, kind in EVENT_TYPES.items():
        with translation.override("en"):
            english = [str(kind.label), str(kind.text)]
        assert english[0] and not re.search(r"\w[._]\w", english[0]), code
        with translation.override("sv"):
            swedish = [str(kind.label), str(kind.text)]
        assert swedish[0] != english[0], f"{code}: no Swedish label"
        assert not kind.text or swedish[1] != english[1], f"{code}: no Swedish text"


def _visible_text(page: str, section_id: str) -> str:
    match = re.search(rf'<section id="{section_id}".*?</section>', page, re.S)
    assert match, section_id
    return html.unescape(re.sub(r"<[^>]+>", " ", match.group(0)))


def _saved(application, user, when):
    event = event_record(action="application.draft_saved", actor=user, application=application)
    Event.objects.filter(pk=event.pk).update(created_at=when)


def test_autosaves_collapse_into_one_line_and_no_code_shows(
    client, case_officer, applicant, organisation, track
):
    application = factories.make_application(track=track, organisation=organisation)
    start = timezone.now() - dt.timedelta(days=2)
    for minute in range(30):
        _saved(application, applicant, start + dt.timedelta(minutes=minute))
    application = submit(application)
    comment_add(application=application, user=case_officer, text="Ser bra ut.")

    client.force_login(case_officer)
    page = client.get(f"/handlaggning/ansokan/{application.pk}/").content.decode()
    text = _visible_text(page, "timeline")
    last = timezone.localtime(start + dt.timedelta(minutes=29))
    assert text.count("Utkastet sparades") == 1
    assert f"Utkastet sparades 30 gånger, senast {last.day} " in text
    assert f"{last:%H:%M}" in text
    assert "Ansökan inskickad" in text and "Intern kommentar tillagd" in text
    assert not re.search(rf"\b(?:{PREFIXES})\.[a-z_]+", text), text


def test_separate_runs_of_autosaves_stay_separate():
    user = factories.make_user()
    events = [
        Event(action=a, actor=user, created_at=timezone.now())
        for a in [
            "application.draft_saved",
            "application.attachment_added",
            "application.draft_saved",
            "application.submitted",
            "application.supplement_requested",
            "application.draft_saved",
        ]
    ]
    entries = timeline(events)
    assert [(e.action, e.count) for e in entries] == [
        ("application.draft_saved", 2),
        ("application.attachment_added", 1),
        ("application.submitted", 1),
        ("application.supplement_requested", 1),
        ("application.draft_saved", 1),
    ]
    with translation.override("en"):
        assert timeline(events[:1])[0].text.startswith("Draft saved once, at ")


def test_the_applicant_sees_only_their_events_in_words(
    client, applicant, organisation, case_officer, track
):
    application = submit(factories.make_application(track=track, organisation=organisation))
    comment_add(application=application, user=case_officer, text="Intern anteckning.")
    event_record(action="assessment.saved", actor=case_officer, application=application)
    event_record(
        action="supplement.requested",
        actor=case_officer,
        application=application,
        visible_to_applicant=True,
    )
    event_record(action="grant.created", application=application, visible_to_applicant=True)

    client.force_login(applicant)
    page = client.get(f"/portal/ansokningar/{application.pk}/").content.decode()
    match = re.search(r'<ol class="history">.*?</ol>', page, re.S)
    assert match
    history = html.unescape(re.sub(r"<[^>]+>", " ", match.group(0)))
    assert "Ansökan skickades in." in history or "inskickad" in history.lower()
    assert "En begäran om komplettering skickades till er." in history
    assert "Bidraget beviljades." in history
    assert "kommentar" not in history.lower() and "bedömning" not in history.lower()
    assert not re.search(rf"\b(?:{PREFIXES})\.[a-z_]+", history), history
