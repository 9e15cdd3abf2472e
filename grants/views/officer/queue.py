"""The queue: filtered and sorted, with bulk actions, and its CSV and XLSX exports."""

import csv
from io import BytesIO

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from grants.access import staff_required
from grants.filters.officer import QueueFilter
from grants.forms import officer as forms
from grants.selectors import officer as selectors
from grants.services import ServiceError
from grants.services import decisions as decision_services
from grants.services import officer as services
from grants.templatetags.delmos import tr

QUEUE_PAGE_SIZE = 50


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
    return Paginator(rows, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))


@require_POST
@staff_required
def queue_bulk(request):
    """Bulk actions on the ticked applications: assign to an officer or add to a meeting."""
    ids = [int(i) for i in request.POST.getlist("application") if i.isdigit()]
    applications = selectors.applications_for_staff_by_ids(request.user, ids)
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
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="queue.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(EXPORT_HEADER)
    writer.writerows(_export_rows(request))
    return response


@staff_required
def queue_export_xlsx(request):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Queue")[:31])
    sheet.append(EXPORT_HEADER)
    for row in _export_rows(request):
        sheet.append([v if v is not None else "" for v in row])
    buffer = BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="queue.xlsx"'
    return response
