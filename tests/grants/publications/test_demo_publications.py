import datetime as dt

import pytest

from grants.models import Publication, Round
from grants.selectors.publications import publication_diff

pytestmark = pytest.mark.django_db


def _lists():
    round_ = Round.objects.get(slug="2020")
    return {
        (p.track.code if p.track_id else None, p.version): p
        for p in Publication.objects.filter(round=round_).select_related("track")
    }


def test_demo_has_two_versions_of_each_2020_list_with_the_right_totals(demo):
    lists = _lists()
    municipal, civil = Round.objects.get(slug="2020").tracks.order_by("position")
    figures = {key: (p.as_of, p.note, p.row_count, p.total_amount) for key, p in lists.items()}
    june_12, june_25 = dt.date(2020, 6, 12), dt.date(2020, 6, 25)
    assert figures == {
        (municipal.code, 1): (june_12, "", 38, 53_100_000),
        (municipal.code, 2): (june_25, "uppdaterad 25 juni", 39, 54_800_000),
        (civil.code, 1): (june_12, "", 19, 17_000_000),
        (civil.code, 2): (june_25, "uppdaterad 25 juni", 31, 26_900_000),
        (None, 1): (june_12, "", 57, 70_100_000),
        (None, 2): (june_25, "uppdaterad 25 juni", 70, 81_700_000),
    }


def test_demo_municipal_version_2_adds_krokom_and_landskronas_supplementary_grant(demo):
    municipal = Round.objects.get(slug="2020").tracks.order_by("position").first()
    version_2 = Publication.objects.get(track=municipal, version=2)
    previous, diff = publication_diff(version_2)
    assert previous.version == 1
    assert [row["organisation"] for row in diff.added] == ["Krokoms kommun"]
    assert diff.added[0]["total"] == 700_000
    assert diff.removed == []
    assert [(c.row["organisation"], c.difference) for c in diff.changed] == [
        ("Landskrona kommun", 1_000_000)
    ]
    landskrona = next(r for r in version_2.rows if r["organisation"] == "Landskrona kommun")
    assert landskrona["supplementary"] == 1_000_000
    assert landskrona["total"] == landskrona["amount"] + 1_000_000


def test_loading_the_demo_twice_publishes_nothing_more(demo):
    from grants.demo import load_demo

    before = Publication.objects.count()
    load_demo()
    assert Publication.objects.count() == before == 6
