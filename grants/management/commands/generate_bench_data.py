"""Fill a database with a realistic spread of public grants for the benchmark (bench/): rounds
from 2019 on, two tracks each, organisations seated all over Sweden weighted by population,
amounts from 50 000 to 3 million kronor. Bulk inserts; meant for an empty bench database.

For the case officers' queue (bench/queue_bench.py) it adds, in the latest round, applications
still in the officers' hands (`--open`, submitted, in assessment or awaiting a supplement, some
assessed and assigned, some with an overdue supplement request) and the staff who work them."""

import datetime as dt
import random

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from stdnum import luhn

from grants import roles, workflow
from grants.demo import PROJECT_THEMES, STOCKHOLM
from grants.demo.applications import DECIDED_PATH
from grants.models import (
    Application,
    ApplicationStatus,
    Assessment,
    Decision,
    DecisionMeeting,
    Grant,
    Organisation,
    OrganisationType,
    QuestionSet,
    Round,
    SupplementRequest,
    Track,
    User,
)
from regions.models import Kommun

BATCH = 5_000
BENCH_PASSWORD = "bench-only-password"  # noqa: S105 - a benchmark database's staff, local only
CIVIL_PREFIXES = [
    "Föreningen",
    "Idrottsföreningen",
    "Kulturföreningen",
    "Stiftelsen",
    "Läxhjälpsföreningen",
    "Hyresgästföreningen",
    "Fritidsgården",
    "Studieförbundet",
]


def _saved(obj):
    obj.save()
    return obj


def _org_number(serial: int, first: str) -> str:
    body = f"{first}{serial:08d}"
    body = body[:2] + "2" + body[3:]
    number = body + luhn.calc_check_digit(body)
    return f"{number[:6]}-{number[6:]}"


