"""Reads the reference geography shipped in regions/data/, never the shared folder outside."""

import csv
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


def read_counties() -> list[dict]:
    with open(DATA_DIR / "lan.csv", encoding="utf-8", newline="") as f:
        return [
            {"code": row["lanskod"], "name": row["lan"], "region_name": row["region"]}
            for row in csv.DictReader(f)
        ]


def read_municipalities() -> list[dict]:
    with open(DATA_DIR / "kommuner.csv", encoding="utf-8", newline="") as f:
        return [
            {
                "code": row["kommunkod"],
                "name": row["kommun"],
                "lan_id": row["lanskod"],
                "population": int(row["folkmangd_2020"]) if row["folkmangd_2020"] else None,
            }
            for row in csv.DictReader(f)
        ]


def load_geography(lan_model, kommun_model) -> None:
    """Insert or update every county and municipality; safe to run again."""
    for county in read_counties():
        lan_model.objects.update_or_create(code=county["code"], defaults=county)
    for municipality in read_municipalities():
        kommun_model.objects.update_or_create(code=municipality["code"], defaults=municipality)
