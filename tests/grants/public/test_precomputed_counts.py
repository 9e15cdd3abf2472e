"""The award list's precomputed counts (grants/selectors/facets.py) give exactly what the scan
(`grant_aggregates`) gives, for every precomputed filter state, on generated data and again
after the grants change; until they are rebuilt after a change, the scan answers."""

import datetime as dt
import itertools
import random
from unittest import mock

import pytest

from grants.filters.public import GrantFilter
from grants.models import Decision, DecisionMeeting, Grant, GrantFacetState, OrganisationType
from grants.models import Round as RoundModel
from grants.selectors import facets
from grants.selectors import public as selectors
from grants.tasks.opendata import refresh_counts
from tests import factories

pytestmark = pytest.mark.django_db

AREAS = ["Bollnäs", "Gävle", "Sandviken", "Malmö", "Lund", "Umeå", "Härnösand", "Stockholm"]


def _generate(seed: int = 14) -> dict:
    """Grants in two public rounds and a draft one, two tracks each, organisations of several
    types seated in several municipalities, working in one to three municipalities (some in two
    counties), some with a supplementary grant at a second meeting."""
    rng = random.Random(seed)
    made = {"tracks": [], "meetings": []}
    for year, status in ((2020, RoundModel.Status.DECIDED), (2021, RoundModel.Status.DECIDED)):
        round_ = factories.make_round(year=year, status=status)
        meetings = [
            DecisionMeeting.objects.create(
                round=round_, date=dt.date(year, month, 12), status="closed"
            )
            for month in (6, 9)
        ]
        made["meetings"] += meetings
        for civil in (True, False):
            track = factories.make_track(round_=round_, civil=civil)
            made["tracks"].append(track)
            types = (
                [OrganisationType.IDEELL_FORENING, OrganisationType.STIFTELSE]
                if civil
                else [OrganisationType.KOMMUNALFORBUND]
            )
            for i in range(6):
                seat = factories.kommun(rng.choice(AREAS))
                organisation = factories.make_organisation(org_type=rng.choice(types), seat=seat)
                application = factories.make_application(
                    track=track,
                    organisation=organisation,
                    status="approved",
                    project_title=f"Projekt {year} {civil} {i}",
                )
                amount = rng.randrange(50, 3000) * 1_000
                grant = factories.make_grant(
                    application=application, amount=amount, meeting=meetings[0]
                )
                if rng.random() < 0.3:  # a supplementary grant at the second meeting
                    Decision.objects.create(
                        application=application,
                        meeting=meetings[1],
                        outcome=Decision.Outcome.APPROVED,
                        kind=Decision.Kind.SUPPLEMENTARY,
                        amount=10_000,
                    )
                    grant.amount_total += 10_000
                    grant.has_supplementary = True
                    grant.save()
                areas = rng.sample(AREAS, rng.randint(1, 3))
                grant.beneficiary_kommuner.set([factories.kommun(name) for name in areas])
    draft = factories.make_round(year=2022, status=RoundModel.Status.DRAFT)
    factories.make_public_grants(2, track=factories.make_track(round_=draft))
    return made


def _states(made) -> list[dict]:
    """Filter states: every value of each precomputed filter alone, and combinations."""
    counties = sorted({factories.kommun(name).lan_id for name in AREAS})
    codes = sorted(factories.kommun(name).code for name in AREAS)
    tracks = [str(t.pk) for t in made["tracks"]]
    meetings = [str(m.pk) for m in made["meetings"]]
    cells = [
        {},
        {"year": "2020"},
        {"year": "2021", "supplementary": "yes"},
        {"supplementary": "no"},
        {"type": "kommunalforbund"},
        {"type": "ideell_forening", "year": "2021"},
        *({"track": t} for t in tracks),
        {"track": tracks[0], "supplementary": "yes"},
    ]
    filters = [
        {},
        *({"county": c} for c in counties),
        *({"municipality": c} for c in codes),
        *({"seat": c} for c in codes),
        *({"meeting": m} for m in meetings),
        {"county": codes[0][:2], "municipality": codes[0]},
        {"county": "25"},  # Norrbotten: no grant works there
    ]
    return [{**cell, **extra} for cell, extra in itertools.product(cells, filters)]


