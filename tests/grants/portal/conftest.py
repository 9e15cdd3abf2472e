import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone, translation

from tests import factories


@pytest.fixture(autouse=True)
def _default_language_after_each_test():
    """A request under /en/ leaves English active in the thread; later tests expect Swedish."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def open_round(db):
    now = timezone.now()
    return factories.make_round(
        year=now.year,
        opens_at=now - dt.timedelta(days=10),
        closes_at=now + dt.timedelta(days=30),
        grant_period_start=dt.date(now.year + 1, 1, 1),
        grant_period_end=dt.date(now.year + 2, 12, 31),
        last_use_date=dt.date(now.year + 2, 12, 31),
        progress_report_due=dt.date(now.year + 1, 9, 30),
        final_report_due=dt.date(now.year + 3, 6, 30),
    )


@pytest.fixture
def civil_track(open_round):
    return factories.make_track(
        round_=open_round, civil=True, multi_year=True, max_years=2, max_per_application=2_000_000
    )


@pytest.fixture
def municipal_track(open_round):
    return factories.make_track(round_=open_round, civil=False)


@pytest.fixture
def draft(civil_track, organisation, applicant):
    return factories.make_application(
        track=civil_track, organisation=organisation, created_by=applicant, project_title=""
    )


PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def complete(application, user):
    """Fill every section of a civil-society draft so that it can be submitted."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from grants.services.portal import application_save_section, attachment_add
    from regions.models import Kommun

    round_ = application.round
    year = round_.grant_period_start.year
    sections = {
        "project": {
            "project_title": "Mötesplatser i Bollnäs",
            "project_summary": "Läxhjälp och föreningsliv.",
            "purpose_and_plan": "Plan.",
            "target_groups": "Unga.",
            "areas": list(Kommun.objects.filter(name="Bollnäs")),
            "area_details": "Centrum",
            "start_date": dt.date(year, 2, 1),
            "end_date": dt.date(year + 1, 11, 30),
        },
        "effect": {
            "collaboration": "Med kommunen.",
            "long_term_effect": "Varaktigt.",
            "follow_up": "Enkäter.",
        },
        "budget": [
            {"category": "staff", "description": "Projektledare", "year": year, "amount": 300_000},
            {"category": "premises", "description": "Lokal", "year": year + 1, "amount": 200_000},
        ],
        "certifications": {
            "legal_form_eligible": "yes",
            "non_profit_in_sweden": "yes",
            "active_two_years": "yes",
            "respects_democracy": "yes",
            "tax_debts": "no",
            "in_liquidation": "no",
            "state_aid": "no",
            "local_roots": "yes",
            "local_roots_description": "Verksamma i Bollnäs sedan 1990.",
        },
        "funding": {"other_state_grants": "no", "co_funding": ""},
    }
    for section, data in sections.items():
        application = application_save_section(
            application=application, section=section, data=data, user=user, expected_version=None
        )
    attachment_add(
        application=application,
        upload=SimpleUploadedFile("stadgar.pdf", PDF_BYTES),
        kind="statutes",
        content_type="application/pdf",
        user=user,
    )
    application.refresh_from_db()
    return application
