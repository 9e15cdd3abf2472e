"""The applicant's changes: drafts saved section by section under optimistic locking,
attachments, submission with a case number, supplements and reports."""

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from grants import workflow
from grants.emails import email_send
from grants.models import (
    Application,
    Attachment,
    BudgetLine,
    Event,
    Grant,
    Partner,
    Report,
    SupplementRequest,
)
from grants.outbox import enqueue
from grants.selectors.portal import application_snapshot
from grants.services import ServiceError, StaleVersion, submission
from grants.services.accounts import absolute_url
from grants.services.applications import application_transition
from grants.services.events import event_record
from grants.services.ledger import grant_limits
from grants.services.reports import report_order_problem
from grants.workflow import EDITABLE_STATUSES, ApplicationStatus

DRAFT_SAVED_ELSEWHERE = gettext_lazy(
    "Someone saved this section in another window or on another device after you "
    "opened it. Nothing was overwritten: compare the two versions below."
)


def _saved_elsewhere(
    application: Application, expected_version: int, *, section: str, editor: str, autosave: bool
) -> bool:
    """Whether this section was saved after the form's version was loaded, by someone else.

    Versions count for the whole application, but a save changes one section only, so saves of
    other sections are no conflict. A page's own earlier saves are none either, except for an
    autosave arriving late: it never overwrites anything saved after its version."""
    newer = Event.objects.filter(
        application=application,
        action="application.draft_saved",
        data__version__gt=expected_version,
        data__section=section,
    )
    if autosave or not editor:
        return newer.exists()
    return newer.exclude(data__editor=editor).exists()


def _locked_draft(
    application: Application,
    expected_version: int | None,
    *,
    section: str = "",
    editor: str = "",
    autosave: bool = False,
) -> Application:
    locked = (
        Application.objects.select_for_update()
        .select_related("round", "track", "organisation")
        .get(pk=application.pk)
    )
    if locked.status not in EDITABLE_STATUSES:
        raise ServiceError(
            _("The application has been submitted and can no longer be changed."),
            code="not_editable",
        )
    if (
        expected_version is not None
        and expected_version != locked.version
        and (
            expected_version > locked.version
            or _saved_elsewhere(
                locked, expected_version, section=section, editor=editor, autosave=autosave
            )
        )
    ):
        raise StaleVersion(DRAFT_SAVED_ELSEWHERE, current=locked)
    return locked


def _target(application: Application) -> str:
    """The event's target text (an untitled draft has neither title nor case number yet)."""
    return application.case_number or application.project_title or f"#{application.pk}"


def _json_safe(data: dict) -> dict:
    return {
        key: value.isoformat() if isinstance(value, dt.date) else value
        for key, value in data.items()
    }


@transaction.atomic
def application_create(*, organisation, track, user) -> Application:
    application = Application.objects.create(
        round=track.round, track=track, organisation=organisation, created_by=user
    )
    event_record(
        action="application.created",
        actor=user,
        application=application,
        target=_target(application),
    )
    return application


