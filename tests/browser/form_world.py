"""A small world for the application-form browser tests and the screenshot script: an open
round with a two-year civil-society track (at most 2 000 000 kr per application), an association
with one member, and an empty draft."""

import datetime as dt

from django.utils import timezone

from tests import factories

EMAIL = "form@example.org"
PASSWORD = "correct horse battery"
MAX_PER_APPLICATION = 2_000_000


def make_form_world():
    now = timezone.now()
    user = factories.make_user(email=EMAIL, full_name="Frida Formulär", password=PASSWORD)
    organisation = factories.make_organisation(name="Föreningen Formen", members=[user])
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
    track = factories.make_track(
        round_=round_, multi_year=True, max_years=2, max_per_application=MAX_PER_APPLICATION
    )
    draft = factories.make_application(
        track=track, organisation=organisation, project_title="", requested_amount=0
    )
    return draft


def section_url(base: str, draft, section: str) -> str:
    return f"{base}/portal/ansokningar/{draft.pk}/{section}/"
