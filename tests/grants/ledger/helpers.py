"""Grants made through the real services, for the ledger's tests."""

import datetime as dt

from grants.models import Grant
from grants.services.applications import application_transition
from grants.services.decisions import (
    decision_record,
    meeting_add_applications,
    meeting_close,
    meeting_create,
)
from grants.workflow import ApplicationStatus
from tests import factories


def ledger_track(*, year=2030, multi_year=True, budget_cap=50_000_000):
    """A round shaped like 2021's: two instalments for a single-year grant, a progress report
    per grant year, the final report on 30 June the year after."""
    round_ = factories.make_round(
        year=year,
        grant_period_start=dt.date(year + 1, 1, 1),
        grant_period_end=dt.date(year + 2, 12, 31),
        last_use_date=dt.date(year + 2, 12, 31),
        progress_report_due=dt.date(year + 1, 9, 30),
        final_report_due=dt.date(year + 3, 6, 30),
        instalments=2,
    )
    return factories.make_track(
        round_=round_, budget_cap=budget_cap, multi_year=multi_year, max_years=2
    )


def award(*, track, organisation, decision_maker, amount=0, per_year=None) -> Grant:
    """Submit, assess, decide and close: the grant as the services make it."""
    application = factories.make_application(track=track, organisation=organisation)
    application_transition(application=application, to_status=ApplicationStatus.SUBMITTED)
    application_transition(application=application, to_status=ApplicationStatus.IN_ASSESSMENT)
    application.refresh_from_db()
    meeting = meeting_create(
        round_=track.round, user=decision_maker, date=dt.date(track.round.year, 6, 12)
    )
    meeting_add_applications(meeting=meeting, applications=[application], user=decision_maker)
    decision_record(
        meeting=meeting,
        application=application,
        user=decision_maker,
        outcome="approved",
        amount=amount,
        amount_per_year=per_year,
    )
    meeting_close(meeting=meeting, user=decision_maker)
    return Grant.objects.select_related("application__round").get(application=application)


def start_project(grant: Grant) -> Grant:
    """Let the grant's project period start: the beat's daily release of the instalments whose
    grant year has begun, run as on the first day of the round's grant period."""
    from grants.services.payments import payments_release_due

    payments_release_due(today=grant.application.round.grant_period_start, grant=grant)
    return grant


def year_begins(grant: Grant) -> Grant:
    """Let time pass to the day the instalments that no longer wait for a report are due (their
    grant year's start): the beat's daily release, run on that day."""
    from grants.services.payments import payments_release_due

    days = grant.payments.filter(status="planned", requires_progress_report=False).values_list(
        "due_date", flat=True
    )
    if days:
        payments_release_due(today=max(days), grant=grant)
    return grant
