"""Load the 21 counties and 290 municipalities from regions/data/ (see SOURCES.md there).

The reading code is frozen here, not imported, so this migration keeps working whatever
later happens to the application's code. Running it again updates rows in place."""

import csv
from pathlib import Path

from django.db import migrations

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


def load(apps, schema_editor):
    Lan = apps.get_model("regions", "Lan")
    Kommun = apps.get_model("regions", "Kommun")
    with open(DATA_DIR / "lan.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            Lan.objects.update_or_create(
                code=row["lanskod"],
                defaults={"name": row["lan"], "region_name": row["region"]},
            )
    with open(DATA_DIR / "kommuner.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            population = row["folkmangd_2020"]
            Kommun.objects.update_or_create(
                code=row["kommunkod"],
                defaults={
                    "name": row["kommun"],
                    "lan_id": row["lanskod"],
                    "population": int(population) if population else None,
                },
            )


class Migration(migrations.Migration):
    dependencies = [("regions", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
