"""Screenshots of each section of the application form at 1280 and 375 px, for review; kept in
docs/screenshots/portal/. Not a test (CI does not collect it): run docs/screenshots/make.sh."""

import datetime as dt
import os
from pathlib import Path

import pytest

from grants.services.portal import application_save_section
from regions.models import Kommun
from tests.browser.form_world import EMAIL, PASSWORD, make_form_world, section_url

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

OUT = Path(os.environ.get("SCREENSHOTS_DIR", Path(__file__).parents[2] / "docs/screenshots/portal"))
SECTIONS = ["project", "partners", "effect", "budget", "certifications", "funding", "attachments"]


def _half_filled(draft):
    """A draft as it looks midway: the project and the budget done, the effect begun."""
    year = draft.round.grant_period_start.year
    user = draft.organisation.memberships.first().user
    steps = [
        (
            "project",
            {
                "project_title": "Mötesplatser i Hälsingland",
                "project_summary": "Läxhjälp, föreningsliv och sommarjobb för unga.",
                "purpose_and_plan": "Tre steg: kartlägga, starta mötesplatser, lämna över.",
                "target_groups": "Unga 13–19 år och deras föräldrar.",
                "areas": list(Kommun.objects.filter(name__in=["Bollnäs", "Söderhamn"])),
                "area_details": "Centrum och Norrtullen",
                "start_date": dt.date(year, 2, 1),
                "end_date": dt.date(year + 1, 11, 30),
            },
        ),
        (
            "effect",
            {"collaboration": "Med kommunen och skolan.", "long_term_effect": "", "follow_up": ""},
        ),
        (
            "budget",
            [
                {
                    "category": "staff",
                    "description": "Projektledare",
                    "year": year,
                    "amount": 300_000,
                },
                {
                    "category": "premises",
                    "description": "Hyra",
                    "year": year + 1,
                    "amount": 150_000,
                },
                {"category": "travel", "description": "Studieresa", "year": year, "amount": 25_500},
            ],
        ),
    ]
    for section, data in steps:
        draft.refresh_from_db()
        application_save_section(
            application=draft,
            section=section,
            data=data,
            user=user,
            expected_version=draft.version,
        )


def test_screenshots(page, live_server, login):
    OUT.mkdir(parents=True, exist_ok=True)
    draft = make_form_world()
    _half_filled(draft)
    login(page, EMAIL, PASSWORD)
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        for number, section in enumerate(SECTIONS, start=1):
            page.goto(section_url(live_server.url, draft, section))
            page.screenshot(path=OUT / f"{number}-{section}-{width}.png", full_page=True)
        page.goto(f"{live_server.url}/portal/ansokningar/{draft.pk}/granska/")
        page.screenshot(path=OUT / f"8-review-{width}.png", full_page=True)
        page.goto(section_url(live_server.url, draft, "funding"))
        page.get_by_role("radio", name="Ja").check()
        page.get_by_label("Belopp (kr)").fill("tolv tusen")
        page.get_by_label("Väntat beslutsdatum").fill("31 februari")
        page.wait_for_timeout(1700)  # let the autosave finish first
        page.get_by_role("button", name="Spara", exact=True).click()
        page.get_by_role("alert").first.wait_for()
        page.screenshot(path=OUT / f"9-errors-{width}.png", full_page=True)
