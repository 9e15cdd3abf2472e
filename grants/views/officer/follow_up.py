"""Following grants up: a grant's file, payments to pay, reports to review, recovery claims."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from grants import exports, roles
from grants.access import case_officer_required, decision_maker_required, staff_required
from grants.downloads import file_download
from grants.forms import officer as forms
from grants.models import Payment
from grants.redirects import safe_next_url
from grants.selectors import officer as selectors
from grants.services import ServiceError, ledger
from grants.services import corrections as correction_services
from grants.services import payments as payment_services
from grants.services import reports as report_services


def _grant_page(request, grant, *, status=200, **bound):
    """The grant's page, with any bound form (its errors next to its fields) kept as typed."""
    ledger_ = ledger.grant_ledger(grant)
    years = [line.year for line in ledger_.lines] or [ledger.base_year(grant)]
    proposal = report_services.claim_proposal(grant)
    claim_initial = proposal or {}
    return render(
        request,
        "officer/grant.html",
        {
            "grant": grant,
            "review_form": forms.ReportReviewForm(),
            "can_act": roles.is_case_officer(request.user),
            "can_decide": roles.is_decision_maker(request.user),
            "ledger": ledger_,
            "proposal": proposal,
            "correction_form": bound.get("correction_form")
            or forms.CorrectionForm(years=years, auto_id="correction_%s"),
            "claim_form": bound.get("claim_form")
            or forms.ClaimForm(initial=claim_initial, auto_id="claim_%s"),
            "entry_form": bound.get("entry_form"),
            "entry_claim": bound.get("entry_claim"),
            **selectors.grant_file(grant),
        },
        status=status,
    )


@staff_required
def grant_detail(request, pk):
    """A grant: its ledger, decisions, payments, reports with their review, recovery claims,
    corrections, timeline."""
    grant = selectors.grant_for_staff_or_404(request.user, pk)
    return _grant_page(request, grant)


@staff_required
def grant_ledger_csv(request, pk):
    """The grant's ledger: a line per grant year and the totals."""
    grant = selectors.grant_for_staff_or_404(request.user, pk)
    return exports.csv_response(
        f"reskontra-{grant.pk}.csv",
        ledger.LEDGER_CSV_HEADER,
        ledger.ledger_csv_rows(ledger.grant_ledger(grant)),
        delimiter=";",
    )


def _refused(form, error: ServiceError) -> None:
    """A service's refusal next to the field it names (else above the form)."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


@require_POST
@decision_maker_required
def correction_decide(request, pk):
    grant = selectors.grant_for_staff_or_404(request.user, pk)
    years = [line.year for line in ledger.grant_ledger(grant).lines] or [ledger.base_year(grant)]
    form = forms.CorrectionForm(request.POST, years=years, auto_id="correction_%s")
    if form.is_valid():
        try:
            correction_services.correction_decide(
                grant=grant,
                user=request.user,
                reasons=form.cleaned_data["reasons"],
                changes=form.changes(),
                period_end=form.cleaned_data["period_end"],
            )
        except ServiceError as error:
            _refused(form, error)
        else:
            messages.success(request, _("The correction decision is recorded."))
            return redirect("officer:grant", pk=grant.pk)
    return _grant_page(request, grant, status=400, correction_form=form)


@require_POST
@case_officer_required
def claim_decide(request, pk):
    grant = selectors.grant_for_staff_or_404(request.user, pk)
    form = forms.ClaimForm(request.POST, auto_id="claim_%s")
    if form.is_valid():
        try:
            report_services.recovery_claim_decide(
                grant=grant, user=request.user, **form.cleaned_data
            )
        except ServiceError as error:
            _refused(form, error)
        else:
            messages.success(request, _("The recovery claim is decided."))
            return redirect("officer:grant", pk=grant.pk)
    return _grant_page(request, grant, status=400, claim_form=form)


@require_POST
@case_officer_required
def claim_entry(request, pk):
    claim = selectors.claim_for_staff_or_404(request.user, pk)
    form = forms.ClaimEntryForm(request.POST, auto_id=f"entry{claim.pk}_%s")
    if form.is_valid():
        try:
            report_services.claim_entry_record(claim=claim, user=request.user, **form.cleaned_data)
        except ServiceError as error:
            _refused(form, error)
        else:
            messages.success(request, _("The repayment or write-off is recorded."))
            return redirect("officer:grant", pk=claim.grant_id)
    grant = selectors.grant_for_staff_or_404(request.user, claim.grant_id)
    return _grant_page(request, grant, status=400, entry_form=form, entry_claim=claim.pk)


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
    payment = selectors.payment_for_staff_or_404(request.user, pk)
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
    report = selectors.report_for_staff_or_404(request.user, pk)
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
    claim = selectors.claim_for_staff_or_404(request.user, pk)
    try:
        report_services.recovery_claim_settle(claim=claim, user=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The claim is settled."))
    return redirect("officer:grant", pk=claim.grant_id)


@staff_required
def claim_letter(request, pk):
    claim = selectors.claim_letter_for_staff_or_404(request.user, pk)
    return file_download(claim.letter_pdf, filename=f"aterkrav-{claim.pk}.pdf", as_attachment=False)
