"""The applicant portal. Every view fetches through grants.access: another organisation's data
answers 404, an anonymous visitor goes to the login page."""

import secrets

from django.contrib import messages
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from grants import exports
from grants.access import (
    application_for_member_or_404,
    application_readable_or_404,
    attachment_readable_or_404,
    decision_readable_or_404,
    member_required,
    organisation_for_member_or_404,
)
from grants.downloads import file_download
from grants.forms.portal import (
    ALLOWED_TYPES,
    AttachmentForm,
    BudgetFormSet,
    CertificationsForm,
    EffectForm,
    FundingForm,
    InvitationForm,
    OrganisationForm,
    PartnerFormSet,
    ProjectForm,
    ReportForm,
    StatementForm,
    SupplementAnswerForm,
    field_anchor,
    parse_amount,
)
from grants.models import Grant, Membership, Report
from grants.selectors import portal as selectors
from grants.selectors import portal_progress as progress
from grants.services import ServiceError, StaleVersion, ledger, submission
from grants.services import organisations as org_services
from grants.services import portal as services
from grants.services.applications import application_transition
from grants.workflow import EDITABLE_STATUSES, WITHDRAWABLE_STATUSES, ApplicationStatus

SIMPLE_FORMS = {
    "project": ProjectForm,
    "effect": EffectForm,
    "certifications": CertificationsForm,
    "statement": StatementForm,
    "funding": FundingForm,
}
FORMSETS = {"partners": PartnerFormSet, "budget": BudgetFormSet}


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


# -- dashboard and organisations -----------------------------------------------------------------


@member_required
def dashboard(request):
    """The applicant's start page: their organisations and applications."""
    return render(request, "portal/dashboard.html", selectors.member_dashboard(request.user))


@member_required
def organisation_create(request):
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        organisation = org_services.organisation_create(user=request.user, data=form.cleaned_data)
        messages.success(
            request,
            _("%(name)s is registered, and you are its representative.")
            % {"name": organisation.name},
        )
        return redirect("portal:organisation", pk=organisation.pk)
    return render(request, "portal/organisation_form.html", {"form": form})


@member_required
def organisation_detail(request, pk):
    organisation = organisation_for_member_or_404(request.user, pk)
    page = selectors.organisation_page(organisation)
    is_representative = any(
        m.user_id == request.user.pk and m.role == Membership.Role.REPRESENTATIVE
        for m in page["memberships"]
    )
    return render(
        request,
        "portal/organisation.html",
        {
            "organisation": organisation,
            "is_representative": is_representative,
            "invitation_form": InvitationForm(),
            "options": selectors.track_options_for(organisation),
            **page,
        },
    )


@member_required
@require_POST
def organisation_invite(request, pk):
    organisation = organisation_for_member_or_404(request.user, pk)
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            org_services.invitation_create(
                user=request.user, organisation=organisation, email=form.cleaned_data["email"]
            )
            messages.success(
                request,
                _("The invitation is sent to %(email)s.") % {"email": form.cleaned_data["email"]},
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, " ".join(form.errors["email"]))
    return redirect("portal:organisation", pk=organisation.pk)


@member_required
@require_POST
def member_remove(request, pk, membership_pk):
    organisation = organisation_for_member_or_404(request.user, pk)
    try:
        org_services.membership_remove(
            user=request.user, organisation=organisation, membership_id=membership_pk
        )
        messages.success(request, _("The member is removed."))
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("portal:organisation", pk=organisation.pk)


@member_required
def invitation_accept(request, token):
    if request.method == "POST":
        try:
            organisation = org_services.invitation_accept(user=request.user, token=token)
        except ServiceError as exc:
            return render(request, "portal/invitation.html", {"error": exc.message}, status=400)
        messages.success(
            request, _("You are now a member of %(name)s.") % {"name": organisation.name}
        )
        return redirect("portal:organisation", pk=organisation.pk)
    return render(request, "portal/invitation.html", {})


