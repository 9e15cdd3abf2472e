"""Factory functions: each builds one valid object with sensible defaults, overridable by keyword."""

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

from django.contrib.auth.models import Group
from stdnum import luhn

from grants import roles
from grants.models import (
    Application,
    Decision,
    DecisionMeeting,
    Grant,
    Membership,
    Organisation,
    OrganisationType,
    QuestionSet,
    Round,
    Track,
    User,
)
from regions.models import Kommun

_serial = itertools.count(1)
STOCKHOLM = ZoneInfo("Europe/Stockholm")


def org_number(first_digit: str = "8") -> str:
    body = f"{first_digit}{next(_serial) + 2_000_000:08d}"
    body = body[:2] + "2" + body[3:]
    number = body + luhn.calc_check_digit(body)
    return f"{number[:6]}-{number[6:]}"


def make_user(*, email=None, password="correct horse battery", groups=(), **extra) -> User:
    user = User.objects.create_user(
        email=email or f"user{next(_serial)}@example.org", password=password, **extra
    )
    if groups:
        user.groups.set(Group.objects.filter(name__in=groups))
    return user


def make_officer(**extra) -> User:
    return make_user(groups=[roles.CASE_OFFICER], **extra)


def make_decision_maker(**extra) -> User:
    return make_user(groups=[roles.DECISION_MAKER], **extra)


def kommun(name: str = "Bollnäs") -> Kommun:
    return Kommun.objects.select_related("lan").get(name=name)


def make_organisation(
    *, org_type=OrganisationType.IDEELL_FORENING, seat=None, members=(), **extra
) -> Organisation:
    seat = seat or kommun()
    first = "2" if org_type in {"kommun", "region", "kommunalforbund"} else "8"
    defaults = {
        "name": f"Organisation {next(_serial)}",
        "org_number": org_number(first),
        "org_type": org_type,
        "seat": seat,
    }
    if org_type == OrganisationType.KOMMUN:
        defaults["represents_kommun"] = seat
    if org_type == OrganisationType.REGION:
        defaults["represents_lan"] = seat.lan
    defaults.update(extra)
    org = Organisation.objects.create(**defaults)
    for user in members:
        Membership.objects.create(user=user, organisation=org, role=Membership.Role.REPRESENTATIVE)
    return org


def make_round(*, year=2030, status=Round.Status.OPEN, **extra) -> Round:
    n = next(_serial)
    defaults = {
        "year": year,
        "slug": f"round-{year}-{n}",
        "title": f"Omgång {year}",
        "title_en": f"Round {year}",
        "status": status,
        "opens_at": dt.datetime(year, 2, 1, tzinfo=STOCKHOLM),
        "closes_at": dt.datetime(year, 3, 31, 23, 59, tzinfo=STOCKHOLM),
        "grant_period_start": dt.date(year, 7, 1),
        "grant_period_end": dt.date(year + 1, 4, 30),
        "last_use_date": dt.date(year + 1, 4, 30),
        "final_report_due": dt.date(year + 1, 6, 30),
    }
    defaults.update(extra)
    return Round.objects.create(**defaults)


def make_track(*, round_=None, civil=True, **extra) -> Track:
    round_ = round_ or make_round()
    defaults = {
        "round": round_,
        "code": f"track-{next(_serial)}",
        "name": "Ideella" if civil else "Kommuner",
        "name_en": "Associations" if civil else "Municipalities",
        "ordinance": "SFS 2018:119" if civil else "SFS 2018:118",
        "eligible_types": ["ideell_forening", "stiftelse"]
        if civil
        else ["kommun", "region", "kommunalforbund"],
        "budget_cap": 25_000_000,
        "question_set": QuestionSet.CIVIL_SOCIETY if civil else QuestionSet.MUNICIPAL,
    }
    defaults.update(extra)
    return Track.objects.create(**defaults)


def make_application(*, track=None, organisation=None, **extra) -> Application:
    track = track or make_track()
    defaults = {
        "round": track.round,
        "track": track,
        "organisation": organisation or make_organisation(),
        "project_title": "Mötesplatser i Bollnäs",
        "requested_amount": 500_000,
    }
    defaults.update(extra)
    return Application.objects.create(**defaults)


def make_grant(*, application=None, amount=400_000, meeting=None, **extra) -> Grant:
    application = application or make_application(status=Application.Status.APPROVED)
    meeting = meeting or DecisionMeeting.objects.create(
        round=application.round, date=dt.date(application.round.year, 6, 12)
    )
    Decision.objects.create(
        application=application, meeting=meeting, outcome=Decision.Outcome.APPROVED, amount=amount
    )
    defaults = {
        "application": application,
        "public_title": application.project_title,
        "amount_total": amount,
        "awarded_on": meeting.date,
        "last_decided_on": meeting.date,
    }
    defaults.update(extra)
    return Grant.objects.create(**defaults)


# -- issue 3 (public pages) -----------------------------------------------------------------------


def make_public_grants(count: int, *, track=None, meeting=None, areas=("Bollnäs",), **extra):
    """`count` grants in one track and meeting, each to its own organisation, amounts 100 000 up."""
    track = track or make_track(round_=make_round(year=2020, status=Round.Status.DECIDED))
    meeting = meeting or DecisionMeeting.objects.create(
        round=track.round, date=dt.date(track.round.year, 6, 12), status="closed"
    )
    kommuner = [kommun(name) for name in areas]
    grants = []
    for i in range(count):
        application = make_application(
            track=track,
            organisation=make_organisation(seat=kommuner[0]),
            status=Application.Status.APPROVED,
            project_title=f"Projekt {i}",
        )
        grant = make_grant(application=application, amount=100_000 + i * 1_000, meeting=meeting)
        grant.beneficiary_kommuner.set(kommuner)
        grants.append(grant)
    return grants