@transaction.atomic
def application_save_section(
    *,
    application: Application,
    section: str,
    data,
    user,
    expected_version: int | None,
    editor: str = "",
    autosave: bool = False,
    raw_input: dict | None = None,
) -> Application:
    """Store one section of a draft. `data` is the cleaned data of the section's form (a list of
    rows for partners and budget). Refuses (StaleVersion) a save of a section that was saved
    by another editor (tab, window, device) after `expected_version`; see _saved_elsewhere.

    A section that does not validate is saved all the same: `data` then holds the fields that
    are valid (None for a list section, whose rows stay as they were) and `raw_input` what was
    typed, field by field, with the names of the fields in error; the form shows it again with
    its errors until a valid save of the section clears it, and submission refuses it
    (grants.services.submission)."""
    locked = _locked_draft(
        application, expected_version, section=section, editor=editor, autosave=autosave
    )
    fields = ["version", "updated_at", "draft_input"]
    pending = {key: value for key, value in locked.draft_input.items() if key != section}
    if raw_input:
        pending[section] = raw_input
    locked.draft_input = pending
    if data is None:
        pass
    elif section in ("project", "effect"):
        for name, value in data.items():
            if name != "areas":
                setattr(locked, name, value)
                fields.append(name)
        if section == "project" and "areas" in data:
            locked.areas.set(data["areas"])
    elif section == "partners":
        locked.partners.all().delete()
        Partner.objects.bulk_create(
            Partner(
                application=locked, name=row["name"], org_number=row["org_number"], role=row["role"]
            )
            for row in data
            if row.get("name")
        )
    elif section == "budget":
        locked.budget_lines.all().delete()
        lines = [
            BudgetLine(
                application=locked,
                category=row["category"],
                description=row.get("description", ""),
                year=row.get("year") or None,
                amount=row.get("amount") or 0,
            )
            for row in data
            if row.get("category")
        ]
        BudgetLine.objects.bulk_create(lines)
        locked.requested_amount = sum(line.amount for line in lines)
        per_year: dict[str, int] = {}
        if locked.track.multi_year:
            for line in lines:
                if line.year:
                    per_year[str(line.year)] = per_year.get(str(line.year), 0) + line.amount
        locked.requested_per_year = per_year
        fields += ["requested_amount", "requested_per_year"]
    elif section in ("certifications", "statement", "funding"):
        merged = {**locked.answers.get(section, {}), **_json_safe(data)}
        locked.answers = {**locked.answers, section: merged}
        fields.append("answers")
    else:
        raise ValueError(section)
    locked.version += 1
    locked.save(update_fields=fields)
    event_record(
        action="application.draft_saved",
        actor=user,
        application=locked,
        target=_target(locked),
        data={
            "section": section,
            "version": locked.version,
            "editor": editor,
            **({"invalid": raw_input["errors"]} if raw_input else {}),
        },
    )
    return locked


@transaction.atomic
def attachment_add(
    *, application: Application, upload, kind: str, content_type: str, user, supplement=None
) -> Attachment:
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if supplement is None and locked.status not in EDITABLE_STATUSES:
        raise ServiceError(
            _("The application has been submitted and can no longer be changed."),
            code="not_editable",
        )
    attachment = Attachment(
        application=locked,
        supplement_request=supplement,
        kind=kind,
        original_name=upload.name[-255:],
        content_type=content_type,
        size=upload.size,
        uploaded_by=user,
    )
    attachment.file.save(upload.name, upload, save=False)
    attachment.save()
    event_record(
        action="application.attachment_added",
        actor=user,
        application=locked,
        target=_target(locked),
        data={"attachment": attachment.pk, "name": attachment.original_name},
    )
    return attachment


@transaction.atomic
def attachment_delete(*, application: Application, attachment_id: int, user) -> None:
    locked = _locked_draft(application, None)
    attachment = locked.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise ServiceError(_("No such attachment."), code="not_found")
    name = attachment.file.name
    storage = attachment.file.storage
    attachment.delete()
    event_record(
        action="application.attachment_deleted",
        actor=user,
        application=locked,
        target=_target(locked),
        data={"name": attachment.original_name},
    )
    transaction.on_commit(lambda: storage.delete(name))


def _receipt_language(user) -> str:
    return getattr(user, "language", None) or translation.get_language() or "sv"


@transaction.atomic
def application_submit(
    *, application: Application, user, expected_version: int | None
) -> tuple[Application, bool]:
    """Submit a draft: check it, freeze the snapshot, give the case number, and after commit
    send the receipt and make the PDF copy. A repeated request (a double click) changes nothing
    and returns (application, False)."""

    locked = (
        Application.objects.select_for_update()
        .select_related("round", "track", "organisation")
        .get(pk=application.pk)
    )
    if locked.status not in EDITABLE_STATUSES:
        return locked, False
    if expected_version is not None and expected_version != locked.version:
        raise StaleVersion(DRAFT_SAVED_ELSEWHERE, current=locked)
    problems = submission.submission_problems(locked)
    if problems:
        raise ServiceError(
            ngettext(
                "The application is not complete: %(count)s thing is missing.",
                "The application is not complete: %(count)s things are missing.",
                len(problems),
            )
            % {"count": len(problems)},
            code="incomplete",
        )
    locked.snapshot = application_snapshot(locked)
    locked.save(update_fields=["snapshot"])
    submitted = application_transition(
        application=locked,
        to_status=ApplicationStatus.SUBMITTED,
        user=user,
        expected_version=locked.version,
    )
    language = _receipt_language(user)
    with translation.override(language):
        path = reverse("portal:application", args=[submitted.pk])
    email_send(
        to=user.email,
        template="application_receipt",
        context={"application": submitted, "url": absolute_url(path)},
        language=language,
        application=submitted,
    )
    enqueue(
        "receipt",
        payload={"application": submitted.pk, "language": language},
        application=submitted,
        description=f"{submitted.case_number}.pdf",
    )
    return submitted, True


