"""One place that decides who may see what. Every object view fetches through these helpers;
someone without access gets 404, never a hint that the object exists."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import get_object_or_404

from grants import roles
from grants.models import Application, Attachment, Decision, Organisation
from grants.workflow import SUBMITTED_STATUSES


def _require(test):
    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not test(request.user):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


member_required = _require(lambda user: user.is_active)
case_officer_required = _require(roles.is_case_officer)
decision_maker_required = _require(roles.is_decision_maker)
staff_required = _require(lambda user: roles.is_case_officer(user) or roles.is_decision_maker(user))
administrator_required = _require(
    lambda user: user.is_superuser or roles.ADMINISTRATOR in roles._group_names(user)
)


def organisations_for_user(user):
    """The organisations a user belongs to."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(memberships__user=user)


def organisation_for_member_or_404(user, pk) -> Organisation:
    return get_object_or_404(organisations_for_user(user), pk=pk)


def applications_for_member(user):
    return Application.objects.filter(organisation__memberships__user=user)


def application_for_member_or_404(user, pk) -> Application:
    return get_object_or_404(
        applications_for_member(user).select_related("round", "track", "organisation"), pk=pk
    )


def applications_for_staff(user):
    """Applications a case officer or decision maker may open: not drafts, and not those the
    user has declared a conflict of interest on."""
    if not (roles.is_case_officer(user) or roles.is_decision_maker(user)):
        return Application.objects.none()
    return Application.objects.filter(status__in=SUBMITTED_STATUSES).exclude(
        conflicts__officer=user
    )


def application_for_staff_or_404(user, pk) -> Application:
    return get_object_or_404(
        applications_for_staff(user).select_related("round", "track", "organisation"), pk=pk
    )


def application_readable_or_404(user, pk) -> Application:
    """An application whose files the user may read: members of its organisation, and staff
    (once it is submitted)."""
    if roles.is_case_officer(user) or roles.is_decision_maker(user):
        found = applications_for_member(user).filter(pk=pk).first()
        return found or application_for_staff_or_404(user, pk)
    return application_for_member_or_404(user, pk)


def attachment_readable_or_404(user, *, application_pk, pk) -> Attachment:
    application = application_readable_or_404(user, application_pk)
    return get_object_or_404(application.attachments, pk=pk)


def decision_readable_or_404(user, *, application_pk, pk) -> Decision:
    application = application_readable_or_404(user, application_pk)
    return get_object_or_404(application.decisions, pk=pk)
