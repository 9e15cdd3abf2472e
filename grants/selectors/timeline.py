"""Timelines for people: every event type with a readable, translated label (for staff) and a
short text (for the applicant, where the applicant sees it), and runs of autosaves collapsed into
one line."""

from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext


@dataclass(frozen=True)
class EventType:
    label: str  # what staff read in a timeline and the audit log
    text: str = ""  # a short sentence for the applicant ("" for staff-only events)


EVENT_TYPES: dict[str, EventType] = {
    # accounts and organisations
    "user.registered": EventType(_("Account registered")),
    "user.email_verified": EventType(_("E-mail address verified")),
    "user.registration_of_known_address": EventType(
        _("Registration tried with an address that has an account")
    ),
    "user.registered_again": EventType(_("Registration repeated before verification")),
    "organisation.created": EventType(_("Organisation registered")),
    "organisation.member_invited": EventType(_("Colleague invited")),
    "organisation.member_joined": EventType(_("Colleague joined the organisation")),
    "organisation.member_removed": EventType(_("Colleague removed from the organisation")),
    # the application
    "application.created": EventType(_("Draft started"), _("You started the application.")),
    "application.draft_saved": EventType(_("Draft saved"), _("The draft was saved.")),
    "application.attachment_added": EventType(_("Attachment added"), _("An attachment was added.")),
    "application.attachment_deleted": EventType(
        _("Attachment removed"), _("An attachment was removed.")
    ),
    "application.submitted": EventType(
        _("Application submitted"), _("The application was submitted.")
    ),
    "application.supplement_requested": EventType(
        _("Supplement requested"), _("The case officer asked for supplementary information.")
    ),
    "application.supplement_answered": EventType(
        _("Supplement answered"), _("You answered the request for supplementary information.")
    ),
    "application.assessment_started": EventType(
        _("Assessment started"), _("The assessment started.")
    ),
    "application.approved": EventType(
        _("Application approved"), _("The application was approved.")
    ),
    "application.rejected": EventType(
        _("Application rejected"), _("The application was rejected.")
    ),
    "application.withdrawn": EventType(
        _("Application withdrawn"), _("The application was withdrawn.")
    ),
    "application.assigned": EventType(_("Assigned to a case officer")),
    # casework
    "assessment.saved": EventType(_("Assessment saved")),
    "assessment.second_saved": EventType(_("Second assessment saved")),
    "supplement.requested": EventType(
        _("Request for supplementary information sent"),
        _("A request for supplementary information was sent to you."),
    ),
    "conflict.declared": EventType(_("Conflict of interest declared")),
    "comment.added": EventType(_("Internal comment added")),
    # meetings and decisions
    "meeting.created": EventType(_("Decision meeting created")),
    "meeting.application_added": EventType(_("Put on a decision meeting's agenda")),
    "meeting.application_removed": EventType(_("Taken off a decision meeting's agenda")),
    "meeting.closed": EventType(_("Decision meeting closed")),
    "meeting.conflict_declared": EventType(
        _("Conflict of interest declared at a decision meeting")
    ),
    "decision.recorded": EventType(_("Decision recorded")),
    "decision.letter_sent": EventType(
        _("Decision letter sent"), _("The decision letter was sent to you.")
    ),
    "budget.reallocated": EventType(_("Budget reallocated between tracks")),
    # the grant
    "grant.created": EventType(_("Grant created"), _("The grant was awarded.")),
    "grant.supplemented": EventType(
        _("Supplementary grant"), _("A supplementary grant was awarded.")
    ),
    "grant.closed": EventType(
        _("Grant closed"), _("The grant is closed: the final report is approved.")
    ),
    "grant.reported": EventType(
        _("Final report approved; money to be paid back"),
        _("The final report is approved; the unused money is to be paid back."),
    ),
    "grant.recovered": EventType(
        _("Money paid back; grant recovered"), _("The unused money is paid back.")
    ),
    "payment.released": EventType(
        _("Instalment released"), _("An instalment was released for payment.")
    ),
    "payment.paid": EventType(_("Instalment paid"), _("An instalment was paid.")),
    "payment.cancelled": EventType(
        _("Instalment cancelled"), _("An instalment not yet paid was cancelled.")
    ),
    "payment.awaits_year": EventType(
        _("Instalment awaits its grant year"),
        _("The report is approved; the instalment is released when its grant year starts."),
    ),
    "payment.planned": EventType(
        _("Instalment planned"), _("An instalment was planned after a correction decision.")
    ),
    "grant.corrected": EventType(
        _("Correction decision"), _("A correction decision changed the grant.")
    ),
    "recovery.repaid": EventType(
        _("Repayment recorded"), _("A repayment of the recovery claim was recorded.")
    ),
    "recovery.written_off": EventType(
        _("Claim written off"), _("Part or all of the recovery claim was written off.")
    ),
    "report.progress_submitted": EventType(
        _("Progress report submitted"), _("The progress report was submitted.")
    ),
    "report.final_submitted": EventType(
        _("Final report submitted"), _("The final report was submitted.")
    ),
    "report.approved": EventType(_("Report approved"), _("The report was approved.")),
    "report.returned": EventType(
        _("Report returned for changes"), _("The report was returned to you for changes.")
    ),
    "recovery.claimed": EventType(_("Recovery claim sent"), _("A recovery claim was sent.")),
    "recovery.letter_sent": EventType(
        _("Recovery claim letter sent"), _("The recovery claim letter was sent to you.")
    ),
    "recovery.settled": EventType(_("Recovery claim settled"), _("The recovery claim is settled.")),
    # reminders (issue 9)
    "reminder.sent": EventType(_("Reminder e-mailed"), _("A reminder was e-mailed to you.")),
    # publications
    "publication.rendered": EventType(_("Award list rendered")),
    "publication.published": EventType(_("Award list published")),
    "publication.failed": EventType(_("Award list failed to render")),
    "publication.retried": EventType(_("Award list rendering retried")),
    # the outbox: e-mails and documents the system promised
    "outbox.failed": EventType(_("An e-mail or document failed after its last attempt")),
    "outbox.retried": EventType(_("A failed e-mail or document was tried again")),
}

