"""Forms of the applicant portal: organisations, invitations and the sections of an application."""

import zipfile

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from grants.identifiers import (
    check_legal_form,
    normalise_bankgiro,
    normalise_org_number,
    normalise_plusgiro,
)
from grants.models import Attachment, BudgetCategory, Organisation, OrganisationType
from grants.questions import (
    CERTIFICATION_FOLLOW_UPS,
    CERTIFICATION_QUESTIONS,
    FUNDING_FOLLOW_UPS,
    LABELS,
)
from regions.models import Kommun

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class KommunChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class OrganisationForm(forms.Form):
    name = forms.CharField(label=_("Name of the organisation"), max_length=200)
    org_number = forms.CharField(
        label=_("Organisation number"),
        max_length=13,
        help_text=_("Ten digits, written NNNNNN-NNNN."),
    )
    org_type = forms.ChoiceField(
        label=_("Type of organisation"), choices=[("", "—"), *OrganisationType.choices]
    )
    seat = KommunChoiceField(
        label=_("Seat municipality"),
        queryset=Kommun.objects.order_by("name"),
        empty_label="—",
        help_text=_(
            "Where the organisation has its seat. For a municipality: the municipality itself; "
            "for a region: a municipality in its county. Type the first letters to jump to it."
        ),
    )
    street_address = forms.CharField(label=_("Street address"), max_length=200)
    postcode = forms.RegexField(
        label=_("Postcode"),
        regex=r"^\d{3} ?\d{2}$",
        error_messages={"invalid": _("A postcode has five digits, e.g. 821 30.")},
    )
    town = forms.CharField(label=_("Town"), max_length=100)
    phone = forms.CharField(label=_("Switchboard phone"), max_length=30)
    email = forms.EmailField(label=_("E-mail"))
    bankgiro = forms.CharField(label=_("Bankgiro"), max_length=12, required=False)
    plusgiro = forms.CharField(label=_("Plusgiro"), max_length=12, required=False)
    signatory = forms.CharField(
        label=_("Authorised signatory"),
        max_length=200,
        help_text=_("The person who may sign for the organisation (firmatecknare)."),
    )

    def clean_org_number(self):
        number = normalise_org_number(self.cleaned_data["org_number"])
        if Organisation.objects.filter(org_number=number).exists():
            raise ValidationError(
                _(
                    "An organisation with this number is already registered. Ask its "
                    "representative to invite you: the representative finds the invitation form "
                    "on the organisation's page."
                ),
                code="duplicate",
            )
        return number

    def clean_bankgiro(self):
        value = self.cleaned_data["bankgiro"].strip()
        return normalise_bankgiro(value) if value else ""

    def clean_plusgiro(self):
        value = self.cleaned_data["plusgiro"].strip()
        return normalise_plusgiro(value) if value else ""

    def clean_postcode(self):
        digits = self.cleaned_data["postcode"].replace(" ", "")
        return f"{digits[:3]} {digits[3:]}"

    def clean(self):
        cleaned = super().clean()
        number, org_type, seat = (
            cleaned.get("org_number"),
            cleaned.get("org_type"),
            cleaned.get("seat"),
        )
        if number and org_type:
            try:
                check_legal_form(number, org_type)
            except ValidationError as exc:
                self.add_error("org_number", exc)
        if (
            "bankgiro" in cleaned
            and "plusgiro" in cleaned
            and not cleaned["bankgiro"]
            and not cleaned["plusgiro"]
        ):
            self.add_error("bankgiro", _("Give a bankgiro or a plusgiro number for payments."))
        if (
            seat
            and org_type == OrganisationType.KOMMUN
            and Organisation.objects.filter(represents_kommun=seat).exists()
        ):
            self.add_error(
                "seat",
                _(
                    "%(name)s is already registered as an organisation. Ask its "
                    "representative to invite you."
                )
                % {"name": seat.name},
            )
        if (
            seat
            and org_type == OrganisationType.REGION
            and Organisation.objects.filter(represents_lan_id=seat.lan_id).exists()
        ):
            self.add_error(
                "seat",
                _(
                    "The region of this county is already registered. Ask its "
                    "representative to invite you."
                ),
            )
        return cleaned


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("Colleague's e-mail address"),
        help_text=_("We send an invitation link that works for 14 days."),
    )

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


# -- the application, section by section ---------------------------------------------------------
#
# Drafts are saved leniently: every field may be empty, so nothing typed is ever refused for
# being incomplete. Only what cannot be stored (a date that is no date, an end before the start,
# an organisation number with a typing error) stops a save. Completeness is checked before
# submission (grants.services.submission.submission_problems); labels come from
# grants.questions so that the rules and the forms name a field alike.


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _text(label, *, rows=5, help_text="", max_length=None):
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput()
    return forms.CharField(
        label=label, required=False, widget=widget, help_text=help_text, max_length=max_length
    )


