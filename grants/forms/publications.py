from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grants.models import DecisionMeeting, Round, Track
from grants.workflow import MEETING_CLOSED_STATUSES


class TrackChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.round.year} – {obj.name}"


class PublishForm(forms.Form):
    round = forms.ModelChoiceField(
        label=_("Grant round"),
        queryset=Round.objects.exclude(status=Round.Status.DRAFT).order_by("-year", "slug"),
        empty_label=_("Choose a round"),
    )
    track = TrackChoiceField(
        label=_("Track"),
        queryset=Track.objects.select_related("round").exclude(round__status=Round.Status.DRAFT),
        required=False,
        empty_label=_("All tracks (one list per track and a combined list)"),
    )
    as_of = forms.DateField(
        label=_("Decisions up to"),
        help_text=_("The lists hold the decisions of closed meetings up to this date."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=200,
        required=False,
        help_text=_('Shown with the version, e.g. "uppdaterad 25 juni".'),
    )
    note_en = forms.CharField(
        label=_("Note in English"),
        max_length=200,
        required=False,
        help_text=_('Shown with the version in the English list, e.g. "updated 25 June".'),
    )
    new_version = forms.BooleanField(
        label=_("Publish a new version even if nothing has changed"),
        required=False,
        help_text=_(
            "E.g. to show a new note. Otherwise a list equal to its latest version is left as it is."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["as_of"].initial = timezone.localdate()
        # The round whose decisions were made last: the one a decision maker publishes after a
        # meeting.
        latest = (
            DecisionMeeting.objects.filter(
                status__in=MEETING_CLOSED_STATUSES, round__in=self.fields["round"].queryset
            )
            .order_by("-date", "-closed_at", "-pk")
            .values_list("round_id", flat=True)
            .first()
        )
        self.fields["round"].initial = latest

    def clean(self):
        cleaned = super().clean()
        round_, track = cleaned.get("round"), cleaned.get("track")
        if round_ and track and track.round_id != round_.pk:
            self.add_error("track", _("Choose a track of the chosen round."))
        return cleaned
