"""Case officers' actions: assignment, assessment and the second (four-eyes) assessment, supplement
requests, conflicts of interest and internal comments. Each is atomic and writes its Event in the
same transaction. The four-eyes rule (which applications need a second assessment, and that it is
another officer's) lives here; the meeting asks `second_assessment_missing`."""

import datetime as dt

from django.db import transaction
from django.db.models import F, Q
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grants import roles
from grants.emails import email_send, site_url
from grants.models import (
    Application,
    Assessment,
    ConflictOfInterest,
    InternalComment,
    SavedFilter,
    SecondAssessment,
    SupplementRequest,
    User,
)
from grants.services import ServiceError, StaleVersion
from grants.services.applications import application_transition
from grants.services.events import event_record
from grants.workflow import OPEN_STATUSES, ApplicationStatus

ASSESSMENT_FIELDS = (
    "formal_requirements_met",
    "formal_notes",
    "score_relevance",
    "score_goal_fulfilment",
    "score_efficiency",
    "score_long_term",
    "recommendation",
    "proposed_amount",
    "notes",
)


ASSESSMENT_SAVED_ELSEWHERE = gettext_lazy(
    "Another case officer saved this assessment while you were working on it. "
    "Their version is shown next to yours: merge the two and save again."
)


def _require_officer(user) -> None:
    if not roles.is_case_officer(user):
        raise ServiceError(_("Only case officers may do this."), code="permission_denied")


@transaction.atomic
def applications_assign(*, applications, officer: User, user) -> int:
    """Assign applications to a case officer (bulk). Returns how many changed."""
    _require_officer(user)
    if not roles.is_case_officer(officer):
        raise ServiceError(_("Applications can only be assigned to a case officer."))
    changed = 0
    for application in Application.objects.select_for_update().filter(
        pk__in=[a.pk for a in applications]
    ):
        if application.assigned_officer_id == officer.pk:
            continue
        if application.conflicts.filter(officer=officer).exists():
            raise ServiceError(
                _("%(officer)s has declared a conflict of interest on %(application)s.")
                % {"officer": officer, "application": application}
            )
        Application.objects.filter(pk=application.pk).update(
            assigned_officer=officer, version=F("version") + 1, updated_at=timezone.now()
        )
        event_record(
            action="application.assigned",
            actor=user,
            application=application,
            data={"officer": officer.pk, "officer_name": str(officer)},
        )
        changed += 1
    return changed


def second_assessment_required(application: Application) -> bool:
    """Whether the application's track requires a second assessment for its amount."""
    threshold = application.track.second_assessment_above
    return threshold is not None and application.requested_amount > threshold


def second_assessment_missing(application_ids) -> list[Application]:
    """Those of the applications whose track requires a second assessment that nobody has
    made yet (one query), in case-number order."""
    return list(
        Application.objects.filter(
            Q(second_assessment__isnull=True)
            & Q(track__second_assessment_above__isnull=False)
            & Q(requested_amount__gt=F("track__second_assessment_above")),
            pk__in=list(application_ids),
        ).order_by("case_sequence", "pk")
    )


def _assessment_write(model, *, locked: Application, user, data: dict, expected_version):
    """Save one of the two assessments with optimistic locking (see assessment_save)."""
    assessment = model.objects.select_for_update().filter(application=locked).first()
    if assessment is None:
        if expected_version not in (None, 0):
            raise ServiceError(_("The assessment no longer exists."))
        assessment = model(application=locked, officer=user, version=1)
    else:
        if expected_version != assessment.version:
            raise StaleVersion(ASSESSMENT_SAVED_ELSEWHERE, current=assessment)
        assessment.version += 1
        assessment.officer = user
    for field in ASSESSMENT_FIELDS:
        setattr(assessment, field, data.get(field))
    for field in ("formal_notes", "recommendation", "notes"):
        if getattr(assessment, field) is None:
            setattr(assessment, field, "")
    if assessment.formal_requirements_met is False and not assessment.formal_notes.strip():
        raise ServiceError(_("Give the reasons when the formal requirements are not met."))
    assessment.full_clean(exclude=["application", "officer"])
    assessment.save()
    return assessment


def _locked_open(application: Application) -> Application:
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if locked.status not in OPEN_STATUSES:
        raise ServiceError(_("A decided or withdrawn application can no longer be assessed."))
    return locked


@transaction.atomic
def assessment_save(
    *, application: Application, user, data: dict, expected_version: int | None
) -> Assessment:
    """Save the assessment. `expected_version` is the version the officer opened (None for a new
    one); if someone saved in between, StaleVersion carries their version to merge with."""
    _require_officer(user)
    locked = _locked_open(application)
    if SecondAssessment.objects.filter(application=locked, officer=user).exists():
        raise ServiceError(
            _(
                "You made the second assessment of %(application)s; the first must be another "
                "case officer's."
            )
            % {"application": locked},
            code="same_officer",
        )
    assessment = _assessment_write(
        Assessment, locked=locked, user=user, data=data, expected_version=expected_version
    )
    if locked.status == ApplicationStatus.SUBMITTED:
        application_transition(
            application=locked, to_status=ApplicationStatus.IN_ASSESSMENT, user=user
        )
    event_record(
        action="assessment.saved",
        actor=user,
        application=locked,
        data={
            "version": assessment.version,
            "recommendation": assessment.recommendation,
            "proposed_amount": assessment.proposed_amount,
        },
    )
    return assessment


