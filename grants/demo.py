"""The 2020 demonstration round, built from the public facts in the domain notes.

Public facts (kept with is_demo=False): the round's dates, tracks, ordinances and caps, the two
decision meetings, the counts (272 applications: 67 + 205; 70 grants: 39 + 31), Krokoms kommun's
700 000 kr and Landskrona kommun's 1 000 000 kr supplementary grant of 25 June, and the names of
the 13 actors granted that day. Everything else (other organisations, numbers, amounts, texts) is
invented and marked is_demo=True, so every page can say so.
"""

import datetime as dt
import random
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.contrib.auth.models import Group
from django.db import transaction
from stdnum import luhn

from grants import roles, workflow
from grants.models import (
    Application,
    ApplicationStatus,
    BudgetChange,
    BudgetLine,
    Decision,
    DecisionMeeting,
    Event,
    Grant,
    Membership,
    Organisation,
    OrganisationType,
    Partner,
    Payment,
    QuestionSet,
    Report,
    Round,
    Track,
    User,
)
from regions.models import Kommun, Lan

STOCKHOLM = ZoneInfo("Europe/Stockholm")

# The 2020 round's rows are loaded as they ended, along these walks through the workflow tables.
_A = ApplicationStatus
DECIDED_PATH = (_A.DRAFT, _A.SUBMITTED, _A.IN_ASSESSMENT, _A.APPROVED)
REJECTED_PATH = (_A.DRAFT, _A.SUBMITTED, _A.IN_ASSESSMENT, _A.REJECTED)
REPORT_PATH = (Report.Review.NOT_SUBMITTED, Report.Review.PENDING, Report.Review.APPROVED)
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

DEMO_PASSWORD = "Delmos-demo-2020"  # noqa: S105 (printed for the demo; never used outside it)
DEMO_USERS = {
    "handlaggare@demo.delmos.example": ("Hanna Handläggare", [roles.CASE_OFFICER], False),
    "beslutsfattare@demo.delmos.example": ("Bertil Beslutsfattare", [roles.DECISION_MAKER], False),
    "admin@demo.delmos.example": ("Ada Administratör", [roles.ADMINISTRATOR], True),
    "sokande@demo.delmos.example": ("Sara Sökande", [], False),
}


@dataclass
class Planned:
    """An application to create, with its fate."""

    org: Organisation
    track: Track
    title: str
    summary: str
    areas: list[Kommun]
    granted: int = 0  # 0: rejected
    meeting: dt.date = MEETING_1
    supplement: int = 0
    partners: list[tuple[str, str]] = field(default_factory=list)
    fact: bool = False  # the decision itself is a public fact


def org_number(first_digit: str, serial: int) -> str:
    """A checksum-valid organisation number for invented organisations."""
    body = f"{first_digit}{serial:08d}"
    if body[2] < "2":  # the third digit is at least 2 for legal persons
        body = body[:2] + "2" + body[3:]
    number = body + luhn.calc_check_digit(body)
    return f"{number[:6]}-{number[6:]}"


def municipal_name(kommun: Kommun) -> str:
    if kommun.name in {"Stockholm", "Göteborg", "Malmö"}:
        return f"{kommun.name}s stad" if kommun.name != "Malmö" else "Malmö stad"
    genitive = kommun.name if kommun.name[-1] in "sxzaeiouyåäö" else f"{kommun.name}s"
    return f"{genitive} kommun"


def split_amount(rng: random.Random, total: int, count: int, step: int = 10_000) -> list[int]:
    """Split a total into count amounts of whole `step`s that add up exactly."""
    weights = [rng.uniform(0.4, 2.2) for _ in range(count)]
    scale = total / sum(weights)
    amounts = [max(step, round(w * scale / step) * step) for w in weights]
    amounts[-1] += total - sum(amounts)
    return amounts


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=STOCKHOLM)


