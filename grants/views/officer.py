"""The case officers' and decision makers' workspace. Views are short: access helper, form, one
service call, message, redirect."""

import copy

from django.contrib import messages
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from grants import exports, roles
from grants.access import (
    _require,
    application_for_staff_or_404,
    applications_for_staff,
    case_officer_required,
    decision_maker_required,
    staff_required,
)
from grants.filters.officer import QueueFilter
from grants.forms import officer as forms
from grants.models import (
    Application,
    Assessment,
    Decision,
    DecisionMeeting,
    Payment,
    RecoveryClaim,
    Report,
    Round,
)
from grants.redirects import safe_next_url
from grants.selectors import officer as selectors
from grants.services import ServiceError
from grants.services import decisions as decision_services
from grants.services import officer as services
from grants.services import payments as payment_services
from grants.services import reports as report_services
from grants.templatetags.delmos import tr

administrator_required = _require(
    lambda user: user.is_superuser or roles.ADMINISTRATOR in roles._group_names(user)
)

QUEUE_PAGE_SIZE = 50


@staff_required
def dashboard(request):
    """Start page: the rounds, and for the chosen one the status table and the budget ledger."""
    rounds = list(selectors.staff_rounds())
    chosen = next((r for r in rounds if str(r.pk) == request.GET.get("round")), None)
    chosen = chosen or next(iter(rounds), None)
    context = {"rounds": rounds, "round": chosen}
    if chosen:
        context["counts"] = selectors.status_counts(round_=chosen)
        context["ledger"] = selectors.budget_ledger(round_=chosen)
        context["meetings"] = selectors.meetings_for_round(chosen)
    return render(request, "officer/dashboard.html", context)


def _queue(request):
    return QueueFilter(request.GET or None, queryset=selectors.queue_for(request.user))


@staff_required
def queue(request):
    """The filtered, sorted queue with bulk actions."""
    filterset = _queue(request)
    page = _page(request, filterset.qs)
    return render(
        request,
        "officer/queue.html",
        {
            "filter": filterset,
            "page": page,
            "assign_form": forms.BulkAssignForm(),
            "meeting_form": forms.BulkMeetingForm(),
            "query": _query_without_page(request),
        },
    )


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _page(request, rows):
    from django.core.paginator import Paginator

    return Paginator(rows, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))


@require_POST
@staff_required
def queue_bulk(request):
    """Bulk actions on the ticked applications: assign to an officer or add to a meeting."""
    ids = [int(i) for i in request.POST.getlist("application") if i.isdigit()]
    applications = list(applications_for_staff(request.user).filter(pk__in=ids))
    back = reverse("officer:queue") + (
        "?" + request.POST["query"] if request.POST.get("query") else ""
    )
    if not applications:
        messages.error(request, _("Tick at least one application."))
        return redirect(back)
    try:
        if request.POST.get("action") == "assign":
            form = forms.BulkAssignForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Choose a case officer."))
                return redirect(back)
            n = services.applications_assign(
                applications=applications, officer=form.cleaned_data["officer"], user=request.user
            )
            messages.success(request, _("%(n)s applications assigned.") % {"n": n})
        elif request.POST.get("action") == "meeting":
            form = forms.BulkMeetingForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Choose a decision meeting."))
                return redirect(back)
            n = decision_services.meeting_add_applications(
                meeting=form.cleaned_data["meeting"], applications=applications, user=request.user
            )
            messages.success(request, _("%(n)s applications added to the meeting.") % {"n": n})
        else:
            raise Http404
    except ServiceError as error:
        messages.error(request, error.message)
    return redirect(back)


EXPORT_HEADER = [
    "case_number",
    "round",
    "track",
    "status",
    "organisation",
    "org_number",
    "org_type",
    "county",
    "seat",
    "project_title",
    "requested_amount",
    "proposed_amount",
    "score_total",
    "recommendation",
    "case_officer",
    "submitted_at",
]


def _export_rows(request):
    filterset = _queue(request)
    for a in filterset.qs.iterator(chunk_size=500):
        assessment = getattr(a, "assessment", None)
        yield [
            a.case_number or "",
            a.round.year,
            tr(a.track, "name"),
            a.get_status_display(),
            a.organisation.name,
            a.organisation.org_number,
            a.organisation.get_org_type_display(),
            a.organisation.seat.lan.name,
            a.organisation.seat.name,
            a.project_title,
            a.requested_amount,
            assessment.proposed_amount if assessment else None,
            a.score_total,
            assessment.get_recommendation_display() if assessment else "",
            str(a.assigned_officer or ""),
            timezone.localtime(a.submitted_at).strftime("%Y-%m-%d %H:%M") if a.submitted_at else "",
        ]


@staff_required
def queue_export_csv(request):
    return exports.csv_response("queue.csv", EXPORT_HEADER, _export_rows(request))


@staff_required
def queue_export_xlsx(request):
    return exports.xlsx_response("queue.xlsx", _("Queue"), EXPORT_HEADER, _export_rows(request))


