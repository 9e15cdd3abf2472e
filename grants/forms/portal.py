"""Forms of the applicant portal: organisations, invitations and the sections of an application."""

import datetime as dt
import re
import zipfile
import zlib

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from grants.identifiers import (
    check_legal_form,
    normalise_bankgiro,
    normalise_org_number,
    normalise_plusgiro,
)
from grants.limits import MAX_AMOUNT
from grants.models import Attachment, BudgetCategory, Organisation, OrganisationType
from grants.questions import (
    CERTIFICATION_FOLLOW_UPS,
    CERTIFICATION_QUESTIONS,
    FUNDING_FOLLOW_UPS,
    LABELS,
)
from regions.models import Kommun

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


def capitalised(choices):
    """Choices as a person reads them in a list: "Ideell förening", not "ideell förening"."""
    return [(value, capfirst(label)) for value, label in choices]


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
        label=_("Type of organisation"),
        choices=[("", "—"), *capitalised(OrganisationType.choices)],
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
    """A plain text box (not the browser's own date picker, whose format differs between
    browsers and languages): the hint says what to write, and the field reads Swedish ways."""

    input_type = "text"

    def __init__(self, **kwargs):
        attrs = {"autocomplete": "off", "spellcheck": "false", "class": "input-date"}
        attrs.update(kwargs.pop("attrs", {}) or {})
        super().__init__(format="%Y-%m-%d", attrs=attrs, **kwargs)