AUTOSAVE = "application.draft_saved"
# Events that belong to writing the draft: they do not end a run of autosaves.
DRAFT_PHASE = {AUTOSAVE, "application.attachment_added", "application.attachment_deleted"}


def event_label(action: str) -> str:
    """Staff's label for an event code; an unknown code (none is: a test checks) as it is."""
    kind = EVENT_TYPES.get(action)
    return str(kind.label) if kind else action


def event_text(action: str) -> str:
    """The applicant's sentence for an event code; the staff label where there is none."""
    kind = EVENT_TYPES.get(action)
    if kind is None:
        return action
    return str(kind.text or kind.label)


@dataclass
class TimelineEntry:
    action: str
    text: str
    created_at: object  # the time of the (last) event
    actors: list = field(default_factory=list)
    count: int = 1


def _autosave_text(count: int, last) -> str:
    when = date_format(timezone.localtime(last), "j F Y H:i")
    return ngettext(
        "Draft saved once, at %(when)s",
        "Draft saved %(n)s times, last at %(when)s",
        count,
    ) % {"n": count, "when": when}


def timeline(events, *, for_applicant: bool = False) -> list[TimelineEntry]:
    """The events as lines for people, oldest first: each with its label (staff) or short text
    (applicant), and every run of autosaves as one line "draft saved N times, last at …" in the
    place of the run's first save. For the applicant, only the events marked visible to them."""
    entries: list[TimelineEntry] = []
    run: TimelineEntry | None = None
    for event in events:
        if for_applicant and not event.visible_to_applicant:
            continue
        actor = event.actor
        if event.action == AUTOSAVE:
            if run is None:
                run = TimelineEntry(AUTOSAVE, "", event.created_at, count=0)
                entries.append(run)
            run.count += 1
            run.created_at = event.created_at
            if actor is not None and actor not in run.actors:
                run.actors.append(actor)
            run.text = _autosave_text(run.count, run.created_at)
            continue
        if event.action not in DRAFT_PHASE:
            run = None
        text = event_text(event.action) if for_applicant else event_label(event.action)
        entries.append(
            TimelineEntry(event.action, text, event.created_at, [actor] if actor else [])
        )
    return entries