@member_required
@require_POST
def application_start(request, pk, track_pk):
    organisation = organisation_for_member_or_404(request.user, pk)
    option = selectors.track_option(organisation, track_pk)
    if option is None:
        raise Http404
    if option.application is not None:
        return redirect("portal:application", pk=option.application.pk)
    if not option.eligible:
        messages.error(request, " ".join(option.reasons))
        return redirect("portal:organisation", pk=organisation.pk)
    application = services.application_create(
        organisation=organisation, track=option.track, user=request.user
    )
    return redirect("portal:application_section", pk=application.pk, section="project")


# -- the application form ------------------------------------------------------------------------


def _section_form(section, application, data=None):
    years = selectors.grant_years(application)
    initial = selectors.section_initial(application, section)
    if section in FORMSETS:
        kwargs = {"form_kwargs": {"years": years}} if section == "budget" else {}
        if data is not None:
            return FORMSETS[section](data, **kwargs)
        return FORMSETS[section](initial=initial, **kwargs)
    if data is not None:
        return SIMPLE_FORMS[section](data)
    return SIMPLE_FORMS[section](initial=initial)


def _cleaned(section, form):
    if section in FORMSETS:
        return [f.cleaned_data for f in form.forms if f.cleaned_data]
    return form.cleaned_data


# Form fields that steer the save rather than hold what was typed.
CONTROL_FIELDS = {"csrfmiddlewaretoken", "version", "editor", "then"}


def _valid_part(section, form):
    """What of an invalid section can be stored as data: the fields without errors of a simple
    form; nothing of a list (its rows stay as saved; the raw input keeps what was typed)."""
    if section in FORMSETS:
        return None
    return {name: value for name, value in form.cleaned_data.items() if name not in form.errors}


def _raw_input(section, form, post) -> dict:
    """What was typed in an invalid section, field by field as posted, and the fields in error."""
    if section in FORMSETS:
        errors = [f"{row.prefix}-{name}" for row in form.forms for name in row.errors]
        if form.non_form_errors():
            errors.append("__all__")
    else:
        errors = list(form.errors)
    values = {key: post.getlist(key) for key in post if key not in CONTROL_FIELDS}
    return {"fields": values, "errors": errors}


def _field_errors(section, form) -> list[tuple[str, str, str]]:
    """(element id, field name, messages) of each field in error, for the autosave to show them
    beside the fields; empty for a valid form (the script then clears the old ones)."""
    forms = form.forms if section in FORMSETS else [form]
    return [
        (row[name].auto_id, row[name].html_name, " ".join(str(e) for e in errors))
        for row in forms
        for name, errors in row.errors.items()
        if name in row.fields
    ]


def _pending_input(application, section):
    """The raw input kept for a section that was saved invalid, as form data; None if none."""
    pending = application.draft_input.get(section)
    if not pending:
        return None
    data = QueryDict(mutable=True)
    for key, values in pending.get("fields", {}).items():
        data.setlist(key, values)
    return data


def _problems(application):
    return submission.submission_problems(application)


def _tasks(application, problems, *, errors_in=None):
    return progress.section_tasks(
        application,
        selectors.sections_for(application.track),
        selectors.SECTION_TITLES,
        problems,
        errors_in=errors_in,
    )


def _section_context(application, section, *, errors_in=None, **extra):
    sections = selectors.sections_for(application.track)
    index = sections.index(section)
    problems = _problems(application)
    years = selectors.grant_years(application)
    tasks = _tasks(application, problems, errors_in=errors_in)
    return {
        "application": application,
        "section": section,
        "section_title": selectors.SECTION_TITLES[section],
        "sections": [(key, selectors.SECTION_TITLES[key]) for key in sections],
        "tasks": tasks,
        # The budget's remaining problems (e.g. a total above the track's maximum) are shown
        # beside its totals once the budget has been saved.
        "section_problems": [
            p
            for p in progress.linked_problems(application, problems, anchor=field_anchor)
            if p.section == section == "budget"
            and any(t.key == "budget" and t.state != progress.NOT_STARTED for t in tasks)
        ],
        "next_section": sections[index + 1] if index + 1 < len(sections) else None,
        "years": years,
        "budget_rows": _budget_rows(extra.get("form"), years) if section == "budget" else None,
        **extra,
    }