SWEDISH_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("januari", "jan", "january"),
            ("februari", "feb", "february"),
            ("mars", "mar", "march"),
            ("april", "apr"),
            ("maj", "may"),
            ("juni", "jun", "june"),
            ("juli", "jul", "july"),
            ("augusti", "aug", "august"),
            ("september", "sep", "sept"),
            ("oktober", "okt", "oct", "october"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
DATE_HINT = _("Write it as YYYY-MM-DD, for example 2027-02-01.")


def parse_swedish_date(text: str) -> dt.date | None:
    """A date as Swedes write it: 2027-02-01, 20270201, 2027/2/1, 1/2 2027, 1.2.2027,
    1 februari 2027. None when the text is none of these (or no real date)."""
    value = " ".join(text.strip().lower().replace(",", " ").split())
    if not value:
        return None
    patterns = [
        (r"(\d{4})[-/. ](\d{1,2})[-/. ](\d{1,2})", ("y", "m", "d")),
        (r"(\d{4})(\d{2})(\d{2})", ("y", "m", "d")),
        (r"(\d{1,2})[/.](\d{1,2})[-/. ]+(\d{4})", ("d", "m", "y")),
        (r"(\d{1,2})\.? ?([a-zåäö]+)\.? (\d{4})", ("d", "month", "y")),
    ]
    for pattern, parts in patterns:
        match = re.fullmatch(pattern, value)
        if not match:
            continue
        found = dict(zip(parts, match.groups(), strict=True))
        if "month" in found:
            month = SWEDISH_MONTHS.get(found["month"])
            if month is None:
                return None
            found["m"] = month
        try:
            return dt.date(int(found["y"]), int(found["m"]), int(found["d"]))
        except ValueError:
            return None
    return None


class SwedishDateField(forms.DateField):
    default_error_messages = {
        "invalid": _(
            "Write the date as YYYY-MM-DD, for example 2027-02-01 (or as 1 februari 2027)."
        ),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", DateInput())
        help_text = kwargs.pop("help_text", "")
        kwargs["help_text"] = f"{help_text} {DATE_HINT}".strip() if help_text else DATE_HINT
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        parsed = parse_swedish_date(str(value))
        if parsed is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return parsed


AMOUNT_HINT = _("Whole SEK; spaces or dots between the thousands are fine, e.g. 125 000.")


def parse_amount(text: str) -> int | None:
    """Whole kronor as people write them: 125000, 125 000, 125.000, 125 000 kr, 125 000:-,
    125 000,00. None when the text is not such an amount."""
    value = str(text).strip().lower()
    value = re.sub(r"\s*(kr|sek|kronor|:-)\.?$", "", value)
    value = re.sub(r"[\s\u00a0\u202f\u2009']", "", value)
    value = re.sub(r"[,.]00?$", "", value) if re.search(r"[,.]\d{2}$", value) else value
    if re.fullmatch(r"\d{1,3}(\.\d{3})+", value):
        value = value.replace(".", "")
    if not re.fullmatch(r"\d+", value):
        return None
    return int(value)


def format_amount(value) -> str:
    """125000 as "125 000" (ordinary spaces, so it can be edited as typed)."""
    return f"{int(value):,}".replace(",", " ")


class AmountInput(forms.TextInput):
    def __init__(self, attrs=None):
        base = {"inputmode": "numeric", "autocomplete": "off", "class": "input-amount"}
        super().__init__({**base, **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, int):
            return format_amount(value)
        return super().format_value(value)


class AmountField(forms.IntegerField):
    """An amount in whole kronor, with spaces or dots as thousands separators accepted."""

    widget = AmountInput
    default_error_messages = {
        "invalid": _("Write the amount in whole SEK, for example 125 000."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", MAX_AMOUNT)  # what the database and the ledger allow
        super().__init__(**kwargs)
        self.widget.attrs.pop("min", None)  # a text box: the server says what is wrong

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, int):
            return value
        parsed = parse_amount(value)
        if parsed is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return parsed


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
        queryset=Kommun.objects.select_related("lan").order_by("lan__name", "name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Tick the municipalities where the project works. They are grouped by county; "
            "you can tick as many as you need."
        ),
    )
    area_details = _text(LABELS["area_details"], rows=3)
    start_date = SwedishDateField(label=LABELS["start_date"], required=False)
    end_date = SwedishDateField(label=LABELS["end_date"], required=False)

    def area_groups(self):
        """The municipality checkboxes by county: (county, [checkbox, …], ticked count)."""
        groups: dict = {}
        for checkbox in self["areas"]:
            kommun = checkbox.data["value"].instance
            groups.setdefault(kommun.lan, []).append(checkbox)
        return [
            (lan, boxes, sum(1 for b in boxes if b.data["selected"]))
            for lan, boxes in groups.items()
        ]

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
        label=_("Cost category"),
        choices=[("", "—"), *capitalised(BudgetCategory.choices)],
        required=False,
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    amount = AmountField(label=_("Amount (SEK)"), required=False)

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
    funding_amount = AmountField(
        label=LABELS["funding_amount"], required=False, help_text=AMOUNT_HINT
    )
    funding_decision_date = SwedishDateField(label=LABELS["funding_decision_date"], required=False)
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
    # A checkbox group (the municipality picker) has its own element with the field's id.
    widget = bound.field.widget
    radio = isinstance(widget, forms.RadioSelect) and not isinstance(
        widget, forms.CheckboxSelectMultiple
    )
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


# Limits for the zip-based formats (DOCX, XLSX, ODT), checked on the central directory before
# anything is inflated. Real office documents stay far below them.
ZIP_MAX_ENTRIES = 1000
ZIP_MAX_MEMBER_BYTES = 50 * 1024 * 1024
ZIP_MAX_TOTAL_BYTES = 100 * 1024 * 1024
ZIP_MAX_RATIO = 100
ZIP_RATIO_FLOOR = 1024 * 1024  # members smaller than this may compress as well as they like
# PDF names that run code or carry files.
PDF_ACTIVE_NAMES = {b"JavaScript", b"JS", b"EmbeddedFile", b"EmbeddedFiles", b"Launch"}
PDF_SCAN_CHUNK = 1024 * 1024


class UploadRefused(ValueError):
    """An upload that looks like an allowed type but is dangerous: the message says why."""

    def __init__(self, message, code):
        super().__init__(str(message))
        self.message = message
        self.code = code


def _check_zip_directory(archive) -> None:
    """Refuse archives whose central directory declares a bomb; nothing is inflated here."""
    entries = archive.infolist()
    if len(entries) > ZIP_MAX_ENTRIES:
        raise UploadRefused(
            _("The file holds %(count)s parts; at most %(limit)s are allowed.")
            % {"count": len(entries), "limit": ZIP_MAX_ENTRIES},
            "zip_entries",
        )
    total = 0
    for entry in entries:
        total += entry.file_size
        if entry.file_size > ZIP_MAX_MEMBER_BYTES or total > ZIP_MAX_TOTAL_BYTES:
            raise UploadRefused(
                _(
                    "The file unpacks to more than %(limit)s MB, which no ordinary document "
                    "does. Save it again or send it as PDF."
                )
                % {"limit": ZIP_MAX_TOTAL_BYTES // (1024 * 1024)},
                "zip_size",
            )
        if entry.file_size > ZIP_RATIO_FLOOR and entry.file_size > ZIP_MAX_RATIO * max(
            entry.compress_size, 1
        ):
            raise UploadRefused(
                _(
                    "The file is packed far more tightly than an ordinary document, as a zip "
                    "bomb is. Save it again or send it as PDF."
                ),
                "zip_ratio",
            )


def _check_pdf(upload) -> None:
    """Refuse PDFs that carry JavaScript, embedded files or launch actions. Read in bounded
    chunks; names written with #xx escapes are decoded before they are compared."""
    name = re.compile(rb"/([A-Za-z0-9#]{2,40})")
    upload.seek(0)
    tail = b""
    while True:
        chunk = upload.read(PDF_SCAN_CHUNK)
        if not chunk:
            break
        data = tail + chunk
        for match in name.finditer(data):
            raw = match.group(1)
            if b"#" in raw:
                raw = re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), raw)
            if raw in PDF_ACTIVE_NAMES:
                upload.seek(0)
                raise UploadRefused(
                    _(
                        "The PDF contains JavaScript, embedded files or actions that start "
                        "programs. Print it to a new PDF, or save it without them, and try again."
                    ),
                    "pdf_active",
                )
        tail = data[-48:]
    upload.seek(0)


def detect_file_type(upload) -> str | None:
    """The file's real type from its first bytes (and, for the zip-based formats, its central
    directory and a bounded read of the `mimetype` member); None when it is not one of the
    allowed types. Raises UploadRefused for zip bombs and PDFs with active content."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        _check_pdf(upload)
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(ZIP_MAGIC):
        try:
            with zipfile.ZipFile(upload) as archive:
                _check_zip_directory(archive)
                names = {info.filename for info in archive.infolist()}
                if "mimetype" in names:
                    with archive.open("mimetype") as member:
                        mimetype = member.read(128).decode("ascii", "replace").strip()
                    if mimetype == ALLOWED_TYPES["odt"]:
                        return "odt"
                if "[Content_Types].xml" in names:
                    if any(n.startswith("word/") for n in names):
                        return "docx"
                    if any(n.startswith("xl/") for n in names):
                        return "xlsx"
        except (
            zipfile.BadZipFile,
            NotImplementedError,
            RuntimeError,
            EOFError,
            OSError,
            zlib.error,
        ):
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
    try:
        detected = detect_file_type(upload)
    except UploadRefused as exc:
        raise ValidationError(exc.message, code=exc.code) from exc
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
        choices=capitalised(
            (k, label)
            for k, label in Attachment.Kind.choices
            if k not in (Attachment.Kind.SUPPLEMENT, Attachment.Kind.REPORT)
        ),
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
    money_used = AmountField(
        label=_("Money used (SEK)"),
        help_text=_("The part of the grant used so far; the unused amount is computed from it."),
    )