def _both(state: dict):
    filterset = GrantFilter(state or None, queryset=selectors.public_grants())
    assert not filterset.is_bound or filterset.form.is_valid(), filterset.form.errors
    cleaned = filterset.form.cleaned_data if filterset.is_bound else {}
    return facets.precomputed_aggregates(cleaned), selectors.grant_aggregates(filterset.qs)


def _assert_same(states, *, at_least: int):
    """Every state the form accepts (a draft round's tracks and meetings are no choice) gives
    the same figures both ways."""
    compared = 0
    for state in states:
        if state and not GrantFilter(state, queryset=selectors.public_grants()).is_valid():
            continue
        precomputed, scanned = _both(state)
        assert precomputed is not None, state
        assert precomputed == scanned, state
        compared += 1
    assert compared >= at_least


def test_precomputed_counts_equal_the_scan_and_follow_changes():
    made = _generate()
    states = _states(made)
    assert facets.refresh() is True
    _assert_same(states, at_least=len(states))
    assert selectors.grant_aggregates(selectors.public_grants())[0].count == 24

    # A grant changes amount and municipalities; another organisation changes type and seat.
    grant = Grant.objects.filter(round__year=2020).order_by("pk").first()
    grant.amount_total = 2_999_000
    grant.save()
    assert facets.precomputed_aggregates({}) is None  # stale: the scan answers
    grant.beneficiary_kommuner.set([factories.kommun("Umeå"), factories.kommun("Lund")])
    organisation = Grant.objects.filter(round__year=2021).last().application.organisation
    organisation.org_type = OrganisationType.STIFTELSE
    organisation.seat = factories.kommun("Lund")
    organisation.save()
    assert facets.precomputed_aggregates({}) is None
    assert refresh_counts() == "rebuilt"
    assert refresh_counts() == "current"
    _assert_same(states, at_least=len(states))

    # A new grant, a decision at another meeting, a round that goes back to draft.
    factories.make_public_grants(3, track=made["tracks"][1], areas=("Malmö", "Gävle"))
    Decision.objects.filter(application=grant.application).update(meeting=made["meetings"][1])
    assert facets.precomputed_aggregates({}) is None
    facets.refresh()
    _assert_same(states, at_least=len(states))
    RoundModel.objects.filter(year=2021).update(status=RoundModel.Status.DRAFT)
    assert facets.precomputed_aggregates({}) is None
    facets.refresh()
    _assert_same(states, at_least=len(states) // 3)
    assert selectors.grant_aggregates(selectors.public_grants())[0].count == 15


def test_states_with_text_ranges_or_two_area_filters_are_scanned():
    made = _generate(seed=3)
    facets.refresh()
    malmo, gavle = factories.kommun("Malmö").code, factories.kommun("Gävle").code
    for state in (
        {"q": "projekt"},
        {"min": "100000"},
        {"decided_to": "2020-12-31"},
        {"county": gavle[:2], "seat": malmo},
        {"municipality": malmo, "meeting": str(made["meetings"][0].pk)},
        {"county": gavle[:2], "municipality": malmo},  # a grant may work in both
    ):
        precomputed, scanned = _both(state)
        assert precomputed is None, state
        assert scanned[0].count >= 0


def test_the_list_reads_the_precomputed_counts_when_current(client):
    _generate(seed=5)
    county = factories.kommun("Gävle").lan_id
    with mock.patch.object(selectors, "grant_aggregates", wraps=selectors.grant_aggregates) as scan:
        client.get("/beviljade-bidrag/", {"county": county})
        assert scan.call_count == 1  # not built yet: the scan
        facets.refresh()
        page = client.get("/beviljade-bidrag/", {"county": county, "type": "kommunalforbund"})
        assert scan.call_count == 1  # built and current: no scan
    assert page.status_code == 200
    expected = selectors.grant_aggregates(
        selectors.public_grants().filter(selectors.works_in_lan(county), org_type="kommunalforbund")
    )[0]
    assert f"{expected.count} bidrag," in page.content.decode()


def test_a_write_changes_the_facts_version_in_the_database():
    """The triggers, not the code that writes: a bulk update through the ORM changes it too."""
    [grant] = factories.make_public_grants(1)
    facets.refresh()
    before = GrantFacetState.objects.get(pk=1)
    assert before.built_version == before.facts_version
    Grant.objects.filter(pk=grant.pk).update(amount_total=1)
    after = GrantFacetState.objects.get(pk=1)
    assert after.facts_version != before.facts_version
    assert not facets.is_current()