def _budget_rows(formset, years):
    """The budget's totals as the server sees them in the form (saved or just typed): the
    total and each year's, so the table shows them before the script takes over."""
    if formset is None:
        return None
    total, per_year = 0, dict.fromkeys(years or [], 0)
    for row in formset.forms:
        amount = row["amount"].value()
        if isinstance(amount, str):
            amount = parse_amount(amount) if amount.strip() else None
        if not isinstance(amount, int):
            continue
        total += amount
        year = row["year"].value() if years else None
        try:
            year = int(year) if year not in (None, "") else None
        except (TypeError, ValueError):
            year = None
        if year in per_year:
            per_year[year] += amount
    return {"total": total, "per_year": sorted(per_year.items())}


@member_required
def application_section(request, pk, section):
    application = application_for_member_or_404(request.user, pk)
    if section not in selectors.sections_for(application.track):
        raise Http404
    if application.status not in EDITABLE_STATUSES:
        return redirect("portal:application", pk=application.pk)
    if section == "attachments":
        return _attachments(request, application)
    version = application.version
    conflict = None
    if request.method == "POST":
        form = _section_form(section, application, request.POST)
        try:
            expected = int(request.POST.get("version", ""))
        except ValueError:
            expected = -1
        valid = form.is_valid()
        try:
            application = services.application_save_section(
                application=application,
                section=section,
                data=_cleaned(section, form) if valid else _valid_part(section, form),
                user=request.user,
                expected_version=expected,
                editor=request.POST.get("editor", "")[:40],
                autosave=_is_htmx(request),
                raw_input=None if valid else _raw_input(section, form, request.POST),
            )
        except StaleVersion as exc:
            conflict = {
                "message": exc.message,
                "theirs": selectors.section_display(exc.current, section),
            }
            version = exc.current.version
        else:
            if _is_htmx(request):
                response = render(
                    request,
                    "portal/_save_status.html",
                    {
                        "state": "saved" if valid else "saved_invalid",
                        "field_errors": _field_errors(section, form),
                        "version": application.version,
                        "now": timezone.now(),
                        "application": application,
                        "section": section,
                        "tasks": _tasks(
                            application,
                            _problems(application),
                            errors_in=None if valid else section,
                        ),
                    },
                )
                # The script forgets its local copy only for what the server has stored.
                response["Delmos-Saved"] = str(application.version)
                return response
            if valid:
                messages.success(request, _("Saved."))
            else:
                messages.warning(
                    request,
                    _(
                        "Saved as you typed it. Some fields need correcting before the "
                        "application can be submitted."
                    ),
                )
            target = request.POST.get("then")
            context = _section_context(application, section)
            if valid and target == "next" and context["next_section"]:
                return redirect(
                    "portal:application_section",
                    pk=application.pk,
                    section=context["next_section"],
                )
            return redirect("portal:application_section", pk=application.pk, section=section)
        if _is_htmx(request):
            return render(
                request,
                "portal/_save_status.html",
                {"state": "conflict", "conflict": conflict},
            )
    else:
        pending = _pending_input(application, section)
        form = _section_form(section, application, pending)
        if pending is not None:
            form.is_valid()
    has_errors = bool(form.total_error_count()) if section in FORMSETS else bool(form.errors)
    return render(
        request,
        "portal/application_section.html",
        _section_context(
            application,
            section,
            errors_in=section if has_errors else None,
            form=form,
            has_errors=has_errors,
            saved_as_typed=has_errors and not conflict,
            version=version,
            conflict=conflict,
            editor=request.POST.get("editor", "")[:40] or secrets.token_urlsafe(12),
        ),
        status=409 if conflict else 200,
    )


