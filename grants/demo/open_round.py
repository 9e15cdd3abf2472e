"""A demonstration round that is open now, so a newcomer can apply and submit.

Modelled on the 2021 call (a municipal track and a civil-society track with multi-year grants),
but every date is relative to today and everything is marked is_demo=True: this round is invented.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from grants.demo.rounds import civil_society_track, municipal_track
from grants.models import Round
from regions.models import Kommun

OPEN_ROUND_SLUG = "demo-oppen-utlysning"

# The 2022 call listed the municipalities that could apply; the demonstration municipal track
# has a (shortened, invented) list like it, so the portal can explain why a track is closed.
MUNICIPAL_LIST = [
    "Borlänge",
    "Botkyrka",
    "Eskilstuna",
    "Göteborg",
    "Helsingborg",
    "Landskrona",
    "Malmö",
    "Norrköping",
    "Stockholm",
    "Södertälje",
    "Uppsala",
    "Örebro",
    "Bollnäs",
    "Hudiksvall",
    "Ljusdal",
    "Söderhamn",
    "Nordanstig",
    "Ovanåker",
]


@transaction.atomic
def load_open_round(*, now=None) -> Round:
    """Create the open demonstration round unless it exists; return it."""
    existing = Round.objects.filter(slug=OPEN_ROUND_SLUG).first()
    if existing is not None:
        return existing
    now = now or timezone.now()
    period_start = dt.date(now.year + 1, 1, 1)
    round_ = Round.objects.create(
        year=now.year,
        slug=OPEN_ROUND_SLUG,
        title=f"Demonstration: statsbidrag mot segregation {now.year} (öppen utlysning)",
        title_en=f"Demonstration: state grants against segregation {now.year} (open call)",
        purpose=(
            "Demonstrationsdata: en påhittad utlysning i 2021 års form, öppen nu så att du kan "
            "prova att söka. Ideella organisationer kan söka flerårigt bidrag (högst två år)."
        ),
        purpose_en=(
            "Demonstration data: an invented call shaped like the 2021 one, open now so you can "
            "try applying. Non-profit organisations may apply for multi-year grants (two years "
            "at most)."
        ),
        status=Round.Status.OPEN,
        opens_at=now - dt.timedelta(days=30),
        closes_at=now + dt.timedelta(days=365),
        grant_period_start=period_start,
        grant_period_end=dt.date(period_start.year + 1, 12, 31),
        last_use_date=dt.date(period_start.year + 1, 12, 31),
        progress_report_due=dt.date(period_start.year, 9, 30),
        final_report_due=dt.date(period_start.year + 2, 6, 30),
        instalments=2,
        is_demo=True,
    )
    municipal = municipal_track(
        round_, budget_cap=45_000_000, max_per_application=3_000_000, is_demo=True
    )
    municipal.eligible_kommuner.set(Kommun.objects.filter(name__in=MUNICIPAL_LIST))
    civil_society_track(
        round_,
        code="ideella-flerariga",
        name="Ideella föreningar och stiftelser (flerårigt)",
        name_en="Non-profit associations and foundations (multi-year)",
        budget_cap=40_000_000,
        max_per_application=5_000_000,
        multi_year=True,
        max_years=2,
        is_demo=True,
    )
    return round_