class Command(BaseCommand):
    help = "Generate public grants for the benchmark (e.g. --grants 100000)."

    def add_arguments(self, parser):
        parser.add_argument("--grants", type=int, default=100_000)
        parser.add_argument("--seed", type=int, default=3)
        parser.add_argument(
            "--open",
            dest="open_count",
            type=int,
            default=2_000,
            help="applications in the officers' hands",
        )

    def handle(self, *args, grants, seed, open_count, **options):
        if Round.objects.filter(slug__startswith="bench-").exists():
            raise CommandError("Bench data exists already; use an empty database.")
        rng = random.Random(seed)
        kommuner = list(Kommun.objects.select_related("lan").order_by("code"))
        if not kommuner:
            raise CommandError("No municipalities: run migrate first.")
        weights = [k.population or 10_000 for k in kommuner]
        years = list(range(2019, 2027))
        with transaction.atomic():
            tracks, meetings = self._rounds(years)
            orgs = self._organisations(
                rng, kommuners=kommuner, weights=weights, count=max(100, grants // 3)
            )
            self._grants(rng, grants, tracks, meetings, orgs, kommuner, weights)
            self._open_applications(rng, open_count, tracks, orgs)
        self.stdout.write(
            f"Generated {grants} grants over {len(years)} rounds and {open_count} open applications."
        )

    def _rounds(self, years):
        tracks, meetings = [], {}
        for year in years:
            round_ = Round.objects.create(
                year=year,
                slug=f"bench-{year}",
                title=f"Statsbidrag mot segregation {year}",
                title_en=f"State grants against segregation {year}",
                status=Round.Status.DECIDED,
                opens_at=dt.datetime(year, 2, 1, tzinfo=STOCKHOLM),
                closes_at=dt.datetime(year, 3, 31, 23, 59, tzinfo=STOCKHOLM),
                grant_period_start=dt.date(year, 7, 1),
                grant_period_end=dt.date(year + 1, 6, 30),
                last_use_date=dt.date(year + 1, 6, 30),
                final_report_due=dt.date(year + 1, 9, 30),
                case_number_prefix="BENCH",
            )
            for position, civil in ((1, False), (2, True)):
                tracks.append(
                    Track.objects.create(
                        round=round_,
                        code="ideella" if civil else "kommuner",
                        position=position,
                        name="Ideella föreningar och stiftelser"
                        if civil
                        else "Kommuner och regioner",
                        name_en="Non-profit associations and foundations"
                        if civil
                        else "Municipalities and regions",
                        ordinance="SFS 2018:119" if civil else "SFS 2018:118",
                        eligible_types=["ideell_forening", "stiftelse"]
                        if civil
                        else ["kommun", "region", "kommunalforbund"],
                        budget_cap=2_000_000_000,
                        question_set=QuestionSet.CIVIL_SOCIETY if civil else QuestionSet.MUNICIPAL,
                    )
                )
            meetings[year] = [
                _saved(
                    workflow.new(
                        DecisionMeeting,
                        history=(DecisionMeeting.Status.OPEN, DecisionMeeting.Status.CLOSED),
                        round=round_,
                        date=dt.date(year, 6, day),
                    )
                )
                for day in (12, 25)
            ]
        return tracks, meetings

    def _organisations(self, rng, *, kommuners, weights, count):
        municipal = [
            Organisation(
                name=f"{k.name} kommun",
                org_number=_org_number(1_000_000 + i, "2"),
                org_type=OrganisationType.KOMMUN,
                seat=k,
                town=k.name,
                represents_kommun=k,
            )
            for i, k in enumerate(kommuners)
        ]
        civil = []
        for i in range(count):
            seat = rng.choices(kommuners, weights=weights)[0]
            org_type = rng.choice(
                [OrganisationType.IDEELL_FORENING] * 4 + [OrganisationType.STIFTELSE]
            )
            civil.append(
                Organisation(
                    name=f"{rng.choice(CIVIL_PREFIXES)} {seat.name} {i}",
                    org_number=_org_number(2_000_000 + i, "8"),
                    org_type=org_type,
                    seat=seat,
                    town=seat.name,
                )
            )
        created = Organisation.objects.bulk_create(municipal + civil, batch_size=BATCH)
        return [o for o in created if o.org_type == OrganisationType.KOMMUN], [
            o for o in created if o.org_type != OrganisationType.KOMMUN
        ]

    def _grants(self, rng, count, tracks, meetings, orgs, kommuner, weights):
        municipal_orgs, civil_orgs = orgs
        by_lan = {}
        for k in kommuner:
            by_lan.setdefault(k.lan_id, []).append(k)
        sequence: dict[int, int] = {}
        done = 0
        while done < count:
            size = min(BATCH, count - done)
            apps, plans = [], []
            for _ in range(size):
                track = rng.choice(tracks)
                round_ = track.round
                civil = track.code == "ideella"
                org = rng.choice(civil_orgs if civil else municipal_orgs)
                seq = sequence[round_.pk] = sequence.get(round_.pk, 0) + 1
                theme, _what = rng.choice(PROJECT_THEMES)
                amount = rng.randrange(50, 3_000) * 1_000
                supplement = rng.random() < 0.05
                areas = {org.seat}
                if rng.random() < 0.3:
                    areas.update(
                        rng.sample(by_lan[org.seat.lan_id], k=min(2, len(by_lan[org.seat.lan_id])))
                    )
                apps.append(
                    workflow.new(
                        Application,
                        history=DECIDED_PATH,
                        round=round_,
                        track=track,
                        organisation=org,
                        case_sequence=seq,
                        case_number=f"BENCH {round_.year}/{seq}",
                        project_title=f"{theme} i {org.seat.name}",
                        requested_amount=amount + 100_000,
                    )
                )
                plans.append((amount, supplement, areas, round_.year))
            apps = Application.objects.bulk_create(apps, batch_size=BATCH)
            decisions, grants = [], []
            for app, (amount, supplement, areas, year) in zip(apps, plans, strict=True):
                first, second = meetings[year]
                decisions.append(
                    Decision(application=app, meeting=first, outcome="approved", amount=amount)
                )
                if supplement:
                    decisions.append(
                        Decision(
                            application=app,
                            meeting=second,
                            outcome="approved",
                            kind=Decision.Kind.SUPPLEMENTARY,
                            amount=100_000,
                        )
                    )
                grants.append(
                    Grant(
                        application=app,
                        public_title=app.project_title,
                        public_summary=f"{app.project_title}. (Testdata för prestandamätning.)",
                        amount_total=amount + (100_000 if supplement else 0),
                        awarded_on=first.date,
                        last_decided_on=second.date if supplement else first.date,
                        has_supplementary=supplement,
                    )
                )
                # bulk_create skips Grant.save(): fill the listing copies here.
                grants[-1].fill_listing(areas=list(areas))
            Decision.objects.bulk_create(decisions, batch_size=BATCH)
            grants = Grant.objects.bulk_create(grants, batch_size=BATCH)
            Through = Grant.beneficiary_kommuner.through
            Through.objects.bulk_create(
                [
                    Through(grant_id=grant.pk, kommun_id=k.code)
                    for grant, (_a, _s, areas, _y) in zip(grants, plans, strict=True)
                    for k in areas
                ],
                batch_size=BATCH,
            )
            for round_pk, seq in sequence.items():
                Round.objects.filter(pk=round_pk).update(last_case_sequence=seq)
            done += size
            self.stdout.write(f"  {done} grants")

    def _open_applications(self, rng, count, tracks, orgs):
        """Applications of the latest round still in the officers' hands, with the officers."""
        officers = []
        for n in range(1, 6):
            user = User.objects.create_user(
                email=f"handlaggare{n}@bench.delmos.example",
                password=BENCH_PASSWORD,
                full_name=f"Handläggare {n}",
            )
            user.groups.add(Group.objects.get(name=roles.CASE_OFFICER))
            officers.append(user)
        decider = User.objects.create_user(
            email="beslutsfattare@bench.delmos.example",
            password=BENCH_PASSWORD,
            full_name="Beslutsfattare",
        )
        decider.groups.add(Group.objects.get(name=roles.DECISION_MAKER))
        latest = max(t.round.year for t in tracks)
        open_tracks = [t for t in tracks if t.round.year == latest]
        round_ = open_tracks[0].round
        municipal_orgs, civil_orgs = orgs
        paths = {
            ApplicationStatus.SUBMITTED: (ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED),
            ApplicationStatus.IN_ASSESSMENT: (
                ApplicationStatus.DRAFT,
                ApplicationStatus.SUBMITTED,
                ApplicationStatus.IN_ASSESSMENT,
            ),
            ApplicationStatus.SUPPLEMENT_REQUESTED: (
                ApplicationStatus.DRAFT,
                ApplicationStatus.SUBMITTED,
                ApplicationStatus.SUPPLEMENT_REQUESTED,
            ),
        }
        sequence = Round.objects.get(pk=round_.pk).last_case_sequence  # the grants' numbers
        apps = []
        for _ in range(count):
            track = rng.choice(open_tracks)
            org = rng.choice(civil_orgs if track.code == "ideella" else municipal_orgs)
            status = rng.choices(list(paths), weights=[5, 4, 1])[0]
            sequence += 1
            theme, _what = rng.choice(PROJECT_THEMES)
            apps.append(
                workflow.new(
                    Application,
                    history=paths[status],
                    round=round_,
                    track=track,
                    organisation=org,
                    case_sequence=sequence,
                    case_number=f"BENCH {round_.year}/{sequence}",
                    project_title=f"{theme} i {org.seat.name}",
                    requested_amount=rng.randrange(50, 3_000) * 1_000,
                    assigned_officer=rng.choice(officers) if rng.random() < 0.7 else None,
                )
            )
        apps = Application.objects.bulk_create(apps, batch_size=BATCH)
        Round.objects.filter(pk=round_.pk).update(last_case_sequence=sequence)
        Assessment.objects.bulk_create(
            [
                Assessment(
                    application=app,
                    officer=app.assigned_officer or officers[0],
                    score_relevance=rng.randint(1, 5),
                    score_goal_fulfilment=rng.randint(1, 5),
                    score_efficiency=rng.randint(1, 5),
                    score_long_term=rng.randint(1, 5),
                    recommendation=rng.choice(["approve", "reject"]),
                    proposed_amount=app.requested_amount // 2,
                )
                for app in apps
                if app.status != ApplicationStatus.SUBMITTED
            ],
            batch_size=BATCH,
        )
        today = dt.date.today()
        SupplementRequest.objects.bulk_create(
            [
                SupplementRequest(
                    application=app,
                    message="Skicka budgeten per månad.",
                    due_date=today + dt.timedelta(days=rng.choice([-3, 7])),
                    requested_by=officers[0],
                    resumes_to=ApplicationStatus.SUBMITTED,
                )
                for app in apps
                if app.status == ApplicationStatus.SUPPLEMENT_REQUESTED
            ],
            batch_size=BATCH,
        )