def _yes_no(label, help_text=""):
    return forms.ChoiceField(
        label=label,
        choices=YES_NO,
        required=False,
        widget=forms.RadioSelect,
        help_text=help_text,
    )


class ProjectForm(forms.Form):
    project_title = _text(LABELS["project_title"], rows=0, max_length=200)
    project_summary = _text(
        LABELS["project_summary"], rows=4, help_text=_("A short description that may be published.")
    )
    purpose_and_plan = _text(LABELS["purpose_and_plan"], rows=8)
    target_groups = _text(LABELS["target_groups"], rows=4)
    areas = forms.ModelMultipleChoiceField(
        label=LABELS["areas"],
        queryset=Kommun.objects.order_by("name"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_(
            "The municipalities where the project works. Hold Ctrl (Cmd on a Mac) to choose "
            "more than one; type the first letters to jump."
        ),
    )
    area_details = _text(LABELS["area_details"], rows=3)
    start_date = forms.DateField(label=LABELS["start_date"], required=False, widget=DateInput())
    end_date = forms.DateField(label=LABELS["end_date"], required=False, widget=DateInput())

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date comes before the start date."))
        return cleaned


class PartnerForm(forms.Form):
    name = forms.CharField(label=_("Partner's name"), max_length=200, required=False)
    org_number = forms.CharField(
        label=_("Organisation number (if it has one)"), max_length=13, required=False
    )
    role = _text(_("Role in the project"), rows=2)

    def clean_org_number(self):
        value = self.cleaned_data["org_number"].strip()
        return normalise_org_number(value) if value else ""

    def clean(self):
        cleaned = super().clean()
        if (cleaned.get("org_number") or cleaned.get("role")) and not cleaned.get("name"):
            self.add_error("name", _("Give the partner's name."))
        return cleaned


PartnerFormSet = forms.formset_factory(PartnerForm, extra=2, max_num=30, validate_max=True)


class EffectForm(forms.Form):
    collaboration = _text(
        LABELS["collaboration"],
        help_text=_("Who does what together, and how the work is built into regular operations."),
    )
    long_term_effect = _text(LABELS["long_term_effect"], rows=8)
    follow_up = _text(LABELS["follow_up"], rows=5)


class BudgetLineForm(forms.Form):
    category = forms.ChoiceField(
        label=_("Cost category"), choices=[("", "—"), *BudgetCategory.choices], required=False
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    amount = forms.IntegerField(label=_("Amount (SEK)"), min_value=0, required=False)

    def __init__(self, *args, years=None, **kwargs):
        super().__init__(*args, **kwargs)
        if years:
            self.fields["year"] = forms.TypedChoiceField(
                label=_("Year"),
                choices=[(y, str(y)) for y in years],
                coerce=int,
                required=False,
            )
            self.order_fields(["category", "year", "description", "amount"])

    def clean(self):
        cleaned = super().clean()
        filled = cleaned.get("description") or cleaned.get("amount")
        if filled and not cleaned.get("category"):
            self.add_error("category", _("Choose a cost category."))
        if cleaned.get("category") and cleaned.get("amount") is None:
            self.add_error("amount", _("Give the amount."))
        if cleaned.get("category") and "year" in self.fields and not cleaned.get("year"):
            self.add_error("year", _("Choose the year."))
        return cleaned


BudgetFormSet = forms.formset_factory(BudgetLineForm, extra=3, max_num=60, validate_max=True)


class CertificationsForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, label, _required in CERTIFICATION_QUESTIONS:
            self.fields[key] = _yes_no(label)
            if key in CERTIFICATION_FOLLOW_UPS:
                detail, detail_label = CERTIFICATION_FOLLOW_UPS[key]
                self.fields[detail] = _text(detail_label, rows=3)

    def groups(self):
        """Each question with its follow-up field (or None), for the template."""
        for key, _label, _required in CERTIFICATION_QUESTIONS:
            follow_up = CERTIFICATION_FOLLOW_UPS.get(key)
            yield self[key], (self[follow_up[0]] if follow_up else None)


class StatementForm(forms.Form):
    not_statutory_task = forms.BooleanField(
        label=LABELS["not_statutory_task"],
        required=False,
    )
    statement = _text(LABELS["statement"], rows=5)


class FundingForm(forms.Form):
    other_state_grants = _yes_no(LABELS["other_state_grants"])
    funder = _text(LABELS["funder"], rows=0, max_length=200)
    funding_purpose = _text(LABELS["funding_purpose"], rows=2)
    funding_amount = forms.IntegerField(label=LABELS["funding_amount"], min_value=0, required=False)
    funding_decision_date = forms.DateField(
        label=LABELS["funding_decision_date"], required=False, widget=DateInput()
    )
    co_funding = _text(
        LABELS["co_funding"],
        rows=3,
        help_text=_("Own contribution, partners' contributions and other sources."),
    )

    FOLLOW_UPS = FUNDING_FOLLOW_UPS


SECTION_FORMS = {
    "project": ProjectForm,
    "effect": EffectForm,
    "certifications": CertificationsForm,
    "statement": StatementForm,
    "funding": FundingForm,
}


def field_anchor(section: str, name: str) -> str:
    """The HTML id of field `name` on a section's page, for links from the submission problems
    to it; "" for the section as a whole. A radio group is reached by its first option; the
    budget by its first line's category."""
    if not name:
        return ""
    if section == "budget":
        return "id_form-0-category"
    form_class = SECTION_FORMS.get(section)
    form = form_class() if form_class else None
    if form is None or name not in form.fields:
        return f"id_{name}"
    bound = form[name]
    radio = isinstance(bound.field.widget, forms.RadioSelect)
    return f"{bound.auto_id}_0" if radio else bound.auto_id


# -- attachments ----------------------------------------------------------------------------------

ZIP_MAGIC = b"PK\x03\x04"
ALLOWED_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "odt": "application/vnd.oasis.opendocument.text",
    "png": "image/png",
    "jpg": "image/jpeg",
}
EXTENSIONS = {
    "pdf": "pdf",
    "docx": "docx",
    "xlsx": "xlsx",
    "odt": "odt",
    "png": "png",
    "jpg": "jpg",
    "jpeg": "jpg",
}


def detect_file_type(upload) -> str | None:
    """The file's real type from its first bytes (and, for the zip-based formats, its contents);
    None when it is not one of the allowed types."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(ZIP_MAGIC):
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
                if "mimetype" in names:
                    mimetype = archive.read("mimetype").decode("ascii", "replace").strip()
                    if mimetype == ALLOWED_TYPES["odt"]:
                        return "odt"
                if "[Content_Types].xml" in names:
                    if any(n.startswith("word/") for n in names):
                        return "docx"
                    if any(n.startswith("xl/") for n in names):
                        return "xlsx"
        except zipfile.BadZipFile:
            return None
        finally:
            upload.seek(0)
    return None


def validate_upload(upload) -> str:
    """Refuse files that are too large or not of an allowed type; return the detected type."""
    limit = settings.ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("The file is %(size)s MB; at most %(limit)s MB is allowed.")
            % {"size": f"{upload.size / 1024 / 1024:.1f}", "limit": limit // (1024 * 1024)},
            code="too_large",
        )
    if upload.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    detected = detect_file_type(upload)
    if detected is None:
        raise ValidationError(
            _("Only PDF, DOCX, XLSX, ODT, PNG and JPG files can be attached; this file is none."),
            code="type",
        )
    extension = (
        EXTENSIONS.get(upload.name.rsplit(".", 1)[-1].lower()) if "." in upload.name else None
    )
    if extension != detected:
        raise ValidationError(
            _(
                "The file's name says %(named)s but its content is %(found)s. Save it in the "
                "right format, or give it the right ending."
            )
            % {"named": (extension or "?").upper(), "found": detected.upper()},
            code="type_mismatch",
        )
    return detected


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of attachment"),
        choices=[
            (k, label)
            for k, label in Attachment.Kind.choices
            if k not in (Attachment.Kind.SUPPLEMENT, Attachment.Kind.REPORT)
        ],
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, DOCX, XLSX, ODT, PNG or JPG, at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx,.xlsx,.odt,.png,.jpg,.jpeg"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        self.detected_type = validate_upload(upload)
        return upload


class SupplementAnswerForm(forms.Form):
    answer = forms.CharField(label=_("Your answer"), widget=forms.Textarea(attrs={"rows": 8}))
    file = forms.FileField(
        label=_("Attachment (optional)"),
        required=False,
        help_text=_("PDF, DOCX, XLSX, ODT, PNG or JPG, at most 10 MB."),
    )

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload:
            self.detected_type = validate_upload(upload)
        return upload


class ReportForm(forms.Form):
    results = forms.CharField(
        label=_("Results: what the project has done and achieved"),
        widget=forms.Textarea(attrs={"rows": 10}),
    )
    money_used = forms.IntegerField(
        label=_("Money used (SEK)"),
        min_value=0,
        help_text=_("The part of the grant used so far; the unused amount is computed from it."),
    )
