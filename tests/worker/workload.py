"""A workload with outbox jobs of every kind, and the count of what it should produce."""

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from grants.models import Decision, DecisionMeeting, Membership, OutboxJob
from grants.outbox import enqueue
from grants.services.letters import letter_batch_enqueue
from grants.services.portal import application_submit
from grants.services.publications import publication_publish
from tests import factories
from tests.grants.portal.conftest import complete
from tests.grants.publications.data import build_award_round


@dataclass
class Expected:
    emails: int
    receipts: int
    letters: int
    lists: int  # PDF files: two per list version


def _open_track():
    now = timezone.now()
    round_ = factories.make_round(
        year=now.year,
        slug=f"{now.year}-open",
        opens_at=now - dt.timedelta(days=10),
        closes_at=now + dt.timedelta(days=30),
        grant_period_start=dt.date(now.year + 1, 1, 1),
        grant_period_end=dt.date(now.year + 2, 12, 31),
        last_use_date=dt.date(now.year + 2, 12, 31),
        progress_report_due=dt.date(now.year + 1, 9, 30),
        final_report_due=dt.date(now.year + 3, 6, 30),
    )
    return factories.make_track(
        round_=round_, civil=True, multi_year=True, max_years=2, max_per_application=2_000_000
    )


def build_workload(*, applications: int = 2) -> Expected:
    """Commit jobs of every kind (their messages go to the broker on commit): per application the
    receipt e-mail and its PDF; a decision letter per decision of the award round's closed
    meetings (each e-mails the organisation's members); the award list of one track; a password
    reset. Returns what must arrive, exactly once each."""
    award_round = build_award_round()
    member = factories.make_user(email="alby@example.org")
    alby = award_round.applications.get(organisation__name="Föreningen Alby").organisation
    Membership.objects.create(user=member, organisation=alby, role=Membership.Role.MEMBER)
    track = _open_track()
    drafts = []
    for number in range(applications):
        user = factories.make_user(email=f"applicant{number}@example.org")
        organisation = factories.make_organisation(name=f"Förening {number}", members=[user])
        draft = factories.make_application(
            track=track, organisation=organisation, created_by=user, project_title=""
        )
        drafts.append((complete(draft, user), user))
    decisions = list(
        Decision.objects.filter(
            meeting__round=award_round, meeting__status=DecisionMeeting.Status.CLOSED
        ).select_related("application")
    )
    with transaction.atomic():
        publication_publish(round_=award_round, track=award_round.tracks.get(code="ideella"))
        for draft, user in drafts:
            application_submit(application=draft, user=user, expected_version=None)
        letter_batch_enqueue(decisions, round_=award_round)  # as a meeting's close does
        enqueue("password_reset", payload={"email": member.email, "language": "sv"})
    letters_to_alby = sum(d.application.organisation_id == alby.pk for d in decisions)
    return Expected(
        emails=applications + letters_to_alby + 1,
        receipts=applications,
        letters=len(decisions),
        lists=2,
    )


def files(folder: str, *, private: bool = False) -> list[str]:
    root = Path(settings.PRIVATE_MEDIA_ROOT if private else settings.MEDIA_ROOT) / folder
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def arrived(expected: Expected, smtp) -> dict:
    """What was produced, in the shape of `Expected` (plus the e-mails' distinct Message-IDs)."""
    return {
        "emails": len(smtp.messages),
        "distinct_emails": len(set(smtp.message_ids())),
        "receipts": len(files("receipts", private=True)),
        "letters": len(files("letters", private=True)),
        "lists": len(files("lists")),
    }


def all_done() -> bool:
    states = set(OutboxJob.objects.values_list("status", flat=True))
    assert "failed" not in states, list(
        OutboxJob.objects.filter(status="failed").values_list("kind", "error")
    )
    return states == {"done"}
