"""An application's case file: assessment (with optimistic locking), supplement requests,
conflicts of interest, internal comments, and its attachments and decision letters."""

import copy

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from grants import roles
from grants.access import application_for_staff_or_404, case_officer_required, staff_required
from grants.downloads import file_download
from grants.filters.officer import QueueFilter
from grants.forms import officer as forms
from grants.selectors import officer as selectors
from grants.services import ServiceError, StaleVersion
from grants.services import officer as services
from grants.views.officer.queue import queue_query_of


def _queue_context(request, application) -> dict:
    """Next and previous case within the officer's current queue filter, and the way back."""
    query = queue_query_of(request)
    filterset = QueueFilter(query or None, queryset=selectors.queue_for(request.user))
    neighbours = selectors.queue_neighbours(
        filterset.qs,
        base=selectors.queue_for(request.user),
        application=application,
        order=filterset.order_fields(),
    )
    back = reverse("officer:queue") + (f"?{query.urlencode()}" if query else "")
    return {"neighbours": neighbours, "queue_url": back}


def _application_page(
    request,
    application,
    *,
    assessment_form=None,
    second_form=None,
    conflict=None,
    status=200,
    **forms_,
):
    assessment = selectors.assessment_of(application)
    second = selectors.second_assessment_of(application)
    is_officer = roles.is_case_officer(request.user)
    first_is_mine = assessment is not None and assessment.officer_id == request.user.pk
    second_is_mine = second is not None and second.officer_id == request.user.pk
    required = services.second_assessment_required(application)
    # The second assessor (another officer than the first's, once it is due) works on the
    # second assessment and reads the first; everyone else on the first.
    works_on_second = (
        is_officer
        and assessment is not None
        and not first_is_mine
        and (required or second is not None)
    )
    context = {
        "application": application,
        "assessment": assessment,
        "assessment_form": assessment_form or forms.AssessmentForm(instance=assessment),
        "second_assessment": second,
        "second_required": required,
        "second_form": second_form or forms.SecondAssessmentForm(instance=second),
        "can_assess_first": is_officer and not second_is_mine and not works_on_second,
        "can_assess_second": works_on_second,
        "comparison": selectors.assessment_comparison(assessment, second),
        "conflict_version": conflict,
        "supplement_form": forms_.get("supplement_form") or forms.SupplementRequestForm(),
        "conflict_form": forms_.get("conflict_form") or forms.ConflictForm(),
        "comment_form": forms_.get("comment_form") or forms.CommentForm(),
        "meeting_form": forms.BulkMeetingForm(),
        "can_assess": is_officer,
        **_queue_context(request, application),
        **selectors.case_file(application),
    }
    return render(request, "officer/application.html", context, status=status)


@staff_required
def application_detail(request, pk):
    application = application_for_staff_or_404(request.user, pk)
    return _application_page(request, application)


def _save_assessment(request, pk, *, form_class, current_of, save, form_key, saved, anchor=""):
    """Save an assessment (the first or the four-eyes second one); a stale version shows the
    other officer's version beside this one's text, which is kept in the form to merge."""
    application = application_for_staff_or_404(request.user, pk)
    form = form_class(request.POST, instance=current_of(application))
    if not form.is_valid():
        return _application_page(request, application, status=400, **{form_key: form})
    try:
        save(
            application=application,
            user=request.user,
            data=form.cleaned_data,
            expected_version=form.cleaned_data.get("version"),
        )
    except StaleVersion as error:
        data = request.POST.copy()
        data["version"] = error.current.version
        # The form gets a copy: validating a ModelForm writes into its instance.
        merged = form_class(data, instance=copy.copy(error.current))
        merged.is_valid()
        messages.error(request, error.message)
        return _application_page(
            request, application, conflict=error.current, status=409, **{form_key: merged}
        )
    except ServiceError as error:
        form.add_error(None, error.message)
        return _application_page(request, application, status=400, **{form_key: form})
    messages.success(request, saved)
    return redirect(reverse("officer:application", args=[application.pk]) + anchor)


@require_POST
@case_officer_required
def assessment_save(request, pk):
    return _save_assessment(
        request,
        pk,
        form_class=forms.AssessmentForm,
        current_of=selectors.assessment_of,
        save=services.assessment_save,
        form_key="assessment_form",
        saved=_("The assessment is saved."),
    )


@require_POST
@case_officer_required
def second_assessment_save(request, pk):
    return _save_assessment(
        request,
        pk,
        form_class=forms.SecondAssessmentForm,
        current_of=selectors.second_assessment_of,
        save=services.second_assessment_save,
        form_key="second_form",
        saved=_("The second assessment is saved."),
        anchor="#second-assessment",
    )


@require_POST
@case_officer_required
def supplement_request(request, pk):
    application = application_for_staff_or_404(request.user, pk)
    form = forms.SupplementRequestForm(request.POST)
    if form.is_valid():
        try:
            services.supplement_request(
                application=application, user=request.user, **form.cleaned_data
            )
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The request is sent to the applicant."))
            return redirect("officer:application", pk=application.pk)
    return _application_page(request, application, supplement_form=form, status=400)


@require_POST
@staff_required
def conflict_declare(request, pk):
    application = application_for_staff_or_404(request.user, pk)
    form = forms.ConflictForm(request.POST)
    if not form.is_valid():
        return _application_page(request, application, conflict_form=form, status=400)
    services.conflict_declare(application=application, user=request.user, **form.cleaned_data)
    messages.success(
        request,
        _(
            "Your conflict of interest on %(case)s is recorded; the application is no longer shown to you."
        )
        % {"case": application},
    )
    return redirect("officer:queue")


@require_POST
@staff_required
def comment_add(request, pk):
    application = application_for_staff_or_404(request.user, pk)
    form = forms.CommentForm(request.POST)
    if not form.is_valid():
        return _application_page(request, application, comment_form=form, status=400)
    services.comment_add(application=application, user=request.user, **form.cleaned_data)
    messages.success(request, _("The comment is saved."))
    return redirect("officer:application", pk=application.pk)


@staff_required
def attachment_download(request, pk, attachment_pk):
    attachment = selectors.attachment_for_staff_or_404(
        request.user, application_pk=pk, pk=attachment_pk
    )
    return file_download(
        attachment.file, filename=attachment.original_name, content_type=attachment.content_type
    )


@staff_required
def letter_download(request, pk):
    decision = selectors.decision_letter_for_staff_or_404(request.user, pk)
    return file_download(
        decision.letter_pdf, filename=f"beslut-{decision.pk}.pdf", as_attachment=False
    )
