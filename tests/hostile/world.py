"""A small world for the generated tests: party A (an organisation with a draft, a submitted
application and a grant with its paperwork), party B (another organisation's representative,
the "applicant" persona), a case officer, a decision maker and an administrator."""

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from grants import roles
from grants.models import (
    Attachment,
    Decision,
    DecisionMeeting,
    Grant,
    Invitation,
    LetterBatch,
    Membership,
    OutboxJob,
    Publication,
    RecoveryClaim,
    Report,
    SupplementRequest,
)
from grants.tasks.opendata import write_release
from tests import factories

PERSONAS = ("anonymous", "applicant", "officer", "decision_maker", "administrator")
MISSING = 987_654_321  # an id no object has


@dataclass
class World:
    users: dict = field(default_factory=dict)
    owner: object = None  # party A's representative: the fuzz's applicant
    ids: dict = field(default_factory=dict)


def build_world() -> World:
    from grants.services.applications import application_transition
    from grants.services.organisations import invitation_token
    from grants.workflow import ApplicationStatus

    world = World()
    applicant_a = factories.make_user(email="party-a@example.org")
    member_a = factories.make_user(email="party-a-member@example.org")
    org_a = factories.make_organisation(name="Part A förening", members=[applicant_a])
    membership = Membership.objects.create(
        user=member_a, organisation=org_a, role=Membership.Role.MEMBER
    )
    applicant_b = factories.make_user(email="party-b@example.org")
    factories.make_organisation(name="Part B förening", members=[applicant_b])
    officer = factories.make_officer(email="officer@example.org")
    decider = factories.make_decision_maker(email="decider@example.org")
    admin = factories.make_user(email="admin@example.org", is_staff=True, is_superuser=True)
    admin.groups.add(Group.objects.get(name=roles.ADMINISTRATOR))

    track = factories.make_track(budget_cap=5_000_000)
    round_ = track.round
    draft = factories.make_application(track=track, organisation=org_a, created_by=applicant_a)
    attachment = Attachment(
        application=draft,
        kind="statutes",
        content_type="application/pdf",
        uploaded_by=applicant_a,
        original_name="stadgar.pdf",
        size=16,
    )
    attachment.file.save("stadgar.pdf", ContentFile(b"%PDF-1.4 party A"), save=False)
    attachment.save()

    submitted = factories.make_application(track=track, organisation=org_a)
    application_transition(application=submitted, to_status=ApplicationStatus.SUBMITTED)
    supplement = SupplementRequest.objects.create(
        application=submitted,
        message="Skicka stadgarna",
        due_date=dt.date(2030, 12, 1),
        requested_by=officer,
    )

    granted = factories.make_application(
        track=track,
        organisation=org_a,
        status="approved",
        case_number="DELMOS 2030/99",
        case_sequence=99,
    )
    meeting = DecisionMeeting.objects.create(round=round_, date=dt.date(2030, 6, 12))
    grant = factories.make_grant(application=granted, meeting=meeting)
    decision = Decision.objects.get(application=granted)
    payment = grant.payments.create(
        number=1, amount=200_000, due_date=dt.date(2030, 7, 1), status="released"
    )
    report = Report.objects.create(grant=grant, kind="progress", due_date=dt.date(2030, 12, 1))
    claim = RecoveryClaim.objects.create(
        grant=grant,
        report=report,
        amount=1_000,
        paid_basis=1_000,
        reason="Oförbrukat",
        due_date=dt.date(2031, 1, 1),
    )
    invitation = Invitation.objects.create(
        organisation=org_a, email="invited@example.org", invited_by=applicant_a
    )
    publication = Publication.objects.create(
        round=round_,
        version=1,
        as_of=dt.date(2030, 6, 12),
        status="done",
        published_by=decider,
        published_at=timezone.now(),
    )

    outbox_job = OutboxJob.objects.create(
        kind="email",
        status="failed",
        application=submitted,
        payload={"to": "party-a@example.org", "subject": "x", "text": "x", "html": "x"},
        attempts=8,
        error="SMTPServerDisconnected",
    )

    letter_batch = LetterBatch.objects.create(meeting=meeting, total=1)

    world.owner = applicant_a
    world.users = {
        "anonymous": None,
        "applicant": applicant_b,
        "officer": officer,
        "decision_maker": decider,
        "administrator": admin,
    }
    world.ids = {
        "org_a": org_a.pk,
        "membership": membership.pk,
        "track": track.pk,
        "round": round_.pk,
        "year": round_.year,
        "draft": draft.pk,
        "attachment": attachment.pk,
        "submitted": submitted.pk,
        "supplement": supplement.pk,
        "granted": granted.pk,
        "grant": grant.pk,
        "decision": decision.pk,
        "meeting": meeting.pk,
        "payment": payment.pk,
        "report": report.pk,
        "claim": claim.pk,
        "invitation_token": invitation_token(invitation),
        "publication": publication.pk,
        "outbox_job": outbox_job.pk,
        "letter_batch": letter_batch.pk,
        "org_number": org_a.org_number,
        "scope": getattr(publication, "scope", "alla") or "alla",
        "lan": org_a.seat.lan_id,
        "kommun": org_a.seat.code,
    }
    assert Grant.objects.filter(pk=grant.pk).exists()
    write_release()  # the open data job, as beat runs it after the data changed
    return world


def url_patterns(patterns=None, prefix="", namespace=""):
    """Every (route, name, pattern) the resolver knows, the i18n prefix left out."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            route = str(entry.pattern)
            if route.startswith("^") or route == "en/":
                route = ""
            ns = entry.namespace or ""
            full_ns = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from url_patterns(entry.url_patterns, prefix + route, full_ns)
        elif isinstance(entry, URLPattern):
            name = (f"{namespace}:{entry.name}" if namespace else entry.name) if entry.name else ""
            yield prefix + str(entry.pattern), name, entry.pattern
