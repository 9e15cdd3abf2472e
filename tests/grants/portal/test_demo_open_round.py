import datetime as dt

import time_machine
from django.utils import timezone

from grants.demo.open_round import MUNICIPAL_LIST, OPEN_ROUND_SLUG, load_open_round
from grants.models import Round


def test_load_demo_adds_an_open_demonstration_round_with_a_multi_year_track(demo):
    round_ = Round.objects.get(slug=OPEN_ROUND_SLUG)
    now = timezone.now()
    assert round_.is_demo is True
    assert round_.status == Round.Status.OPEN
    assert round_.opens_at < now < round_.closes_at
    tracks = list(round_.tracks.all())
    assert [t.question_set for t in tracks] == ["municipal", "civil_society"]
    civil = tracks[1]
    assert civil.multi_year is True and civil.max_years == 2 and civil.is_demo is True
    assert tracks[0].eligible_kommuner.count() == len(MUNICIPAL_LIST)


def test_open_round_is_open_relative_to_the_day_it_is_loaded(db):
    with time_machine.travel(dt.datetime(2031, 5, 1, 12, tzinfo=dt.UTC)):
        round_ = load_open_round()
        assert round_.year == 2031
        assert round_.opens_at < timezone.now() < round_.closes_at
    assert load_open_round().pk == round_.pk
