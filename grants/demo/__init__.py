"""The demonstration data: the 2020 round built from its public facts (grants.demo.facts), by
what it builds: the round and its meetings (rounds), the organisations (organisations), the
applications (applications), their decisions and grants (decisions) and follow-up (follow_up);
the logins (users), the two published versions of the award lists (publications), and an open
round to apply to (open_round) with one multi-year grant decided early (multi_year). `load_demo` runs them in that order and is idempotent."""

import random

from django.db import transaction

from grants.demo import applications, publications, rounds, users
from grants.demo.facts import (
    CIVIL_GRANTED_JUNE_25,
    PROJECT_THEMES,
    ROUND_SLUG,
    SEED,
    STOCKHOLM,
)
from grants.demo.multi_year import load_multi_year_grant
from grants.demo.open_round import load_open_round
from grants.demo.users import DEMO_PASSWORD, DEMO_USERS
from grants.models import Organisation, Round
from regions.models import Kommun

__all__ = [
    "CIVIL_GRANTED_JUNE_25",
    "DEMO_PASSWORD",
    "DEMO_USERS",
    "PROJECT_THEMES",
    "STOCKHOLM",
    "load_demo",
]


def build_2020_round() -> None:
    """The 2020 round with its 272 applications, decisions, grants and follow-up. One random
    generator, seeded, runs through every part, so the output is the same on every machine."""
    rng = random.Random(SEED)
    kommuner = {k.name: k for k in Kommun.objects.select_related("lan")}
    round_, municipal, civil = rounds.build_round()
    meetings = rounds.build_meetings(round_)
    planner = applications.Planner(rng, kommuner)
    plans = planner.plan_municipal(municipal) + planner.plan_civil(civil)
    applications.persist(rng, round_, plans, meetings)


def load_demo(*, stdout=None) -> bool:
    """Build the 2020 demonstration round unless it exists, then make sure the demo users, the
    open round and the published lists exist. Returns True when it built the round."""
    with transaction.atomic():
        built = False
        if not Round.objects.filter(slug=ROUND_SLUG).exists():
            build_2020_round()
            built = True
        halsingland = Organisation.objects.filter(name="Hälsinglands utbildningsförbund").first()
        users.ensure_users(halsingland)
        load_multi_year_grant(load_open_round())
        publications.load_demo_publications()
    return built