def _attachments(request, application):
    form = AttachmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        services.attachment_add(
            application=application,
            upload=upload,
            kind=form.cleaned_data["kind"],
            content_type=ALLOWED_TYPES[form.detected_type],
            user=request.user,
        )
        messages.success(request, _("The file %(name)s is attached.") % {"name": upload.name})
        return redirect("portal:application_section", pk=application.pk, section="attachments")
    return render(
        request,
        "portal/application_attachments.html",
        _section_context(
            application,
            "attachments",
            form=form,
            attachments=selectors.main_attachments(application),
        ),
        status=400 if form.errors else 200,
    )


@member_required
@require_POST
def attachment_delete(request, pk, attachment_pk):
    application = application_for_member_or_404(request.user, pk)
    try:
        services.attachment_delete(
            application=application, attachment_id=attachment_pk, user=request.user
        )
        messages.success(request, _("The attachment is removed."))
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("portal:application_section", pk=application.pk, section="attachments")


@member_required
def attachment_download(request, pk, attachment_pk):
    attachment = attachment_readable_or_404(request.user, application_pk=pk, pk=attachment_pk)
    return file_download(
        attachment.file, filename=attachment.original_name, content_type=attachment.content_type
    )


@member_required
def receipt_download(request, pk):
    application = application_readable_or_404(request.user, pk)
    return file_download(
        application.receipt_pdf,
        filename=f"{application.case_number}.pdf".replace(" ", "-").replace("/", "-"),
    )


@member_required
def letter_download(request, pk, decision_pk):
    decision = decision_readable_or_404(request.user, application_pk=pk, pk=decision_pk)
    return file_download(decision.letter_pdf, filename=f"beslut-{decision.pk}.pdf")


def _all_sections(application):
    return [
        (key, selectors.SECTION_TITLES[key], selectors.section_display(application, key))
        for key in selectors.sections_for(application.track)
    ]


@member_required
def application_review(request, pk):
    """The check before submission, with every missing item linked, and a read-only preview."""
    application = application_for_member_or_404(request.user, pk)
    if application.status not in EDITABLE_STATUSES:
        return redirect("portal:application", pk=application.pk)
    problems = _problems(application)
    order = selectors.sections_for(application.track)
    return render(
        request,
        "portal/application_review.html",
        {
            "application": application,
            "problems": sorted(
                progress.linked_problems(application, problems, anchor=field_anchor),
                key=lambda p: order.index(p.section) if p.section in order else 0,
            ),
            "tasks": _tasks(application, problems),
            "preview": _all_sections(application),
            "sections": [
                (key, selectors.SECTION_TITLES[key])
                for key in selectors.sections_for(application.track)
            ],
        },
    )


