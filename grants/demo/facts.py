"""The public facts of the 2020 round and the invented figures around them, shared by every part
of the demonstration builder.

Public facts (kept with is_demo=False): the round's dates, tracks, ordinances and caps, the two
decision meetings, the counts (272 applications: 67 + 205; 70 grants: 39 + 31), Krokoms kommun's
700 000 kr and Landskrona kommun's 1 000 000 kr supplementary grant of 25 June, and the names of
the 13 actors granted that day. Everything else is invented and marked is_demo=True.
"""

import datetime as dt
import random
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")
ROUND_SLUG = "2020"
SEED = 2020

MEETING_1 = dt.date(2020, 6, 12)
MEETING_2 = dt.date(2020, 6, 25)

MUNICIPAL_CAP, CIVIL_CAP = 57_000_000, 25_000_000
# The 25 June reallocation is a fact; how much moved between the caps is not public.
MUNICIPAL_CAP_AFTER, CIVIL_CAP_AFTER = 55_000_000, 27_000_000

KROKOM_AMOUNT = 700_000
LANDSKRONA_SUPPLEMENT = 1_000_000
# Invented totals that respect the caps before and after the reallocation (81.7 MSEK in all).
MUNICIPAL_JUNE_12_TOTAL = 53_100_000  # 38 grants; with Krokom and the supplement: 54.8 MSEK
CIVIL_JUNE_12_TOTAL = 17_000_000  # 19 grants
CIVIL_JUNE_25_TOTAL = 9_900_000  # the 12 named associations; civil total 26.9 MSEK

CIVIL_GRANTED_JUNE_25 = [
    "Studieförbundet Vuxenskolan Blekinge",
    "Somaliska fred och framtidshopp",
    "Folkbildarna i Värmland",
    "KISAM – Världens mammor",
    "Fryshuset",
    "Svenska Röda Korset",
    "Kista SC KFUM",
    "Läsfrämjarinstitutet",
    "Korpen Huddinge Botkyrka",
    "Hela Ideella",
    "Malmö mot diskriminering",
    "The good talents",
]
# Where the named associations sit (invented unless a source says so).
CIVIL_SEATS = {
    "Studieförbundet Vuxenskolan Blekinge": "Karlskrona",
    "Somaliska fred och framtidshopp": "Örebro",
    "Folkbildarna i Värmland": "Karlstad",
    "KISAM – Världens mammor": "Malmö",
    "Fryshuset": "Stockholm",
    "Svenska Röda Korset": "Stockholm",
    "Kista SC KFUM": "Stockholm",
    "Läsfrämjarinstitutet": "Södertälje",
    "Korpen Huddinge Botkyrka": "Huddinge",
    "Hela Ideella": "Göteborg",
    "Malmö mot diskriminering": "Malmö",
    "The good talents": "Uppsala",
}

CIVIL_PREFIXES = [
    "Föreningen Grannskap",
    "Kulturföreningen",
    "Idrottsföreningen",
    "Föreningen Mötesplats",
    "Läxhjälpsföreningen",
    "Stiftelsen Framtid",
    "Föreningen Unga i",
    "Kvinnoföreningen",
    "Föreningen Bro",
    "Stiftelsen Gemenskap",
    "Föreningen Öppna dörrar",
    "Musikföreningen",
]
PROJECT_THEMES = [
    (
        "Mötesplatser över bostadsområdesgränser",
        "skapar återkommande mötesplatser där boende från olika bostadsområden möts",
    ),
    (
        "Kunskapsunderlag om segregationens läge",
        "kartlägger boendesegregationens läge, orsaker och verkan i kommunen",
    ),
    (
        "Vägar till arbete",
        "samverkar med arbetsgivare och civilsamhälle för att fler unga vuxna ska komma i arbete",
    ),
    (
        "Läsfrämjande i flerspråkiga miljöer",
        "stärker barns läsning tillsammans med bibliotek och skolor",
    ),
    ("Föreningsliv för alla", "sänker trösklarna till föreningslivet för barn och unga"),
    (
        "Strategisk samverkan mot segregation",
        "bygger en gemensam struktur för kommunens arbete mot segregation",
    ),
    (
        "Trygga och jämlika livsmiljöer",
        "arbetar med boende och fastighetsägare för trygga och jämlika livsmiljöer",
    ),
    (
        "Föräldraskap och skola",
        "stärker samverkan mellan föräldrar och skola i områden med socioekonomiska utmaningar",
    ),
]
REJECTION_REASONS = (
    "Ansökan har prövats i konkurrens med andra ansökningar. Medlen räcker inte till alla "
    "ansökningar som uppfyller kraven, och ansökan har inte prioriterats."
)


def split_amount(rng: random.Random, total: int, count: int, step: int = 10_000) -> list[int]:
    """Split a total into count amounts of whole `step`s that add up exactly."""
    weights = [rng.uniform(0.4, 2.2) for _ in range(count)]
    scale = total / sum(weights)
    amounts = [max(step, round(w * scale / step) * step) for w in weights]
    amounts[-1] += total - sum(amounts)
    return amounts


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=STOCKHOLM)
