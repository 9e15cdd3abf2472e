"""The 2020 round: its dates, two tracks under their ordinances with their caps, the 25 June
reallocation between the caps, and the two decision meetings."""

import datetime as dt

from grants import workflow
from grants.demo.facts import (
    CIVIL_CAP,
    CIVIL_CAP_AFTER,
    MEETING_1,
    MEETING_2,
    MUNICIPAL_CAP,
    MUNICIPAL_CAP_AFTER,
    ROUND_SLUG,
    STOCKHOLM,
    at,
)
from grants.models import BudgetChange, DecisionMeeting, OrganisationType, QuestionSet, Round, Track


def build_round() -> tuple[Round, Track, Track]:
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
    municipal = municipal_track(round_, budget_cap=MUNICIPAL_CAP)
    civil = civil_society_track(
        round_,
        code="ideella-foreningar-och-stiftelser",
        name="Ideella föreningar och stiftelser",
        name_en="Non-profit associations and foundations",
        budget_cap=CIVIL_CAP,
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


def municipal_track(round_: Round, **fields) -> Track:
    """The track for municipalities, regions and their federations (SFS 2018:118)."""
    return Track.objects.create(
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
        question_set=QuestionSet.MUNICIPAL,
        **fields,
    )


def civil_society_track(round_: Round, **fields) -> Track:
    """The track for non-profit associations and foundations (SFS 2018:119)."""
    return Track.objects.create(
        round=round_,
        position=2,
        ordinance="SFS 2018:119",
        eligible_types=[OrganisationType.IDEELL_FORENING, OrganisationType.STIFTELSE],
        question_set=QuestionSet.CIVIL_SOCIETY,
        **fields,
    )


def build_meetings(round_: Round) -> dict[dt.date, DecisionMeeting]:
    """The two closed decision meetings of June 2020, by date."""
    meetings = {
        day: workflow.new(
            DecisionMeeting,
            history=(DecisionMeeting.Status.OPEN, DecisionMeeting.Status.CLOSED),
            round=round_,
            date=day,
            title=title,
            closed_at=at(day, 16),
        )
        for day, title in (
            (MEETING_1, "Beslutstillfälle 12 juni 2020"),
            (MEETING_2, "Beslutstillfälle 25 juni 2020"),
        )
    }
    for meeting in meetings.values():
        meeting.save()
    return meetings