@transaction.atomic
def second_assessment_save(
    *, application: Application, user, data: dict, expected_version: int | None
) -> SecondAssessment:
    """Save the second assessment (four-eyes): another case officer than the one who made the
    first, which must exist. Optimistic locking as for the first."""
    _require_officer(user)
    locked = _locked_open(application)
    first = Assessment.objects.filter(application=locked).first()
    if first is None:
        raise ServiceError(
            _("Save the first assessment before a second one."), code="no_first_assessment"
        )
    if first.officer_id == user.pk:
        raise ServiceError(
            _(
                "You made the first assessment of %(application)s; the second must be another "
                "case officer's."
            )
            % {"application": locked},
            code="same_officer",
        )
    assessment = _assessment_write(
        SecondAssessment, locked=locked, user=user, data=data, expected_version=expected_version
    )
    event_record(
        action="assessment.second_saved",
        actor=user,
        application=locked,
        data={
            "version": assessment.version,
            "recommendation": assessment.recommendation,
            "proposed_amount": assessment.proposed_amount,
        },
    )
    return assessment


@transaction.atomic
def supplement_request(
    *, application: Application, user, message: str, due_date: dt.date
) -> SupplementRequest:
    """Ask the applicant for more information by a due date; e-mails the organisation's members."""
    _require_officer(user)
    if due_date <= timezone.localdate():
        raise ServiceError(_("The due date must be in the future."))
    paused = Application.objects.select_for_update().get(pk=application.pk).status
    locked = application_transition(
        application=application,
        to_status=ApplicationStatus.SUPPLEMENT_REQUESTED,
        user=user,
        data={"due_date": due_date.isoformat()},
    )
    request = SupplementRequest.objects.create(
        application=locked,
        message=message,
        due_date=due_date,
        requested_by=user,
        resumes_to=paused,
    )
    event_record(
        action="supplement.requested",
        actor=user,
        application=locked,
        data={"due_date": due_date.isoformat(), "message": message},
        visible_to_applicant=True,
    )
    recipients = User.objects.filter(
        memberships__organisation_id=locked.organisation_id, is_active=True
    )
    for recipient in recipients:
        email_send(
            to=recipient.email,
            template="officer_supplement_request",
            context={
                "application": locked,
                "request": request,
                "recipient": recipient,
                "url": site_url(
                    "portal:supplement_answer",
                    args=[locked.pk, request.pk],
                    language=recipient.language,
                ),
            },
            language=recipient.language,
        )
    return request


@transaction.atomic
def conflict_declare(*, application: Application, user, reason: str) -> ConflictOfInterest:
    """Declare a conflict of interest (jäv): the application leaves the officer's view, and an
    assignment to them is removed."""
    if not (roles.is_case_officer(user) or roles.is_decision_maker(user)):
        raise ServiceError(_("Only staff may declare a conflict of interest."))
    conflict, created = ConflictOfInterest.objects.get_or_create(
        application=application, officer=user, defaults={"reason": reason}
    )
    if application.assigned_officer_id == user.pk:
        Application.objects.filter(pk=application.pk).update(
            assigned_officer=None, version=F("version") + 1
        )
    if created:
        event_record(
            action="conflict.declared", actor=user, application=application, data={"reason": reason}
        )
    return conflict


@transaction.atomic
def comment_add(*, application: Application, user, text: str) -> InternalComment:
    """An internal note on the application, never shown to the applicant."""
    if not (roles.is_case_officer(user) or roles.is_decision_maker(user)):
        raise ServiceError(_("Only staff may comment."))
    if not text.strip():
        raise ServiceError(_("Write a comment."))
    comment = InternalComment.objects.create(application=application, author=user, text=text)
    event_record(action="comment.added", actor=user, application=application)
    return comment


def _clean_query(query: str) -> str:
    data = QueryDict(query, mutable=True)
    data.pop("page", None)
    return data.urlencode()


@transaction.atomic
def saved_filter_save(*, user, name: str, query: str) -> SavedFilter:
    """Save the queue's current filter under a name (the officer's own; the same name again
    replaces it)."""
    if not (roles.is_case_officer(user) or roles.is_decision_maker(user)):
        raise ServiceError(_("Only staff may do this."), code="permission_denied")
    name = name.strip()
    if not name:
        raise ServiceError(_("Give the filter a name."))
    saved, _created = SavedFilter.objects.update_or_create(
        owner=user, name=name, defaults={"query": _clean_query(query)}
    )
    return saved


@transaction.atomic
def saved_filter_delete(*, user, saved: SavedFilter) -> None:
    if saved.owner_id != user.pk:
        raise ServiceError(_("You may not make this change."), code="permission_denied")
    saved.delete()
