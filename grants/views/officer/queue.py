"""The queue: filtered and sorted, with bulk actions, and its CSV and XLSX exports."""

from urllib.parse import quote, unquote

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from grants import exports, roles
from grants.access import staff_required
from grants.filters.officer import QueueFilter
from grants.forms import officer as forms
from grants.selectors import officer as selectors
from grants.services import ServiceError
from grants.services import decisions as decision_services
from grants.services import officer as services
from grants.templatetags.delmos import tr

QUEUE_PAGE_SIZE = 50


def _queue(request, query=None):
    query = request.GET if query is None else query
    return QueueFilter(query or None, queryset=selectors.queue_for(request.user))


QUEUE_COOKIE = "delmos_queue"


def queue_query_of(request) -> QueryDict:
    """The officer's current queue filter (the last one the queue showed them in this browser, in
    a cookie: no query), which the application page's next and previous case follow."""
    return QueryDict(unquote(request.COOKIES.get(QUEUE_COOKIE, ""))[:2000])


def _saved_filters(request) -> list[dict]:
    """The officer's filters: "my cases" and "due this week" for everyone, then their own."""
    built_in = []
    if roles.is_case_officer(request.user):
        built_in.append({"name": _("My cases"), "query": f"officer={request.user.pk}"})
    built_in.append({"name": _("Due this week"), "query": "due=week"})
    own = [
        {"name": f.name, "query": f.query, "pk": f.pk}
        for f in selectors.saved_filters_of(request.user)
    ]
    return built_in + own


def _queue_page(
    request,
    *,
    query,
    assign_form=None,
    meeting_form=None,
    saved_filter_form=None,
    picked=(),
    status=200,
):
    filterset = _queue(request, query)
    page = Paginator(filterset.qs, QUEUE_PAGE_SIZE).get_page(query.get("page"))
    plain_query = _query_without_page(query)
    active = [k for k, v in query.items() if v and k not in ("page", "sort")]
    response = render(
        request,
        "officer/queue.html",
        {
            "filter": filterset,
            "page": page,
            "assign_form": assign_form or forms.BulkAssignForm(),
            "meeting_form": meeting_form or forms.BulkMeetingForm(),
            "picked": set(picked),
            "query": plain_query,
            "active_filters": len(active),
            "filters_open": bool(filterset.form.errors) or saved_filter_form is not None,
            "saved_filters": _saved_filters(request),
            "saved_filter_form": saved_filter_form
            or forms.SavedFilterForm(initial={"query": plain_query}),
        },
        status=status,
    )
    response.set_cookie(
        QUEUE_COOKIE,
        quote(plain_query, safe=""),
        path="/",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


@staff_required
def queue(request):
    """The filtered, sorted queue with bulk actions."""
    return _queue_page(request, query=request.GET)


def _query_without_page(query) -> str:
    query = query.copy()
    query.pop("page", None)
    return query.urlencode()


BULK_FORMS = {"assign": forms.BulkAssignForm, "meeting": forms.BulkMeetingForm}


@require_POST
@staff_required
def queue_bulk(request):
    """One bulk action on the ticked applications: assign them to an officer, or add them to a
    meeting. Each action validates only its own form; a refusal is shown next to that action,
    with the ticks and the filters kept."""
    action = request.POST.get("action")
    if action not in BULK_FORMS:  # only a hand-made request has no action button
        return HttpResponseBadRequest()
    query = QueryDict(request.POST.get("query", ""))
    ids = [int(i) for i in request.POST.getlist("application") if i.isdigit()]
    applications = selectors.applications_for_staff_by_ids(request.user, ids)
    # From an application's page, the officer returns to that page, refused or not.
    from_application = request.POST.get("from") == "application" and len(applications) == 1
    form = BULK_FORMS[action](request.POST)
    if form.is_valid() and not applications:
        form.add_error(None, _("Tick at least one application."))
    if form.is_valid():
        try:
            if action == "assign":
                n = services.applications_assign(
                    applications=applications,
                    officer=form.cleaned_data["officer"],
                    user=request.user,
                )
                message = ngettext("%(n)s application assigned.", "%(n)s applications assigned.", n)
            else:
                n = decision_services.meeting_add_applications(
                    meeting=form.cleaned_data["meeting"],
                    applications=applications,
                    user=request.user,
                )
                message = ngettext(
                    "%(n)s application added to the meeting.",
                    "%(n)s applications added to the meeting.",
                    n,
                )
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, message % {"n": n})
            if from_application:
                return redirect("officer:application", pk=applications[0].pk)
            back = reverse("officer:queue")
            return redirect(back + ("?" + query.urlencode() if query else ""))
    if from_application:
        for error in [e for errors in form.errors.values() for e in errors]:
            messages.error(request, error)
        return redirect(reverse("officer:application", args=[applications[0].pk]) + "#meeting-h")
    return _queue_page(
        request,
        query=query,
        picked=[a.pk for a in applications],
        status=400,
        **{f"{action}_form": form},
    )


@require_POST
@staff_required
def saved_filter_save(request):
    """Save the queue's current filter under a name; back to the queue with it."""
    form = forms.SavedFilterForm(request.POST)
    query = QueryDict(request.POST.get("query", ""))
    if form.is_valid():
        try:
            saved = services.saved_filter_save(user=request.user, **form.cleaned_data)
        except ServiceError as error:
            form.add_error("name", error.message)
        else:
            messages.success(request, _("The filter “%(name)s” is saved.") % {"name": saved.name})
            return redirect(reverse("officer:queue") + ("?" + saved.query if saved.query else ""))
    return _queue_page(request, query=query, saved_filter_form=form, status=400)


@require_POST
@staff_required
def saved_filter_delete(request, pk):
    saved = selectors.saved_filter_of_or_404(request.user, pk)
    services.saved_filter_delete(user=request.user, saved=saved)
    messages.success(request, _("The filter “%(name)s” is deleted.") % {"name": saved.name})
    return redirect("officer:queue")


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
