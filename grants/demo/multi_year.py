"""One multi-year grant in the open demonstration round, made by the real services: an invented
association applies for two grant years in the multi-year track, a case officer assesses it, and
a decision maker approves it at an early decision meeting with an amount per grant year.

What a newcomer sees on it (officers' grant page, the applicant's portal, the ledger): one
instalment per grant year, the first planned for the day the project period starts and the
second waiting for the first year's progress report; one progress report per grant year and the
final report after the last. The demo applicant represents the association as well, so the portal
shows it too. Everything here is invented and marked is_demo=True.
"""

import datetime as dt
import io
import random

import pikepdf
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from grants.demo.organisations import OrganisationMaker
from grants.demo.users import DEMO_OFFICER
from grants.models import (
    Application,
    Attachment,
    BudgetLine,
    Event,
    Grant,
    Membership,
    Organisation,
    Partner,
    Round,
    User,
)
from grants.questions import CERTIFICATION_QUESTIONS
from grants.services.decisions import (
    decision_record,
    meeting_add_applications,
    meeting_close,
    meeting_create,
)
from grants.services.officer import assessment_save
from grants.services.portal import application_create, application_submit, attachment_add
from regions.models import Kommun

ASSOCIATION = "Föreningen Broar i Hälsingland (demonstration)"
DECISION_MAKER = "beslutsfattare@demo.delmos.example"
APPLICANT = "sokande@demo.delmos.example"
# The amounts the issue walked in the browser: 470 000 kr for the first grant year and
# 430 000 kr for the second.
FIRST_YEAR, SECOND_YEAR = 470_000, 430_000
# Clear of the serials the 2020 round's organisations use, so the numbers never collide.
SERIAL_BASE = 9_000


def _association() -> Organisation:
    existing = Organisation.objects.filter(name=ASSOCIATION).first()
    if existing is not None:
        return existing
    maker = OrganisationMaker(random.Random(2021))
    maker.serial = SERIAL_BASE
    return maker.association(ASSOCIATION, Kommun.objects.get(name="Hudiksvall"))


def _statutes() -> ContentFile:
    """A one-page PDF standing in for the association's statutes."""
    pdf = pikepdf.new()
    pdf.add_blank_page()
    out = io.BytesIO()
    pdf.save(out)
    return ContentFile(out.getvalue(), name="stadgar.pdf")


# The civil-society certifications and funding answers, as the portal's form saves them.
ANSWERS = {
    "certifications": {
        **{key: expected or "no" for key, _label, expected in CERTIFICATION_QUESTIONS},
        "local_roots": "yes",
        "local_roots_description": "Föreningen har funnits på Håstahöjden sedan 2012.",
    },
    "statement": {"not_statutory_task": True},
    "funding": {"other_state_grants": "no", "co_funding": "Ideellt arbete av medlemmarna."},
}


