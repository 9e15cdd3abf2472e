from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from grants import models as m
from grants.workflow import MEETING_CLOSED_STATUSES


class TrackForm(forms.ModelForm):
    """Eligible organisation types as checkboxes rather than raw JSON."""

    eligible_types = forms.MultipleChoiceField(
        label=_("eligible organisation types"),
        choices=m.OrganisationType.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = m.Track
        fields = [
            "round",
            "code",
            "name",
            "name_en",
            "ordinance",
            "eligible_types",
            "budget_cap",
            "eligible_kommuner",
            "max_per_application",
            "question_set",
            "multi_year",
            "max_years",
            "position",
            "is_demo",
        ]


class TrackInline(admin.StackedInline):
    model = m.Track
    form = TrackForm
    extra = 0
    filter_horizontal = ["eligible_kommuner"]


class BudgetChangeInline(admin.TabularInline):
    model = m.BudgetChange
    extra = 0
    fields = ["effective_on", "new_cap", "reason", "reference", "created_by"]
    raw_id_fields = ["created_by"]


@admin.register(m.Round)
class RoundAdmin(admin.ModelAdmin):
    list_display = ["title", "year", "status", "opens_at", "closes_at", "is_demo"]
    list_filter = ["status", "year", "is_demo"]
    search_fields = ["title", "title_en", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [TrackInline]


@admin.register(m.Track)
class TrackAdmin(admin.ModelAdmin):
    form = TrackForm
    list_display = ["name", "round", "ordinance", "budget_cap", "question_set", "multi_year"]
    list_filter = ["round", "question_set", "multi_year"]
    search_fields = ["name", "name_en", "ordinance"]
    filter_horizontal = ["eligible_kommuner"]
    list_select_related = ["round"]
    inlines = [BudgetChangeInline]


@admin.register(m.BudgetChange)
class BudgetChangeAdmin(admin.ModelAdmin):
    list_display = ["track", "effective_on", "new_cap", "reference", "is_demo"]
    list_filter = ["track__round", "is_demo"]
    search_fields = ["reason", "reference"]
    list_select_related = ["track__round"]


class MembershipInline(admin.TabularInline):
    model = m.Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(m.Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "org_number", "org_type", "seat", "is_demo"]
    list_filter = ["org_type", "seat__lan", "is_demo"]
    search_fields = ["name", "org_number"]
    raw_id_fields = ["seat", "represents_kommun"]
    list_select_related = ["seat"]
    inlines = [MembershipInline]


@admin.register(m.User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_active", "groups"]
    search_fields = ["email", "full_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal details"), {"fields": ("full_name", "phone", "language")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined", "email_verified_at")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    inlines = [MembershipInline]


@admin.register(m.Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__email", "organisation__name"]
    raw_id_fields = ["user", "organisation"]
    list_select_related = ["user", "organisation"]


class BudgetLineInline(admin.TabularInline):
    model = m.BudgetLine
    extra = 0


class PartnerInline(admin.TabularInline):
    model = m.Partner
    extra = 0


class AttachmentInline(admin.TabularInline):
    model = m.Attachment
    extra = 0
    fields = ["kind", "original_name", "content_type", "size", "uploaded_at"]
    readonly_fields = fields


@admin.register(m.Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = [
        "case_number",
        "project_title",
        "organisation",
        "track",
        "status",
        "requested_amount",
        "submitted_at",
    ]
    list_filter = ["round", "track", "status", "organisation__org_type", "is_demo"]
    search_fields = [
        "case_number",
        "project_title",
        "organisation__name",
        "organisation__org_number",
    ]
    raw_id_fields = ["organisation", "assigned_officer", "created_by"]
    filter_horizontal = ["areas"]
    list_select_related = ["organisation", "track"]
    # Status, case number and version move only through the services (the workflow).
    readonly_fields = [
        "status",
        "case_number",
        "case_sequence",
        "version",
        "submitted_at",
        "snapshot",
    ]
    inlines = [BudgetLineInline, PartnerInline, AttachmentInline]


@admin.register(m.SupplementRequest)
class SupplementRequestAdmin(admin.ModelAdmin):
    list_display = ["application", "due_date", "requested_by", "answered_at"]
    search_fields = ["application__case_number", "message"]
    raw_id_fields = ["application", "requested_by", "answered_by"]
    list_select_related = ["application", "requested_by"]


@admin.register(m.Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = [
        "application",
        "officer",
        "formal_requirements_met",
        "recommendation",
        "proposed_amount",
    ]
    list_filter = ["recommendation", "formal_requirements_met"]
    search_fields = ["application__case_number", "application__organisation__name"]
    raw_id_fields = ["application", "officer"]
    list_select_related = ["application", "officer"]


@admin.register(m.ConflictOfInterest)
class ConflictOfInterestAdmin(admin.ModelAdmin):
    list_display = ["application", "officer", "declared_at"]
    raw_id_fields = ["application", "officer"]
    list_select_related = ["application", "officer"]


@admin.register(m.InternalComment)
class InternalCommentAdmin(admin.ModelAdmin):
    list_display = ["application", "author", "created_at"]
    search_fields = ["text", "application__case_number"]
    raw_id_fields = ["application", "author"]
    list_select_related = ["application", "author"]


def _meeting_closed(meeting) -> bool:
    return meeting is not None and meeting.status in MEETING_CLOSED_STATUSES


class DecisionInline(admin.TabularInline):
    """A meeting's decisions, for reading: they are recorded on the meeting's page (the caps and
    the decision rules are checked there) and final once it is closed."""

    model = m.Decision
    extra = 0
    fields = ["application", "outcome", "kind", "amount", "reasons"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(m.DecisionMeeting)
class DecisionMeetingAdmin(admin.ModelAdmin):
    """The status moves only through the workflow (closing on the meeting's page, with its
    checks); a closed meeting is read-only: its decisions are final and a change to one is a
    correction decision."""

    list_display = ["__str__", "round", "date", "status", "closed_at"]
    list_filter = ["round", "status"]
    readonly_fields = ["status", "closed_at", "closed_by"]
    inlines = [DecisionInline]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not _meeting_closed(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not _meeting_closed(obj)


@admin.register(m.Decision)
class DecisionAdmin(admin.ModelAdmin):
    """Decisions are made at a meeting (its page checks the agenda, the rules and the caps); the
    admin never adds one, and a decision of a closed meeting is final: read-only, never deleted.
    A change to it is a correction decision."""

    list_display = ["application", "meeting", "outcome", "kind", "amount"]
    list_filter = ["outcome", "kind", "meeting__round", "meeting"]
    search_fields = ["application__case_number", "application__organisation__name"]
    raw_id_fields = ["application", "meeting", "corrects", "created_by"]
    list_select_related = ["application", "meeting__round"]

    def get_readonly_fields(self, request, obj=None):
        # The meeting, the case and what the decision corrects never change after it is made.
        return ["application", "meeting", "kind", "corrects", "created_by", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not (
            obj is not None and _meeting_closed(obj.meeting)
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (
            obj is not None and _meeting_closed(obj.meeting)
        )


@admin.register(m.Grant)
class GrantAdmin(admin.ModelAdmin):
    list_display = ["public_title", "application", "amount_total", "awarded_on", "status"]
    list_filter = ["status", "application__round", "application__track", "has_supplementary"]
    search_fields = ["public_title", "application__organisation__name", "application__case_number"]
    raw_id_fields = ["application"]
    filter_horizontal = ["beneficiary_kommuner"]
    list_select_related = ["application"]
    readonly_fields = ["amount_total", "awarded_on", "last_decided_on", "has_supplementary"]


class LedgerRowAdmin(admin.ModelAdmin):
    """Money rows the services write (grants.services.payments, reports, corrections): the
    admin shows them and may adjust only what the ledger does not count; a paid instalment or
    a settled claim cannot be changed at all, and none is added or deleted here."""

    # Fields only the services may change.
    service_fields: list[str] = []

    def is_final(self, obj) -> bool:
        return False

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and self.is_final(obj):
            return [f.name for f in self.model._meta.fields]
        return self.service_fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(m.Payment)
class PaymentAdmin(LedgerRowAdmin):
    list_display = ["grant", "number", "grant_year", "due_date", "amount", "status", "paid_at"]
    list_filter = ["status", "grant__application__round"]
    search_fields = ["grant__public_title", "grant__application__organisation__name"]
    raw_id_fields = ["grant"]
    list_select_related = ["grant"]
    service_fields = [
        "grant",
        "number",
        "grant_year",
        "amount",
        "status",
        "requires_progress_report",
        "released_at",
        "paid_at",
        "cancelled_at",
        "cancel_reason",
    ]

    def is_final(self, obj) -> bool:
        return obj.status in (m.Payment.Status.PAID, m.Payment.Status.CANCELLED)


@admin.register(m.Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["grant", "kind", "due_date", "submitted_at", "review_status"]
    list_filter = ["kind", "review_status"]
    search_fields = ["grant__public_title", "grant__application__organisation__name"]
    raw_id_fields = ["grant", "submitted_by", "reviewed_by"]
    list_select_related = ["grant"]


@admin.register(m.RecoveryClaim)
class RecoveryClaimAdmin(LedgerRowAdmin):
    list_display = ["grant", "amount", "grounds", "due_date", "settled_at"]
    list_filter = ["grounds", "is_demo"]
    search_fields = ["grant__public_title", "reason"]
    raw_id_fields = ["grant", "report"]
    list_select_related = ["grant"]
    service_fields = [
        "grant",
        "report",
        "amount",
        "grounds",
        "paid_basis",
        "used_basis",
        "created_by",
        "settled_at",
        "is_demo",
    ]

    def is_final(self, obj) -> bool:
        return obj.settled_at is not None


@admin.register(m.ClaimEntry)
class ClaimEntryAdmin(LedgerRowAdmin):
    list_display = ["claim", "kind", "amount", "on_date", "created_by"]
    list_filter = ["kind"]
    raw_id_fields = ["claim"]

    def is_final(self, obj) -> bool:
        return True


@admin.register(m.Publication)
class PublicationAdmin(admin.ModelAdmin):
    list_display = ["__str__", "round", "track", "version", "as_of", "status", "row_count"]
    list_filter = ["status", "round", "track"]
    search_fields = ["note"]
    list_select_related = ["round", "track"]
    readonly_fields = ["rows", "content_hash", "error", "attempts", "started_at", "finished_at"]


@admin.register(m.Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "action", "target"]
    list_filter = ["action", "round"]
    search_fields = ["action", "target", "actor__email"]
    date_hierarchy = "created_at"
    list_select_related = ["actor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