def _application_page(
    request, application, *, assessment_form=None, conflict=None, status=200, **forms_
):
    assessment = Assessment.objects.filter(application=application).first()
    context = {
        "application": application,
        "assessment": assessment,
        "assessment_form": assessment_form or forms.AssessmentForm(instance=assessment),
        "conflict_version": conflict,
        "supplement_form": forms_.get("supplement_form") or forms.SupplementRequestForm(),
        "conflict_form": forms_.get("conflict_form") or forms.ConflictForm(),
        "comment_form": forms_.get("comment_form") or forms.CommentForm(),
        "meeting_form": forms.BulkMeetingForm(),
        "can_assess": roles.is_case_officer(request.user),
        **selectors.case_file(application),
    }
    return render(request, "officer/application.html", context, status=status)


@staff_required
def application_detail(request, pk):
    application = application_for_staff_or_404(request.user, pk)
    return _application_page(request, application)


@require_POST
@case_officer_required
def assessment_save(request, pk):
    """Save the assessment; a stale version shows the other officer's version beside this one's
    text, which is kept in the form to merge."""
    application = application_for_staff_or_404(request.user, pk)
    current = Assessment.objects.filter(application=application).first()
    form = forms.AssessmentForm(request.POST, instance=current)
    if not form.is_valid():
        return _application_page(request, application, assessment_form=form, status=400)
    try:
        services.assessment_save(
            application=application,
            user=request.user,
            data=form.cleaned_data,
            expected_version=form.cleaned_data.get("version"),
        )
    except services.AssessmentConflict as error:
        data = request.POST.copy()
        data["version"] = error.current.version
        # The form gets a copy: validating a ModelForm writes into its instance.
        merged = forms.AssessmentForm(data, instance=copy.copy(error.current))
        merged.is_valid()
        messages.error(request, error.message)
        return _application_page(
            request, application, assessment_form=merged, conflict=error.current, status=409
        )
    except ServiceError as error:
        form.add_error(None, error.message)
        return _application_page(request, application, assessment_form=form, status=400)
    messages.success(request, _("The assessment is saved."))
    return redirect("officer:application", pk=application.pk)


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
    application = application_for_staff_or_404(request.user, pk)
    attachment = get_object_or_404(application.attachments, pk=attachment_pk)
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )


@staff_required
def letter_download(request, pk):
    decision = get_object_or_404(Decision.objects.exclude(letter_pdf=""), pk=pk)
    application_for_staff_or_404(request.user, decision.application_id)
    return FileResponse(
        decision.letter_pdf.open("rb"),
        filename=f"beslut-{decision.pk}.pdf",
        content_type="application/pdf",
    )


@decision_maker_required
def meeting_create(request, round_pk):
    round_ = get_object_or_404(selectors.staff_rounds(), pk=round_pk)
    form = forms.MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        meeting = decision_services.meeting_create(
            round_=round_, user=request.user, **form.cleaned_data
        )
        messages.success(request, _("The decision meeting is created."))
        return redirect("officer:meeting", pk=meeting.pk)
    return render(request, "officer/meeting_form.html", {"form": form, "round": round_})


def _meeting_page(request, meeting, *, forms_by_app=None, status=200):
    # The agenda, and for meetings recorded without one (the demo's), the decided applications.
    agenda = list(
        Application.objects.filter(Q(meeting_agendas=meeting) | Q(decisions__meeting=meeting))
        .exclude(conflicts__officer=request.user)
        .distinct()
        .select_related("organisation", "track", "assessment")
        .order_by("case_sequence")
    )
    decisions = {d.application_id: d for d in meeting.decisions.all()}
    items = []
    for application in agenda:
        decision = decisions.get(application.pk)
        form = (forms_by_app or {}).get(application.pk)
        if form is None:
            initial = {}
            if decision:
                initial = {
                    "outcome": decision.outcome,
                    "amount": decision.amount or None,
                    "amount_per_year": "\n".join(
                        f"{y}: {a}" for y, a in decision.amount_per_year.items()
                    ),
                    "reasons": decision.reasons,
                }
            else:
                assessment = getattr(application, "assessment", None)
                if assessment and assessment.recommendation:
                    initial = {
                        "outcome": "approved"
                        if assessment.recommendation == "approve"
                        else "rejected",
                        "amount": assessment.proposed_amount,
                    }
            form = forms.DecisionForm(initial=initial, prefix=f"a{application.pk}")
        items.append({"application": application, "decision": decision, "form": form})
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
    meeting = get_object_or_404(DecisionMeeting.objects.select_related("round"), pk=pk)
    return _meeting_page(request, meeting)


