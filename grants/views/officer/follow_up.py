"""Following grants up: a grant's file, payments to pay, reports to review, recovery claims."""

import csv

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from grants import roles
from grants.access import case_officer_required, staff_required
from grants.downloads import file_download
from grants.forms import officer as forms
from grants.models import Payment
from grants.selectors import officer as selectors
from grants.services import ServiceError
from grants.services import payments as payment_services
from grants.services import reports as report_services


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


@staff_required
def follow_up(request):
    """Payments to pay, reports to review and claims to follow, across the grants."""
    status = request.GET.get("status") or Payment.Status.RELEASED
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
    status = request.GET.get("status") or Payment.Status.RELEASED
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="payments.csv"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow(
        [
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
    )
    for p in selectors.payments_for_staff(request.user, status=status).iterator(chunk_size=500):
        org = p.grant.application.organisation
        writer.writerow(
            [
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
        )
    return response


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
    return redirect(request.POST.get("next") or reverse("officer:grant", args=[payment.grant_id]))


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
