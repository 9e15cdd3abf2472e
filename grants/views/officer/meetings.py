"""Decision meetings: create one, decide its agenda within the caps, close it."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from grants import roles
from grants.access import application_for_staff_or_404, decision_maker_required, staff_required
from grants.forms import officer as forms
from grants.redirects import safe_next_url
from grants.selectors import officer as selectors
from grants.services import ServiceError
from grants.services import decisions as decision_services
from grants.workflow import MEETING_CLOSED_STATUSES


@decision_maker_required
def meeting_create(request, round_pk):
    round_ = selectors.staff_round_or_404(round_pk)
    form = forms.MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        meeting = decision_services.meeting_create(
            round_=round_, user=request.user, **form.cleaned_data
        )
        messages.success(request, _("The decision meeting is created."))
        return redirect("officer:meeting", pk=meeting.pk)
    return render(request, "officer/meeting_form.html", {"form": form, "round": round_})


def _meeting_page(request, meeting, *, forms_by_app=None, conflict_forms=None, status=200):
    agenda = selectors.meeting_agenda(meeting, user=request.user)
    decisions = selectors.meeting_decisions(meeting)
    conflicts = selectors.meeting_conflicts(meeting)
    items = []
    for application in agenda:
        decision = decisions.get(application.pk)
        form = (forms_by_app or {}).get(application.pk)
        if form is None:
            initial = selectors.decision_form_initial(application, decision)
            form = forms.DecisionForm(initial=initial, prefix=f"a{application.pk}")
        declared = conflicts.get(application.pk, [])
        items.append(
            {
                "application": application,
                "decision": decision,
                "form": form,
                "conflicts": declared,
                "conflicted": any(c.decision_maker_id == request.user.pk for c in declared),
                "conflict_form": (conflict_forms or {}).get(application.pk)
                or forms.MeetingConflictForm(prefix=f"c{application.pk}"),
            }
        )
    return render(
        request,
        "officer/meeting.html",
        {
            "meeting": meeting,
            "items": items,
            "totals": selectors.meeting_totals(meeting=meeting),
            "can_decide": roles.is_decision_maker(request.user),
        },
        status=status,
    )


@staff_required
def meeting_detail(request, pk):
    meeting = selectors.meeting_or_404(pk)
    return _meeting_page(request, meeting)


@require_POST
@decision_maker_required
def decision_record(request, pk, application_pk):
    meeting = selectors.meeting_or_404(pk)
    application = selectors.agenda_application_for_staff_or_404(
        request.user, meeting=meeting, pk=application_pk
    )
    form = forms.DecisionForm(request.POST, prefix=f"a{application.pk}")
    if form.is_valid():
        data = form.cleaned_data
        try:
            decision_services.decision_record(
                meeting=meeting,
                application=application,
                user=request.user,
                outcome=data["outcome"],
                amount=data.get("amount") or 0,
                amount_per_year=data.get("amount_per_year") or {},
                reasons=data.get("reasons") or "",
            )
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request, _("The decision on %(case)s is recorded.") % {"case": application}
            )
            return redirect(reverse("officer:meeting", args=[meeting.pk]) + f"#a{application.pk}")
    return _meeting_page(request, meeting, forms_by_app={application.pk: form}, status=400)


@require_POST
@decision_maker_required
def meeting_conflict_declare(request, pk, application_pk):
    """A decision maker declares a conflict of interest on one case at this meeting."""
    meeting = selectors.meeting_or_404(pk)
    application = selectors.agenda_application_for_staff_or_404(
        request.user, meeting=meeting, pk=application_pk
    )
    form = forms.MeetingConflictForm(request.POST, prefix=f"c{application.pk}")
    if form.is_valid():
        try:
            decision_services.meeting_conflict_declare(
                meeting=meeting, application=application, user=request.user, **form.cleaned_data
            )
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _(
                    "Your conflict of interest on %(case)s is recorded: another decision maker "
                    "decides it and closes the meeting."
                )
                % {"case": application},
            )
            return redirect(reverse("officer:meeting", args=[meeting.pk]) + f"#a{application.pk}")
    return _meeting_page(request, meeting, conflict_forms={application.pk: form}, status=400)


@require_POST
@staff_required
def agenda_remove(request, pk, application_pk):
    """Take an application off an open meeting's agenda (one already off it is refused with a
    message, not a 404: a second click, or a colleague who was quicker)."""
    meeting = selectors.meeting_or_404(pk)
    application = application_for_staff_or_404(request.user, application_pk)
    try:
        decision_services.meeting_remove_application(
            meeting=meeting, application=application, user=request.user
        )
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect(reverse("officer:meeting", args=[meeting.pk]) + f"#a{application.pk}")
    messages.success(
        request, _("%(case)s is taken off the meeting's agenda.") % {"case": application}
    )
    return redirect("officer:meeting", pk=meeting.pk)


@decision_maker_required
def meeting_close(request, pk):
    """Closing makes every decision final and cannot be undone, so it is confirmed on a page that
    says what will happen: how many decisions, of which outcome, what total per track against its
    cap. The confirmation carries the summary's fingerprint, checked by the service under the
    meeting's and the round's locks: if a decision, the agenda or a cap changed after the page
    was shown, nothing closes and the new summary is shown to confirm."""
    meeting = selectors.meeting_or_404(pk)
    back = safe_next_url(request, reverse("officer:meeting", args=[meeting.pk]))
    if meeting.status in MEETING_CLOSED_STATUSES:
        messages.info(request, _("The meeting is closed already; its decisions are final."))
        return redirect(back)
    summary = selectors.meeting_close_summary(meeting)
    conflict = decision_services.close_conflict_refusal(meeting=meeting, user=request.user)
    if request.method != "POST":  # said up front: this decision maker may not close it
        return _close_page(
            request, summary, back=back, conflict=conflict.message if conflict else ""
        )
    if not summary.can_close or conflict:  # a refusal, with the reasons on the page
        problem = conflict.message if conflict else _("The meeting cannot be closed yet.")
        return _close_page(request, summary, back=back, problem=problem)
    confirmed = request.POST.get("confirm", "")
    if not confirmed:  # an old form, or a hand-made request: show what closing does first
        return _close_page(request, summary, back=back)
    try:
        decision_services.meeting_close(meeting=meeting, user=request.user, confirmed=confirmed)
    except ServiceError as error:
        return _close_page(
            request, selectors.meeting_close_summary(meeting), back=back, problem=error.message
        )
    messages.success(
        request,
        ngettext(
            "The meeting is closed and its decision is final.",
            "The meeting is closed and its %(n)s decisions are final.",
            summary.decisions,
        )
        % {"n": summary.decisions},
    )
    return redirect(back)


def _close_page(request, summary, *, back: str, problem: str = "", conflict: str = ""):
    return render(
        request,
        "officer/meeting_close.html",
        {
            "meeting": summary.meeting,
            "summary": summary,
            "back": back,
            "problem": problem,
            "conflict": conflict,
        },
        status=409 if problem else 200,
    )