@transaction.atomic
def supplement_answer(
    *, supplement: SupplementRequest, user, answer: str, upload=None, content_type: str = ""
) -> SupplementRequest:
    """Answer a request for supplementary information before its due date; the application
    goes back to where it was when the request was made (submitted, or in assessment)."""
    locked = SupplementRequest.objects.select_for_update().get(pk=supplement.pk)
    if locked.answered_at is not None:
        raise ServiceError(_("This request has already been answered."), code="answered")
    if locked.due_date < timezone.localdate():
        raise ServiceError(_("The due date has passed. Contact the case officer."), code="overdue")
    locked.answer = answer
    locked.answered_by = user
    locked.answered_at = timezone.now()
    locked.save(update_fields=["answer", "answered_by", "answered_at"])
    if upload is not None:
        attachment_add(
            application=locked.application,
            upload=upload,
            kind=Attachment.Kind.SUPPLEMENT,
            content_type=content_type,
            user=user,
            supplement=locked,
        )
    paused = Application.objects.select_for_update().get(pk=locked.application_id)
    application_transition(
        application=paused,
        to_status=workflow.APPLICATION.resumed(paused.status, locked.resumes_to)
        if paused.status in workflow.APPLICATION.pauses
        else locked.resumes_to,  # refused by the table, with its reason
        user=user,
        data={"supplement_request": locked.pk},
    )
    return locked


def report_unused(grant: Grant, report: Report | None) -> int | None:
    """The part of what was paid that the report does not account for (paid − used, never
    below zero): what a final report with this figure would claim back."""
    if report is None or report.money_used is None:
        return None
    return max(grant_limits(grant).paid - report.money_used, 0)


def current_report(grant: Grant, kind: str) -> Report | None:
    """The report of this kind that is next in order: the first not yet approved (for
    multi-year grants, one progress report per grant year), else the last."""
    reports = list(grant.reports.filter(kind=kind).order_by("grant_year", "pk"))
    return next((r for r in reports if r.review_status != Report.Review.APPROVED), None) or (
        reports[-1] if reports else None
    )


def report_due_date(grant: Grant, kind: str):
    report = current_report(grant, kind)
    if report is not None:
        return report.due_date
    round_ = grant.application.round
    if kind == Report.Kind.PROGRESS:
        return round_.progress_report_due
    return round_.final_report_due


@transaction.atomic
def report_submit(*, grant: Grant, kind: str, user, results: str, money_used: int) -> Report:
    """Submit the progress or final report of a grant (again, if it was returned), in order:
    a report waits for the reports of the grant years before it to be submitted."""
    due = report_due_date(grant, kind)
    if due is None:
        raise ServiceError(_("This round asks for no progress report."), code="not_due")
    Grant.objects.select_for_update().filter(pk=grant.pk).values("pk").first()
    report = current_report(grant, kind)
    if report is None:
        report = Report.objects.create(
            grant=grant,
            kind=kind,
            due_date=due,
            grant_year=grant.application.round.grant_period_start.year,
        )
    report = Report.objects.select_for_update().get(pk=report.pk)
    step = workflow.check(report, Report.Review.PENDING, user=user)
    problem = report_order_problem(report, needed=(Report.Review.PENDING, Report.Review.APPROVED))
    if problem:
        raise ServiceError(problem, code="report_order")
    report.answers = {**report.answers, "results": results}
    report.money_used = money_used
    report.submitted_by = user
    report.grant = grant
    workflow.apply(
        report,
        step,
        user=user,
        data={
            "money_used": money_used,
            "unused": report_unused(grant, report),
            "grant_year": report.grant_year,
        },
        fields=["answers", "money_used", "submitted_by"],
    )
    return report
