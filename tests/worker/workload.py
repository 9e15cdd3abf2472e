"""A workload with outbox jobs of every kind, and the count of what it should produce: receipt
PDFs and receipt e-mails, decision and recovery letters with their notification e-mails, an
award list, a password reset, and reminders (applicants' and the officers' daily digest)."""

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from grants.models import (
    Application,
    Decision,
    DecisionMeeting,
    Grant,
    Membership,
    OutboxJob,
    RecoveryClaim,
    Reminder,
    SupplementRequest,
)
from grants.outbox import enqueue
from grants.services.letters import letter_batch_enqueue
from grants.services.portal import application_submit
from grants.services.publications import publication_publish
from grants.services.reminders import reminders_schedule
from grants.services.reports import recovery_claim_create
from grants.tasks.email import message_id
from tests import factories
from tests.grants.portal.conftest import complete
from tests.grants.publications.data import build_award_round


@dataclass
class Expected:
    emails: int  # every message the SMTP server should accept, reminders included
    receipts: int
    letters: int  # PDF files: decision letters and recovery letters, Swedish
    lists: int  # PDF files: two per list version
    reminders: int  # of the e-mails: reminders and digests (outbox kind "reminder")
    recovery_letters: int = 0  # of the letters


REMINDER_WORLD = (
    (Reminder.Kind.SUPPLEMENT_DUE, "supplement"),
    (Reminder.Kind.PROGRESS_REPORT_OVERDUE, "grant"),
    (Reminder.Kind.PAYMENT_DUE, "payment"),
)


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


def _reminder_world(officers) -> dict:
    """What applicants are reminded of today, in Swedish and English: a supplement request due in
    three days, a progress report two days overdue and the instalment that waits for it (due in
    five days); and a submission yesterday, for the officers' digest. Returns the objects."""
    today = timezone.localdate()
    swedish = factories.make_user(email="sokande@example.org")
    english = factories.make_user(email="reminded@example.org", language="en")
    organisation = factories.make_organisation(
        name="Påminda föreningen", members=[swedish, english]
    )
    asked = factories.make_application(
        organisation=organisation,
        created_by=swedish,
        status=Application.Status.SUPPLEMENT_REQUESTED,
        case_number="DELMOS 2030/901",
        case_sequence=901,
        submitted_at=timezone.now() - dt.timedelta(days=1),
    )
    supplement = SupplementRequest.objects.create(
        application=asked,
        message="Skicka budgeten igen.",
        due_date=today + dt.timedelta(days=3),
        requested_by=officers[0],
    )
    round_ = factories.make_round(
        progress_report_due=today - dt.timedelta(days=2),
        final_report_due=today + dt.timedelta(days=300),
    )
    granted = factories.make_application(
        track=factories.make_track(round_=round_),
        organisation=organisation,
        created_by=english,
        status=Application.Status.APPROVED,
        case_number="DELMOS 2030/902",
        case_sequence=902,
    )
    grant = factories.make_grant(application=granted, amount=300_000)
    # The reports as a grant's plan makes them (grants.services.decisions.grant_plan_rows):
    # reminders follow each report's own due date.
    grant.reports.create(
        kind="progress", grant_year=round_.year, due_date=round_.progress_report_due
    )
    grant.reports.create(kind="final", grant_year=round_.year, due_date=round_.final_report_due)
    payment = grant.payments.create(
        number=2,
        due_date=today + dt.timedelta(days=5),
        amount=150_000,
        requires_progress_report=True,
    )
    return {"supplement": supplement.pk, "grant": grant.pk, "payment": payment.pk}


def build_workload(*, applications: int = 2) -> Expected:
    """Commit jobs of every kind (their messages go to the broker on commit): per application the
    receipt e-mail and its PDF; a decision letter per decision of the award round's closed
    meetings (each e-mails the organisation's members); the award list of one track; a password
    reset; a recovery claim's letter (e-mailed to the organisation's member); the reminders due
    today and the officers' digests (scheduled as the beat task does, in the same transaction).
    Returns what must arrive, exactly once each."""
    award_round = build_award_round()
    member = factories.make_user(email="alby@example.org")
    alby = award_round.applications.get(organisation__name="Föreningen Alby").organisation
    Membership.objects.create(user=member, organisation=alby, role=Membership.Role.MEMBER)
    officers = [
        factories.make_officer(email="handlaggare@example.org"),
        factories.make_officer(email="officer@example.org", language="en"),
    ]
    reminded = _reminder_world(officers)
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
        grant = Grant.objects.select_for_update().get(application__organisation=alby)
        recovery_claim_create(
            grant=grant,
            report=None,
            amount=25_000,
            user=officers[0],
            grounds=RecoveryClaim.Grounds.UNUSED,
            reason="Återkrav i feltestet.",
            paid=100_000,
        )
        with override_settings(REMINDER_DIGEST_HOUR=0):  # as the test's worker has it
            reminders_schedule()  # a running worker's beat may have scheduled some already
    # The schedulers found exactly the world's reminders and a digest for each officer.
    expected_keys = {(kind, reminded[name]) for kind, name in REMINDER_WORLD}
    expected_keys |= {(Reminder.Kind.OFFICER_DIGEST, officer.pk) for officer in officers}
    assert set(Reminder.objects.values_list("kind", "object_id")) == expected_keys
    letters_to_alby = sum(d.application.organisation_id == alby.pk for d in decisions)
    return Expected(
        emails=applications + letters_to_alby + 1 + 1 + len(expected_keys),
        receipts=applications,
        letters=len(decisions) + 1,
        lists=2,
        reminders=len(expected_keys),
        recovery_letters=1,
    )


def files(folder: str, *, private: bool = False) -> list[str]:
    root = Path(settings.PRIVATE_MEDIA_ROOT if private else settings.MEDIA_ROOT) / folder
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def arrived(expected: Expected, smtp) -> dict:
    """What was produced, in the shape of `Expected` (plus the e-mails' distinct Message-IDs).
    Letters are the Swedish PDFs (an English copy is a second file of the same letter); the
    reminders are the arrived messages whose Message-ID is a reminder job's."""
    letters = [name for name in files("letters", private=True) if not name.endswith(".en.pdf")]
    reminder_ids = {message_id(job) for job in OutboxJob.objects.filter(kind="reminder")}
    return {
        "emails": len(smtp.messages),
        "distinct_emails": len(set(smtp.message_ids())),
        "receipts": len(files("receipts", private=True)),
        "letters": len(letters),
        "recovery_letters": sum(name.startswith("claim-") for name in letters),
        "lists": len(files("lists")),
        "reminders": sum(mid in reminder_ids for mid in smtp.message_ids()),
    }


def all_done() -> bool:
    states = set(OutboxJob.objects.values_list("status", flat=True))
    assert "failed" not in states, list(
        OutboxJob.objects.filter(status="failed").values_list("kind", "error")
    )
    return states == {"done"}
