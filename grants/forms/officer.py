"""Forms of the case officers' workspace. They validate input; services make the changes."""

from django import forms
from django.utils.translation import gettext_lazy as _

from grants import roles
from grants.limits import MAX_AMOUNT, MAX_COUNTER
from grants.models import Assessment, DecisionMeeting, SavedFilter, SecondAssessment, Track, User
from grants.models.applications import SCORE_FIELDS
from grants.services import decisions as decision_rules
from grants.services.officer import ASSESSMENT_FIELDS
from grants.workflow import MEETING_OPEN_STATUSES


class AssessmentForm(forms.ModelForm):
    version = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=0, max_value=MAX_COUNTER
    )
    formal_requirements_met = forms.TypedChoiceField(
        label=_("Formal requirements"),
        choices=[("", _("Not yet checked")), ("true", _("Met")), ("false", _("Not met"))],
        coerce=lambda v: v == "true",
        empty_value=None,
        required=False,
    )

    class Meta:
        model = Assessment
        fields = list(ASSESSMENT_FIELDS)  # the fields the service saves
        widgets = {
            "formal_notes": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The empty choice in words, never Django's "---------".
        worded = {name: _("Not scored yet") for name in SCORE_FIELDS}
        worded["recommendation"] = _("No recommendation yet")
        for name, label in worded.items():
            field = self.fields[name]
            field.choices = [("", label), *[c for c in field.choices if c[0] != ""]]
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version
            met = self.instance.formal_requirements_met
            self.initial["formal_requirements_met"] = (
                "" if met is None else ("true" if met else "false")
            )

    def clean(self):
        data = super().clean()
        if (
            data.get("formal_requirements_met") is False
            and not (data.get("formal_notes") or "").strip()
        ):
            self.add_error(
                "formal_notes", _("Give the reasons when the formal requirements are not met.")
            )
        if data.get("recommendation") == "approve" and not data.get("proposed_amount"):
            self.add_error("proposed_amount", _("Propose an amount when you recommend approval."))
        return data


class SecondAssessmentForm(AssessmentForm):
    """The second (four-eyes) assessment: the same questions, its own ids on the page, and a
    recommendation it cannot leave out."""

    class Meta(AssessmentForm.Meta):
        model = SecondAssessment

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "second-%s")
        super().__init__(*args, **kwargs)
        self.fields["recommendation"].required = True


class SavedFilterForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the filter"), max_length=SavedFilter._meta.get_field("name").max_length
    )
    query = forms.CharField(
        widget=forms.HiddenInput,
        required=False,
        max_length=SavedFilter._meta.get_field("query").max_length,
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "saved-filter-%s")
        super().__init__(*args, **kwargs)


class MeetingConflictForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the conflict of interest"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SupplementRequestForm(forms.Form):
    message = forms.CharField(
        label=_("What is requested"), widget=forms.Textarea(attrs={"rows": 4})
    )
    due_date = forms.DateField(
        label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class ConflictForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the conflict of interest"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CommentForm(forms.Form):
    text = forms.CharField(label=_("Internal comment"), widget=forms.Textarea(attrs={"rows": 3}))


class BulkAssignForm(forms.Form):
    """Its own ids (assign-officer), so it never repeats the queue filter's id_officer."""

    officer = forms.ModelChoiceField(
        label=_("Assign to case officer"),
        queryset=User.objects.filter(groups__name=roles.CASE_OFFICER, is_active=True).distinct(),
        empty_label=_("Choose a case officer"),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "assign-%s")
        super().__init__(*args, **kwargs)


class BulkMeetingForm(forms.Form):
    meeting = forms.ModelChoiceField(
        label=_("Add to decision meeting"),
        queryset=DecisionMeeting.objects.filter(status__in=MEETING_OPEN_STATUSES).select_related(
            "round"
        ),
        empty_label=_("Choose a meeting"),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "add-%s")
        super().__init__(*args, **kwargs)


class MeetingForm(forms.ModelForm):
    class Meta:
        model = DecisionMeeting
        fields = ["date", "title", "notes"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approved", _("approved")), ("rejected", _("rejected"))],
        widget=forms.RadioSelect,
    )
    amount = forms.IntegerField(
        label=_("Amount (SEK)"), min_value=0, max_value=MAX_AMOUNT, required=False
    )
    amount_per_year = forms.CharField(
        label=_("Amount per year (multi-year grants)"),
        required=False,
        help_text=_("One year per line, e.g. 2021: 500000"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    reasons = forms.CharField(
        label=_("Reasons"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean_amount_per_year(self):
        text = self.cleaned_data.get("amount_per_year") or ""
        result = {}
        for line in text.splitlines():
            if not line.strip():
                continue
            year, _sep, amount = line.partition(":")
            try:
                year_number = int(year.strip())
                value = int(amount.replace(" ", "").strip())
            except ValueError:
                raise forms.ValidationError(
                    _("Write each year as YEAR: AMOUNT, e.g. 2021: 500000.")
                ) from None
            if not (1900 <= year_number <= 2200 and 0 <= value <= MAX_AMOUNT):
                raise forms.ValidationError(
                    _("Write each year as YEAR: AMOUNT, e.g. 2021: 500000.")
                )
            result[str(year_number)] = value
        return result

    def clean(self):
        """The service's decision rules (grants.services.decisions.decision_terms), shown at the
        fields they concern."""
        data = super().clean()
        if not data.get("outcome"):
            return data
        terms, problems = decision_rules.decision_terms(
            outcome=data["outcome"],
            amount=data.get("amount"),
            amount_per_year=data.get("amount_per_year"),
            reasons=data.get("reasons") or "",
        )
        for name, message in problems.items():
            if name in self.fields and name not in self.errors:
                self.add_error(name, message)
        if not problems:
            data["amount"] = terms.amount
            data["amount_per_year"] = terms.amount_per_year
        return data


class ReallocationForm(forms.Form):
    from_track = forms.ModelChoiceField(
        label=_("From track"), queryset=Track.objects.none(), empty_label=_("Choose a track")
    )
    to_track = forms.ModelChoiceField(
        label=_("To track"), queryset=Track.objects.none(), empty_label=_("Choose a track")
    )
    amount = forms.IntegerField(label=_("Amount (SEK)"), min_value=1, max_value=MAX_AMOUNT)
    effective_on = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    reference = forms.CharField(label=_("Reference"), max_length=200)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, round_, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_track"].queryset = round_.tracks.all()
        self.fields["to_track"].queryset = round_.tracks.all()

    def clean(self):
        data = super().clean()
        if data.get("from_track") and data.get("from_track") == data.get("to_track"):
            self.add_error("to_track", _("Choose two different tracks."))
        return data


class ReportReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Review"),
        choices=[("approve", _("Approve")), ("return", _("Return for changes"))],
        widget=forms.RadioSelect,
    )
    notes = forms.CharField(
        label=_("Review notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


# -- the ledger: correction decisions, claims, repayments and write-offs -------------------------


class CorrectionForm(forms.Form):
    """A correction decision (ändringsbeslut): change a year's amount, move money from one
    grant year to another, and/or extend the project period."""

    ACTIONS = [
        ("change", _("Change the amount of a grant year")),
        ("move", _("Move money between grant years")),
        ("extend", _("Only extend the project period")),
    ]
    action = forms.ChoiceField(label=_("Correction"), choices=ACTIONS, widget=forms.RadioSelect)
    year = forms.TypedChoiceField(label=_("Grant year"), coerce=int, choices=())
    amount = forms.IntegerField(
        label=_("Change (SEK)"),
        required=False,
        min_value=-MAX_AMOUNT,
        max_value=MAX_AMOUNT,
        help_text=_("Negative to lower the amount; for a move, the amount moved."),
    )
    to_year = forms.TypedChoiceField(
        label=_("Move to grant year"), coerce=int, choices=(), required=False, empty_value=None
    )
    period_end = forms.DateField(
        label=_("New end of the project period"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reasons = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(y, str(y)) for y in years]
        self.fields["year"].choices = choices
        self.fields["to_year"].choices = [("", "—"), *choices]

    def clean(self):
        data = super().clean()
        action, amount = data.get("action"), data.get("amount")
        if action in ("change", "move") and not amount:
            self.add_error("amount", _("Give the amount."))
        if action == "move":
            if amount is not None and amount <= 0:
                self.add_error("amount", _("Give the amount to move, above zero."))
            if not data.get("to_year") or data.get("to_year") == data.get("year"):
                self.add_error("to_year", _("Choose another grant year to move the money to."))
        if action == "extend" and not data.get("period_end"):
            self.add_error("period_end", _("Give the new end of the project period."))
        return data

    def changes(self) -> dict[int, int]:
        data = self.cleaned_data
        if data["action"] == "change":
            return {data["year"]: data["amount"]}
        if data["action"] == "move":
            return {data["year"]: -data["amount"], data["to_year"]: data["amount"]}
        return {}


class ClaimForm(forms.Form):
    """A recovery claim on other grounds than unused money."""

    grounds = forms.ChoiceField(
        label=_("Grounds"),
        choices=[
            ("misuse", _("money not used for its purpose")),
            ("missing_report", _("report not submitted")),
            ("conditions", _("the decision's conditions not followed")),
        ],
    )
    amount = forms.IntegerField(label=_("Amount (SEK)"), min_value=1, max_value=MAX_AMOUNT)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class ClaimEntryForm(forms.Form):
    """A repayment or a write-off (eftergift) on a claim."""

    kind = forms.ChoiceField(
        label=_("What happened"),
        choices=[("repaid", _("repaid")), ("written_off", _("written off"))],
        widget=forms.RadioSelect,
    )
    amount = forms.IntegerField(label=_("Amount (SEK)"), min_value=1, max_value=MAX_AMOUNT)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required for a write-off: the special reasons."),
    )