class DemoBuilder:
    def __init__(self, *, stdout=None):
        self.rng = random.Random(SEED)
        self.kommuner = {k.name: k for k in Kommun.objects.select_related("lan")}
        self.serial = 0
        self.log = stdout

    # -- organisations -------------------------------------------------------------------------

    def _org(self, *, name, org_type, seat, first_digit, demo=True, **extra) -> Organisation:
        self.serial += 1
        org = Organisation(
            name=name,
            org_number=org_number(first_digit, 20_000_000 + self.serial * 7919),
            org_type=org_type,
            seat=seat,
            street_address=f"Storgatan {self.rng.randint(1, 60)}",
            postcode=f"{self.rng.randint(100, 989)} {self.rng.randint(10, 99)}",
            town=seat.name,
            phone=f"0{self.rng.randint(10, 99)}-{self.rng.randint(100000, 999999)}",
            email=f"info{self.serial}@demo.delmos.example",
            bankgiro=self._bankgiro(),
            signatory="Firmatecknare (demo)",
            founded_on=dt.date(self.rng.randint(1950, 2016), 1, 1),
            is_demo=demo,
            **extra,
        )
        org.full_clean()
        org.save()
        return org

    def _bankgiro(self) -> str:
        body = f"{self.rng.randint(100000, 9999999):07d}"
        number = body + luhn.calc_check_digit(body)
        return f"{number[:-4]}-{number[-4:]}"

    def municipality(self, name: str) -> Organisation:
        kommun = self.kommuner[name]
        return self._org(
            name=municipal_name(kommun),
            org_type=OrganisationType.KOMMUN,
            seat=kommun,
            first_digit="2",
            represents_kommun=kommun,
        )

    def region(self, lan: Lan, seat: Kommun) -> Organisation:
        return self._org(
            name=lan.region_name,
            org_type=OrganisationType.REGION,
            seat=seat,
            first_digit="2",
            represents_lan=lan,
        )

    def association(self, name: str, seat: Kommun, *, foundation=False) -> Organisation:
        return self._org(
            name=name,
            org_type=OrganisationType.STIFTELSE if foundation else OrganisationType.IDEELL_FORENING,
            seat=seat,
            first_digit="8",
        )

    # -- the round -----------------------------------------------------------------------------

    def build_round(self) -> tuple[Round, Track, Track]:
        round_ = Round.objects.create(
            year=2020,
            slug=ROUND_SLUG,
            title="Statsbidrag för att minska och motverka segregation 2020",
            title_en="State grants to reduce and counter segregation 2020",
            purpose=(
                "Bidraget ska bygga kunskap om segregationens aktuella läge, orsaker och "
                "åtgärder, och främja strategisk samverkan och gemensamma insatser för att "
                "minska och motverka segregation. Ansökningar som samverkar med relevanta "
                "aktörer eller bygger in arbetet i ordinarie verksamhet prioriteras; för "
                "ideella organisationer även stöd från en kommun."
            ),
            purpose_en=(
                "The grant builds knowledge of segregation's current state, causes and measures, "
                "and supports strategic collaboration and joint action to reduce and counter "
                "segregation. Applications that collaborate with relevant actors or build the "
                "work into regular operations are prioritised; for associations, also support "
                "from a municipality."
            ),
            status=Round.Status.DECIDED,
            opens_at=at(dt.date(2020, 3, 23), 0),
            closes_at=dt.datetime(2020, 5, 15, 23, 59, tzinfo=STOCKHOLM),
            grant_period_start=dt.date(2020, 7, 1),
            grant_period_end=dt.date(2021, 4, 15),
            last_use_date=dt.date(2021, 4, 15),
            progress_report_due=dt.date(2020, 9, 30),
            final_report_due=dt.date(2021, 6, 15),
            instalments=2,
            is_demo=False,
        )
        municipal = Track.objects.create(
            round=round_,
            code="kommuner-och-regioner",
            position=1,
            name="Kommuner och regioner",
            name_en="Municipalities and regions",
            ordinance="SFS 2018:118",
            eligible_types=[
                OrganisationType.KOMMUN,
                OrganisationType.REGION,
                OrganisationType.KOMMUNALFORBUND,
            ],
            budget_cap=MUNICIPAL_CAP,
            question_set=QuestionSet.MUNICIPAL,
        )
        civil = Track.objects.create(
            round=round_,
            code="ideella-foreningar-och-stiftelser",
            position=2,
            name="Ideella föreningar och stiftelser",
            name_en="Non-profit associations and foundations",
            ordinance="SFS 2018:119",
            eligible_types=[OrganisationType.IDEELL_FORENING, OrganisationType.STIFTELSE],
            budget_cap=CIVIL_CAP,
            question_set=QuestionSet.CIVIL_SOCIETY,
        )
        reason = (
            "Regeringen ändrade den 25 juni 2020 villkoret för anslaget, vilket omfördelade "
            "medel mellan ramarna. Beloppen här är demonstrationsdata."
        )
        for track, cap in ((municipal, MUNICIPAL_CAP_AFTER), (civil, CIVIL_CAP_AFTER)):
            BudgetChange.objects.create(
                track=track,
                effective_on=MEETING_2,
                new_cap=cap,
                reason=reason,
                reference="Ändrat villkor i regleringsbrev, 25 juni 2020",
                is_demo=True,
            )
        return round_, municipal, civil

    # -- applications --------------------------------------------------------------------------

    def _theme(self):
        return self.rng.choice(PROJECT_THEMES)

    def plan_municipal(self, track: Track) -> list[Planned]:
        gavle_area = [self.kommuner[n] for n in ("Bollnäs", "Söderhamn", "Nordanstig")]
        halsingland = self._org(
            name="Hälsinglands utbildningsförbund",
            org_type=OrganisationType.KOMMUNALFORBUND,
            seat=self.kommuner["Bollnäs"],
            first_digit="2",
        )
        planned = [
            Planned(
                org=halsingland,
                track=track,
                title="Regional samverkansmodell för att minska och motverka segregation i Gävleborg",
                summary=(
                    "En regional samverkansmodell i Gävleborg där lokala föreningar, kommunerna, "
                    "Region Gävleborg och forskare vid Högskolan i Gävle arbetar tillsammans för "
                    "att minska och motverka segregation. Projektet bygger på en kartläggning "
                    "2018 i Bollnäs, Söderhamn och Nordanstig, finansierad av Delmos, som fann "
                    "att socioekonomiska skillnader är den främsta orsaken till segregation där. "
                    "Under pandemin flyttades den planerade regionala konferensen till "
                    "distansmöten."
                ),
                areas=gavle_area,
                partners=[
                    ("Region Gävleborg", "Regional samverkan och kunskapsspridning"),
                    ("Högskolan i Gävle", "Forskare som följer och analyserar arbetet"),
                    ("Bollnäs kommun", "Lokal samverkan"),
                    ("Söderhamns kommun", "Lokal samverkan"),
                    ("Nordanstigs kommun", "Lokal samverkan"),
                    ("Lokala föreningar i Hälsingland", "Verksamhet i bostadsområdena"),
                ],
            ),
            Planned(
                org=self.municipality("Landskrona"),
                track=track,
                title="Landskrona tillsammans",
                summary=self._summary("Landskrona"),
                areas=[self.kommuner["Landskrona"]],
                supplement=LANDSKRONA_SUPPLEMENT,
            ),
        ]
        krokom = Planned(
            org=self.municipality("Krokom"),
            track=track,
            title="Krokom växer samman",
            summary=self._summary("Krokom"),
            areas=[self.kommuner["Krokom"]],
            granted=KROKOM_AMOUNT,
            meeting=MEETING_2,
            fact=True,
        )
        taken = {"Landskrona", "Krokom", "Bollnäs", "Söderhamn", "Nordanstig"}
        names = sorted(n for n in self.kommuner if n not in taken)
        self.rng.shuffle(names)
        regions = list(Lan.objects.filter(code__in=["03", "12", "14"]))
        for lan in regions:
            seat = next(k for k in self.kommuner.values() if k.lan_id == lan.code)
            planned.append(
                Planned(
                    org=self.region(lan, seat),
                    track=track,
                    title=f"Regional kunskapsbank om segregation – {lan.name}",
                    summary=self._summary(lan.name),
                    areas=[seat],
                )
            )
        while len(planned) < 66:
            name = names.pop()
            theme, what = self._theme()
            planned.append(
                Planned(
                    org=self.municipality(name),
                    track=track,
                    title=f"{theme} i {name}",
                    summary=f"{municipal_name(self.kommuner[name])} {what}. (Demonstrationsdata.)",
                    areas=[self.kommuner[name]],
                )
            )
        # 38 approved on 12 June (Hälsingland and Landskrona among them), 28 rejected.
        approved = planned[:38]
        for p, amount in zip(
            approved, split_amount(self.rng, MUNICIPAL_JUNE_12_TOTAL, len(approved)), strict=True
        ):
            p.granted = amount
        return [*planned, krokom]

    def _summary(self, place: str) -> str:
        theme, what = self._theme()
        return f"Projektet i {place} {what}. (Demonstrationsdata.)"

    def plan_civil(self, track: Track) -> list[Planned]:
        planned: list[Planned] = []
        for name in CIVIL_GRANTED_JUNE_25:
            seat = self.kommuner[CIVIL_SEATS[name]]
            p = Planned(
                org=self.association(name, seat),
                track=track,
                title=f"{self._theme()[0]} – {name}",
                summary=self._summary(seat.name),
                areas=[seat],
                meeting=MEETING_2,
                fact=False,
            )
            if name == "Läsfrämjarinstitutet":
                p.title = "Läsfrämjande i Södertälje"
                p.summary = (
                    "Läsfrämjarinstitutet arbetar i Södertälje tillsammans med Grafikens hus och "
                    "Södertälje kommun för att stärka läsning och delaktighet."
                )
                p.partners = [
                    ("Grafikens hus", "Kulturaktör och mötesplats"),
                    ("Södertälje kommun", "Kommunens stöd och samverkan"),
                ]
            planned.append(p)
        for p, amount in zip(
            planned, split_amount(self.rng, CIVIL_JUNE_25_TOTAL, len(planned)), strict=True
        ):
            p.granted = amount

        places = sorted(self.kommuner)
        used_names = set(CIVIL_GRANTED_JUNE_25)
        others: list[Planned] = []
        while len(others) < 205 - len(planned):
            place = self.rng.choice(places)
            prefix = self.rng.choice(CIVIL_PREFIXES)
            name = f"{prefix} {place}"
            if name in used_names:
                continue
            used_names.add(name)
            seat = self.kommuner[place]
            others.append(
                Planned(
                    org=self.association(name, seat, foundation=prefix.startswith("Stiftelsen")),
                    track=track,
                    title=f"{self._theme()[0]} i {place}",
                    summary=self._summary(place),
                    areas=[seat],
                )
            )
        for p, amount in zip(
            others[:19], split_amount(self.rng, CIVIL_JUNE_12_TOTAL, 19), strict=True
        ):
            p.granted = amount
        return planned + others

    # -- persisting ------------------------------------------------------------------------------

    def persist(self, round_: Round, plans: list[Planned], meetings: dict) -> None:
        self.rng.shuffle(plans)  # case numbers in order of arrival, not of fate
        day_span = (round_.closes_at.date() - round_.opens_at.date()).days
        arrivals = sorted(
            round_.opens_at + dt.timedelta(days=self.rng.uniform(0, day_span)) for _ in plans
        )
        events: list[Event] = []
        for seq, (p, submitted_at) in enumerate(zip(plans, arrivals, strict=True), start=1):
            approved = p.granted > 0
            requested = (
                round(p.granted * self.rng.uniform(1.0, 1.6) / 10_000) * 10_000
                if approved
                else self.rng.randint(20, 300) * 10_000
            )
            history = DECIDED_PATH if approved else REJECTED_PATH
            app = workflow.new(
                Application,
                history=history,
                round=round_,
                track=p.track,
                organisation=p.org,
                case_sequence=seq,
                case_number=f"{round_.case_number_prefix} {round_.year}/{seq}",
                project_title=p.title,
                project_summary=p.summary,
                purpose_and_plan="Projektplan (demonstrationsdata).",
                target_groups="Boende, barn och unga i de berörda områdena (demonstrationsdata).",
                collaboration="; ".join(f"{n}: {r}" for n, r in p.partners),
                long_term_effect="Arbetet byggs in i ordinarie verksamhet (demonstrationsdata).",
                follow_up="Uppföljning med lägesrapport och slutrapport (demonstrationsdata).",
                start_date=round_.grant_period_start,
                end_date=round_.grant_period_end,
                requested_amount=requested,
                version=4,
                created_at=submitted_at - dt.timedelta(days=3),
                submitted_at=submitted_at,
                is_demo=True,
            )
            app.save()
            app.areas.set(p.areas)
            Partner.objects.bulk_create(
                Partner(application=app, name=n, role=r) for n, r in p.partners
            )
            staff_share = requested * 6 // 10
            BudgetLine.objects.bulk_create(
                [
                    BudgetLine(
                        application=app,
                        category="staff",
                        description="Projektledning",
                        amount=staff_share,
                    ),
                    BudgetLine(
                        application=app,
                        category="activities",
                        description="Aktiviteter",
                        amount=requested - staff_share,
                    ),
                ]
            )
            meeting = meetings[p.meeting if approved else MEETING_1]
            times = (
                submitted_at,
                submitted_at + dt.timedelta(days=10),
                at(meeting.date, 14),
            )
            events += [
                Event(
                    action=step.verb(app),
                    application=app,
                    organisation=p.org,
                    round=round_,
                    target=app.case_number,
                    created_at=when,
                    visible_to_applicant=True,
                    data={"from": step.source, "to": step.target},
                )
                for step, when in zip(workflow.APPLICATION.walk(history), times, strict=True)
            ]
            Decision.objects.create(
                application=app,
                meeting=meeting,
                outcome=Decision.Outcome.APPROVED if approved else Decision.Outcome.REJECTED,
                amount=p.granted,
                reasons="" if approved else REJECTION_REASONS,
                created_at=at(meeting.date, 14),
                is_demo=not p.fact,
            )
            if not approved:
                continue
            total = p.granted
            if p.supplement:
                Decision.objects.create(
                    application=app,
                    meeting=meetings[MEETING_2],
                    outcome=Decision.Outcome.APPROVED,
                    kind=Decision.Kind.SUPPLEMENTARY,
                    amount=p.supplement,
                    reasons="Tilläggsbidrag efter omfördelningen den 25 juni 2020.",
                    created_at=at(MEETING_2, 14),
                    is_demo=False,
                )
                total += p.supplement
            grant = workflow.new(
                Grant,
                history=(Grant.Status.ACTIVE, Grant.Status.CLOSED),
                application=app,
                public_title=p.title,
                public_summary=p.summary,
                amount_total=total,
                awarded_on=meeting.date,
                last_decided_on=MEETING_2 if p.supplement else meeting.date,
                has_supplementary=bool(p.supplement),
                is_demo=True,
            )
            grant.save()
            grant.beneficiary_kommuner.set(p.areas)
            self._follow_up(round_, grant, total)
        Event.objects.bulk_create(events)
        round_.last_case_sequence = len(plans)
        round_.save(update_fields=["last_case_sequence"])

    def _follow_up(self, round_: Round, grant: Grant, total: int) -> None:
        """Two instalments (summer and December 2020) and both reports, all done by now."""
        first = total // 2
        Payment.objects.bulk_create(
            [
                workflow.new(
                    Payment,
                    history=(Payment.Status.RELEASED, Payment.Status.PAID),
                    grant=grant,
                    number=1,
                    due_date=dt.date(2020, 7, 15),
                    amount=first,
                    paid_at=at(dt.date(2020, 7, 10)),
                ),
                workflow.new(
                    Payment,
                    history=(Payment.Status.PLANNED, Payment.Status.RELEASED, Payment.Status.PAID),
                    grant=grant,
                    number=2,
                    due_date=dt.date(2020, 12, 15),
                    amount=total - first,
                    paid_at=at(dt.date(2020, 12, 10)),
                    requires_progress_report=True,
                ),
            ]
        )
        Report.objects.bulk_create(
            [
                workflow.new(
                    Report,
                    history=REPORT_PATH,
                    grant=grant,
                    kind=Report.Kind.PROGRESS,
                    due_date=round_.progress_report_due,
                    answers={"deviations": "Inga väsentliga avvikelser (demonstrationsdata)."},
                    submitted_at=at(dt.date(2020, 9, 25)),
                    reviewed_at=at(dt.date(2020, 10, 20)),
                ),
                workflow.new(
                    Report,
                    history=REPORT_PATH,
                    grant=grant,
                    kind=Report.Kind.FINAL,
                    due_date=round_.final_report_due,
                    answers={"results": "Resultat enligt plan (demonstrationsdata)."},
                    money_used=total,
                    submitted_at=at(dt.date(2021, 6, 10)),
                    reviewed_at=at(dt.date(2021, 8, 30)),
                ),
            ]
        )

    # -- users ---------------------------------------------------------------------------------

    @staticmethod
    def ensure_users(halsingland: Organisation | None) -> list[tuple[str, str, str]]:
        created = []
        for email, (name, groups, superuser) in DEMO_USERS.items():
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(
                    email=email,
                    password=DEMO_PASSWORD,
                    full_name=name,
                    is_staff=superuser,
                    is_superuser=superuser,
                )
                user.email_verified_at = user.date_joined
                user.save(update_fields=["email_verified_at"])
                user.groups.set(Group.objects.filter(name__in=groups))
            created.append((email, name, ", ".join(groups) or "sökande"))
        if halsingland is not None:
            Membership.objects.get_or_create(
                user=User.objects.get(email="sokande@demo.delmos.example"),
                organisation=halsingland,
                defaults={"role": Membership.Role.REPRESENTATIVE},
            )
        return created


