"""The 272 applications of 2020: which organisations apply in each track and with what fate
(planning), then each application with its partners, budget and history (persisting)."""

import datetime as dt
import random

from grants import workflow
from grants.demo import decisions, follow_up
from grants.demo.facts import (
    CIVIL_GRANTED_JUNE_25,
    CIVIL_JUNE_12_TOTAL,
    CIVIL_JUNE_25_TOTAL,
    CIVIL_PREFIXES,
    CIVIL_SEATS,
    KROKOM_AMOUNT,
    LANDSKRONA_SUPPLEMENT,
    MEETING_1,
    MEETING_2,
    MUNICIPAL_JUNE_12_TOTAL,
    PROJECT_THEMES,
    at,
    split_amount,
)
from grants.demo.organisations import OrganisationMaker, municipal_name
from grants.demo.plan import Planned
from grants.models import (
    Application,
    ApplicationStatus,
    BudgetLine,
    DecisionMeeting,
    Event,
    Organisation,
    Partner,
    Round,
    Track,
)
from regions.models import Kommun, Lan


class Planner:
    """Decides who applies in each track and what each application gets. Creates the
    organisations as it goes, with the builder's one random generator."""

    def __init__(self, rng: random.Random, kommuner: dict[str, Kommun]):
        self.rng = rng
        self.kommuner = kommuner
        self.orgs = OrganisationMaker(rng)

    def _theme(self):
        return self.rng.choice(PROJECT_THEMES)

    def _summary(self, place: str) -> str:
        theme, what = self._theme()
        return f"Projektet i {place} {what}. (Demonstrationsdata.)"

    def plan_municipal(self, track: Track) -> list[Planned]:
        gavle_area = [self.kommuner[n] for n in ("Bollnäs", "Söderhamn", "Nordanstig")]
        halsingland = self.orgs.federation(
            "Hälsinglands utbildningsförbund", self.kommuner["Bollnäs"]
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
                org=self.orgs.municipality(self.kommuner["Landskrona"]),
                track=track,
                title="Landskrona tillsammans",
                summary=self._summary("Landskrona"),
                areas=[self.kommuner["Landskrona"]],
                supplement=LANDSKRONA_SUPPLEMENT,
            ),
        ]
        krokom = Planned(
            org=self.orgs.municipality(self.kommuner["Krokom"]),
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
                    org=self.orgs.region(lan, seat),
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
                    org=self.orgs.municipality(self.kommuner[name]),
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

    def plan_civil(self, track: Track) -> list[Planned]:
        planned: list[Planned] = []
        for name in CIVIL_GRANTED_JUNE_25:
            seat = self.kommuner[CIVIL_SEATS[name]]
            p = Planned(
                org=self.orgs.association(name, seat),
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
                    org=self.orgs.association(
                        name, seat, foundation=prefix.startswith("Stiftelsen")
                    ),
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


def persist(
    rng: random.Random,
    round_: Round,
    plans: list[Planned],
    meetings: dict[dt.date, DecisionMeeting],
) -> None:
    """Create the planned applications in order of arrival, each with its decisions and, when
    granted, its grant and follow-up; then their history in one insert."""
    rng.shuffle(plans)  # case numbers in order of arrival, not of fate
    day_span = (round_.closes_at.date() - round_.opens_at.date()).days
    arrivals = sorted(round_.opens_at + dt.timedelta(days=rng.uniform(0, day_span)) for _ in plans)
    events: list[Event] = []
    settle = follow_up.Settlements()
    for seq, (p, submitted_at) in enumerate(zip(plans, arrivals, strict=True), start=1):
        approved = p.granted > 0
        requested = (
            round(p.granted * rng.uniform(1.0, 1.6) / 10_000) * 10_000
            if approved
            else rng.randint(20, 300) * 10_000
        )
        app = _application(round_, p, seq=seq, requested=requested, submitted_at=submitted_at)
        meeting = meetings[p.meeting if approved else MEETING_1]
        events += _history(round_, app, p.org, submitted_at=submitted_at, meeting=meeting)
        outcome = settle.next(p) if approved else None
        grant = (
            decisions.record(
                app, p, meeting=meeting, meetings=meetings, history=outcome.grant_history
            )
            if outcome
            else decisions.record(app, p, meeting=meeting, meetings=meetings)
        )
        if grant is not None:
            follow_up.record(round_, grant, grant.amount_total, outcome=outcome)
    Event.objects.bulk_create(events)
    round_.last_case_sequence = len(plans)
    round_.save(update_fields=["last_case_sequence"])


# The 2020 round's applications are loaded as they ended, along these walks through the table.
DECIDED_PATH = (
    ApplicationStatus.DRAFT,
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.IN_ASSESSMENT,
    ApplicationStatus.APPROVED,
)
REJECTED_PATH = (*DECIDED_PATH[:-1], ApplicationStatus.REJECTED)


def _application(
    round_: Round, p: Planned, *, seq: int, requested: int, submitted_at: dt.datetime
) -> Application:
    app = workflow.new(
        Application,
        history=DECIDED_PATH if p.granted > 0 else REJECTED_PATH,
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
    Partner.objects.bulk_create(Partner(application=app, name=n, role=r) for n, r in p.partners)
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
    return app


def _history(
    round_: Round,
    app: Application,
    org: Organisation,
    *,
    submitted_at: dt.datetime,
    meeting: DecisionMeeting,
) -> list[Event]:
    """Submitted, assessed, decided: the three events an applicant sees."""
    common = {
        "application": app,
        "organisation": org,
        "round": round_,
        "target": app.case_number,
        "visible_to_applicant": True,
    }
    path = DECIDED_PATH if app.status == Application.Status.APPROVED else REJECTED_PATH
    times = (submitted_at, submitted_at + dt.timedelta(days=10), at(meeting.date, 14))
    return [
        Event(
            action=step.verb(app),
            created_at=when,
            data={"from": step.source, "to": step.target},
            **common,
        )
        for step, when in zip(workflow.APPLICATION.walk(path), times, strict=True)
    ]