@member_required
@require_POST
def application_submit(request, pk):
    application = application_for_member_or_404(request.user, pk)
    try:
        expected = int(request.POST.get("version", ""))
    except ValueError:
        expected = None
    try:
        application, submitted = services.application_submit(
            application=application, user=request.user, expected_version=expected
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("portal:application_review", pk=application.pk)
    if submitted:
        messages.success(
            request,
            _("The application is submitted. Its case number is %(number)s.")
            % {"number": application.case_number},
        )
    return redirect("portal:application", pk=application.pk)


@member_required
def grant_ledger_csv(request, pk):
    """The grant's ledger for the organisation: a line per grant year and the totals."""
    application = application_for_member_or_404(request.user, pk)
    grant = Grant.objects.filter(application=application).select_related("application__round")
    grant = grant.first()
    if grant is None:
        raise Http404
    return exports.csv_response(
        f"reskontra-{application.case_number or grant.pk}.csv".replace("/", "-").replace(" ", "-"),
        ledger.LEDGER_CSV_HEADER,
        ledger.ledger_csv_rows(ledger.grant_ledger(grant)),
        delimiter=";",
    )


@member_required
def application_detail(request, pk):
    """A draft's overview, or a submitted application's status page with its history."""
    application = application_for_member_or_404(request.user, pk)
    grant = getattr(application, "grant", None) if hasattr(application, "grant") else None
    reports = (
        {kind: services.current_report(grant, kind) for kind in Report.Kind.values} if grant else {}
    )
    return render(
        request,
        "portal/application.html",
        # The money of the grant, per grant year, as the ledger derives it.
        {"ledger": ledger.grant_ledger(grant) if grant else None}
        | {
            "application": application,
            "is_draft": application.status in EDITABLE_STATUSES,
            # A draft was never sent: there is nothing to take back (it can simply be left).
            "can_withdraw": application.status in WITHDRAWABLE_STATUSES
            and application.status not in EDITABLE_STATUSES,
            "resume_section": selectors.last_section(application)
            if application.status in EDITABLE_STATUSES
            else None,
            "history": selectors.applicant_history(application),
            "open_supplements": selectors.open_supplement_requests(application),
            "supplements": application.supplement_requests.all(),
            "decisions": selectors.applicant_decisions(application),
            "grant": grant,
            "payments": grant.payments.all() if grant else [],
            "report_kinds": [
                (
                    kind,
                    label,
                    reports.get(kind),
                    services.report_due_date(grant, kind) if grant else None,
                    services.report_unused(grant, reports.get(kind)),
                )
                for kind, label in Report.Kind.choices
            ]
            if grant
            else [],
            "preview": _all_sections(application),
        },
    )


@member_required
def supplement_answer(request, pk, supplement_pk):
    application = application_for_member_or_404(request.user, pk)
    supplement = selectors.open_supplement_request_or_404(application, supplement_pk)
    form = SupplementAnswerForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("file")
        try:
            services.supplement_answer(
                supplement=supplement,
                user=request.user,
                answer=form.cleaned_data["answer"],
                upload=upload,
                content_type=ALLOWED_TYPES[form.detected_type] if upload else "",
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
            return redirect("portal:application", pk=application.pk)
        messages.success(request, _("Your answer is sent to the case officer."))
        return redirect("portal:application", pk=application.pk)
    return render(
        request,
        "portal/supplement_answer.html",
        {"application": application, "supplement": supplement, "form": form},
    )


@member_required
def report_submit(request, pk, kind):
    application = application_for_member_or_404(request.user, pk)
    grant = getattr(application, "grant", None) if hasattr(application, "grant") else None
    if grant is None or kind not in Report.Kind.values:
        raise Http404
    due = services.report_due_date(grant, kind)
    if due is None:
        raise Http404
    existing = services.current_report(grant, kind)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_submit(
                grant=grant,
                kind=kind,
                user=request.user,
                results=form.cleaned_data["results"],
                money_used=form.cleaned_data["money_used"],
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The report is submitted."))
        return redirect("portal:application", pk=application.pk)
    return render(
        request,
        "portal/report_form.html",
        {
            "application": application,
            "grant": grant,
            "kind_label": Report.Kind(kind).label,
            "due": due,
            "report": existing,
            "form": form,
        },
    )


@member_required
@require_POST
def application_withdraw(request, pk):
    """The organisation takes its application back (before a decision). Nothing is deleted."""
    application = application_for_member_or_404(request.user, pk)
    if application.status == ApplicationStatus.DRAFT:
        messages.error(
            request,
            _("A draft has not been submitted, so there is nothing to withdraw."),
        )
        return redirect("portal:application", application.pk)
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the box to confirm that you want to withdraw."))
        return redirect("portal:application", application.pk)
    try:
        application_transition(
            application=application, to_status=ApplicationStatus.WITHDRAWN, user=request.user
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The application has been withdrawn."))
    return redirect("portal:application", application.pk)