def _saved(obj):
    obj.save()
    return obj


def load_demo(*, stdout=None) -> bool:
    """Build the 2020 demonstration round unless it exists. Returns True when it built it."""
    with transaction.atomic():
        built = False
        if not Round.objects.filter(slug=ROUND_SLUG).exists():
            builder = DemoBuilder(stdout=stdout)
            round_, municipal, civil = builder.build_round()
            meetings = {
                day: _saved(
                    workflow.new(
                        DecisionMeeting,
                        history=(DecisionMeeting.Status.OPEN, DecisionMeeting.Status.CLOSED),
                        round=round_,
                        date=day,
                        title=title,
                        closed_at=at(day, 16),
                    )
                )
                for day, title in (
                    (MEETING_1, "Beslutstillfälle 12 juni 2020"),
                    (MEETING_2, "Beslutstillfälle 25 juni 2020"),
                )
            }
            plans = builder.plan_municipal(municipal) + builder.plan_civil(civil)
            builder.persist(round_, plans, meetings)
            built = True
        halsingland = Organisation.objects.filter(name="Hälsinglands utbildningsförbund").first()
        DemoBuilder.ensure_users(halsingland)
        # Imported here: both modules build on this one.
        from grants.demo_open_round import load_open_round
        from grants.demo_publications import load_demo_publications

        load_open_round()
        load_demo_publications()
    return built
