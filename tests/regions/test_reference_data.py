from django.db.models import Sum

from regions.models import Kommun, Lan


def test_all_counties_and_municipalities_are_loaded(db):
    assert Lan.objects.count() == 21
    assert Kommun.objects.count() == 290


def test_every_municipality_code_starts_with_its_county_code(db):
    for kommun in Kommun.objects.all():
        assert kommun.code.startswith(kommun.lan_id)


def test_population_adds_up_to_scb_total(db):
    assert Kommun.objects.aggregate(total=Sum("population"))["total"] == 10_379_295


def test_gotland_is_both_a_municipality_and_a_region(db):
    gotland = Kommun.objects.get(name="Gotland")
    assert gotland.lan.code == "09"
    assert gotland.lan.region_name == "Region Gotland"


def test_the_project_never_reads_shared_at_run_time():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    for path in [
        *root.glob("regions/**/*.py"),
        *root.glob("grants/**/*.py"),
        *root.glob("delmos/*.py"),
    ]:
        assert "../shared" not in path.read_text(encoding="utf-8"), path