@require_POST
@decision_maker_required
def decision_record(request, pk, application_pk):
    meeting = get_object_or_404(DecisionMeeting.objects.select_related("round"), pk=pk)
    application = get_object_or_404(
        applications_for_staff(request.user).filter(meeting_agendas=meeting), pk=application_pk
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
def meeting_close(request, pk):
    meeting = get_object_or_404(DecisionMeeting.objects.select_related("round"), pk=pk)
    try:
        decision_services.meeting_close(meeting=meeting, user=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
        return _meeting_page(request, meeting, status=409)
    messages.success(request, _("The meeting is closed and its decisions are final."))
    return redirect("officer:meeting", pk=meeting.pk)


@decision_maker_required
def budget_reallocate(request, round_pk):
    round_ = get_object_or_404(Round.objects.all(), pk=round_pk)
    form = forms.ReallocationForm(request.POST or None, round_=round_)
    if request.method == "POST" and form.is_valid():
        try:
            decision_services.budget_reallocate(user=request.user, **form.cleaned_data)
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The budget reallocation is recorded."))
            return redirect(reverse("officer:dashboard") + f"?round={round_.pk}")
    return render(
        request,
        "officer/reallocation_form.html",
        {"form": form, "round": round_, "ledger": selectors.budget_ledger(round_=round_)},
    )


@administrator_required
def event_log_export(request):
    """The whole audit log as CSV, for the administrator."""
    import json

    rows = (
        [
            timezone.localtime(event.created_at).isoformat(),
            event.actor.email if event.actor else "",
            event.action,
            event.round.year if event.round else "",
            event.application.case_number if event.application else "",
            event.grant_id or "",
            event.target,
            json.dumps(event.data, ensure_ascii=False, sort_keys=True),
        ]
        for event in selectors.events_for_export().iterator(chunk_size=1000)
    )
    return exports.csv_response(
        "event-log.csv",
        ["time", "actor", "action", "round", "application", "grant", "object", "details"],
        rows,
    )


@staff_required
def grant_detail(request, pk):
    """A grant: decisions, payments, reports with their review, recovery claims, timeline."""
    grant = selectors.grant_for_staff_or_404(request.user, pk)
    return render(
        request,
        "officer/grant.html",
        {
            "grant": grant,
            "review_form": forms.ReportReviewForm(),
            "can_act": roles.is_case_officer(request.user),
            **selectors.grant_file(grant),
        },
    )


def _payment_status(request) -> str:
    """The payment status asked for in the query string; an unknown value means the default."""
    status = request.GET.get("status")
    return status if status in Payment.Status.values else Payment.Status.RELEASED


@staff_required
def follow_up(request):
    """Payments to pay, reports to review and claims to follow, across the grants."""
    status = _payment_status(request)
    return render(
        request,
        "officer/follow_up.html",
        {
            "payments": selectors.payments_for_staff(request.user, status=status),
            "status": status,
            "statuses": Payment.Status.choices,
            "reports": selectors.reports_awaiting_review(request.user),
            "claims": selectors.open_claims(request.user),
        },
    )


@staff_required
def payments_export_csv(request):
    """Released (or the chosen status's) instalments for the finance system."""
    status = _payment_status(request)
    header = [
        "payment_id",
        "case_number",
        "organisation",
        "org_number",
        "bankgiro",
        "plusgiro",
        "instalment",
        "amount",
        "due_date",
        "status",
    ]

    def rows():
        payments = selectors.payments_for_staff(request.user, status=status)
        for p in payments.iterator(chunk_size=500):
            org = p.grant.application.organisation
            yield [
                p.pk,
                p.grant.application.case_number,
                org.name,
                org.org_number,
                org.bankgiro,
                org.plusgiro,
                p.number,
                p.amount,
                p.due_date.isoformat(),
                p.status,
            ]

    return exports.csv_response("payments.csv", header, rows(), delimiter=";")


@require_POST
@case_officer_required
def payment_mark_paid(request, pk):
    payment = get_object_or_404(selectors.payments_for_staff(request.user), pk=pk)
    try:
        payment_services.payment_mark_paid(payment=payment, user=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The instalment is marked paid."))
    return redirect(safe_next_url(request, reverse("officer:grant", args=[payment.grant_id])))


@require_POST
@case_officer_required
def report_review(request, pk):
    report = get_object_or_404(
        Report.objects.filter(grant__in=selectors.grants_for_staff(request.user)), pk=pk
    )
    form = forms.ReportReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve or return."))
    else:
        try:
            report_services.report_review(
                report=report,
                user=request.user,
                approve=form.cleaned_data["decision"] == "approve",
                notes=form.cleaned_data["notes"],
            )
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The review is saved."))
    return redirect("officer:grant", pk=report.grant_id)


@require_POST
@case_officer_required
def claim_settle(request, pk):
    claim = get_object_or_404(
        RecoveryClaim.objects.filter(grant__in=selectors.grants_for_staff(request.user)), pk=pk
    )
    try:
        report_services.recovery_claim_settle(claim=claim, user=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The claim is settled."))
    return redirect("officer:grant", pk=claim.grant_id)


@staff_required
def claim_letter(request, pk):
    claim = get_object_or_404(
        RecoveryClaim.objects.filter(grant__in=selectors.grants_for_staff(request.user)).exclude(
            letter_pdf=""
        ),
        pk=pk,
    )
    return FileResponse(
        claim.letter_pdf.open("rb"),
        filename=f"aterkrav-{claim.pk}.pdf",
        content_type="application/pdf",
    )