def _application(round_: Round, organisation: Organisation, applicant) -> Application:
    """The application as the applicant fills it in the portal, submitted."""
    track = round_.tracks.get(multi_year=True)
    first, second = round_.grant_period_start.year, round_.grant_period_start.year + 1
    application = application_create(organisation=organisation, track=track, user=applicant)
    for name, value in {
        "project_title": "Broar mellan bostadsområden i Hudiksvall",
        "project_summary": (
            "Läxhjälp, föräldraträffar och gemensamma aktiviteter för barn och unga från "
            "Håstahöjden och centrala Hudiksvall under två år (demonstrationsdata)."
        ),
        "purpose_and_plan": (
            "År 1 bygger vi upp läxhjälp och föräldraträffar; år 2 tar skolorna och "
            "fritidsgårdarna över delar av arbetet (demonstrationsdata)."
        ),
        "target_groups": "Barn och unga 10–16 år och deras föräldrar (demonstrationsdata).",
        "area_details": "Håstahöjden och centrala Hudiksvall.",
        "collaboration": "Hudiksvalls kommun: lokaler och fritidsledare.",
        "long_term_effect": (
            "Arbetet byggs in i skolornas och fritidsgårdarnas ordinarie verksamhet."
        ),
        "follow_up": "En lägesrapport per bidragsår och en slutrapport (demonstrationsdata).",
        "start_date": round_.grant_period_start,
        "end_date": round_.grant_period_end,
        "requested_amount": FIRST_YEAR + SECOND_YEAR,
        "requested_per_year": {str(first): FIRST_YEAR, str(second): SECOND_YEAR},
        "answers": ANSWERS,
        "is_demo": True,
    }.items():
        setattr(application, name, value)
    application.save()
    application.areas.set(Kommun.objects.filter(name="Hudiksvall"))
    Partner.objects.create(
        application=application, name="Hudiksvalls kommun", role="Lokaler och fritidsledare."
    )
    BudgetLine.objects.bulk_create(
        BudgetLine(application=application, category=category, year=year, amount=amount)
        for year, total in ((first, FIRST_YEAR), (second, SECOND_YEAR))
        for category, amount in (("staff", total * 6 // 10), ("activities", total * 4 // 10))
    )
    attachment_add(
        application=application,
        upload=_statutes(),
        kind=Attachment.Kind.STATUTES,
        content_type="application/pdf",
        user=applicant,
    )
    application, _submitted = application_submit(
        application=application, user=applicant, expected_version=None
    )
    return application


def _backdate(application: Application, meeting, now) -> None:
    """The services stamp everything with the moment the demo is loaded; the story they tell
    (applied three weeks ago, assessed, decided a week ago) gets its own days."""
    submitted = now - dt.timedelta(days=21)
    assessed = now - dt.timedelta(days=14)
    decided = timezone.make_aware(dt.datetime.combine(meeting.date, dt.time(14)))
    Application.objects.filter(pk=application.pk).update(
        created_at=submitted - dt.timedelta(days=2), submitted_at=submitted
    )
    days = {
        "application.created": submitted - dt.timedelta(days=2),
        "application.attachment_added": submitted - dt.timedelta(days=1),
        "application.submitted": submitted,
        "application.assessment_started": assessed,
        "assessment.saved": assessed,
        "meeting.application_added": decided - dt.timedelta(hours=4),
        "decision.recorded": decided - dt.timedelta(hours=1),
    }
    for action, when in days.items():
        Event.objects.filter(application=application, action=action).update(created_at=when)
    # The decision's consequences: approved, the grant made (the letter follows after commit).
    Event.objects.filter(application=application).exclude(action__in=days).update(
        created_at=decided
    )
    application.decisions.update(created_at=decided - dt.timedelta(hours=1))


@transaction.atomic
def load_multi_year_grant(round_: Round, *, now=None) -> Grant | None:
    """Decide the demonstration multi-year grant in `round_` unless it exists; return it (None
    when the demo's logins are missing)."""
    existing = Grant.objects.filter(
        application__round=round_, application__organisation__name=ASSOCIATION
    ).first()
    if existing is not None:
        return existing
    officer = User.objects.filter(email=DEMO_OFFICER).first()
    decider = User.objects.filter(email=DECISION_MAKER).first()
    applicant = User.objects.filter(email=APPLICANT).first()
    if officer is None or decider is None or applicant is None:
        return None
    now = now or timezone.now()
    organisation = _association()
    Membership.objects.get_or_create(
        user=applicant,
        organisation=organisation,
        defaults={"role": Membership.Role.REPRESENTATIVE},
    )
    application = _application(round_, organisation, applicant)
    assessment_save(
        application=application,
        user=officer,
        data={
            "formal_requirements_met": True,
            "score_relevance": 4,
            "score_goal_fulfilment": 3,
            "score_efficiency": 3,
            "score_long_term": 4,
            "recommendation": "approve",
            "proposed_amount": FIRST_YEAR + SECOND_YEAR,
            "notes": "Tydlig plan per år; kommunen tar över delar av arbetet (demonstration).",
        },
        expected_version=None,
    )
    application.refresh_from_db()
    meeting = meeting_create(
        round_=round_,
        user=decider,
        date=timezone.localdate(now) - dt.timedelta(days=7),
        title="Tidigt beslut om flerårigt bidrag (demonstration)",
    )
    meeting_add_applications(meeting=meeting, applications=[application], user=decider)
    first = round_.grant_period_start.year
    decision_record(
        meeting=meeting,
        application=application,
        user=decider,
        outcome="approved",
        amount=FIRST_YEAR + SECOND_YEAR,
        amount_per_year={str(first): FIRST_YEAR, str(first + 1): SECOND_YEAR},
        reasons=(
            "Projektet motverkar segregation i Hudiksvall med en tydlig plan för båda "
            "bidragsåren (demonstrationsdata)."
        ),
    )
    meeting_close(meeting=meeting, user=decider)
    _backdate(application, meeting, now)
    return Grant.objects.get(application=application)
