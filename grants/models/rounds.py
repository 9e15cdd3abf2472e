from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .organisations import OrganisationType


class QuestionSet(models.TextChoices):
    MUNICIPAL = "municipal", _("municipalities and regions")
    CIVIL_SOCIETY = "civil_society", _("civil society")


class Round(models.Model):
    """A call for applications (utlysning): one a year, with tracks under their own ordinances."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")
        DECIDED = "decided", _("decided")
        ARCHIVED = "archived", _("archived")

    year = models.PositiveSmallIntegerField(_("year"))
    slug = models.SlugField(_("slug"), unique=True)
    title = models.CharField(_("title (Swedish)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    purpose = models.TextField(_("purpose (Swedish)"), blank=True)
    purpose_en = models.TextField(_("purpose (English)"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    grant_period_start = models.DateField(_("grant period starts"))
    grant_period_end = models.DateField(_("grant period ends"))
    last_use_date = models.DateField(_("funds used by"))
    progress_report_due = models.DateField(_("progress report due"), null=True, blank=True)
    final_report_due = models.DateField(_("final report due"))
    case_number_prefix = models.CharField(_("case number prefix"), max_length=20, default="DELMOS")
    last_case_sequence = models.PositiveIntegerField(
        _("last case number given"),
        default=0,
        help_text=_("Case numbers are given in order at submission, without gaps."),
    )
    instalments = models.PositiveSmallIntegerField(_("payment instalments"), default=2)
    is_demo = models.BooleanField(_("demonstration data"), default=False)

    class Meta:
        ordering = ["-year", "slug"]
        verbose_name = _("grant round")
        verbose_name_plural = _("grant rounds")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")),
                name="round_closes_after_opening",
            ),
            models.CheckConstraint(
                condition=models.Q(grant_period_end__gte=models.F("grant_period_start")),
                name="round_grant_period_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(instalments__gte=1), name="round_at_least_one_instalment"
            ),
        ]

    def __str__(self):
        return self.title


class Track(models.Model):
    """A part of a round under one ordinance, with its own eligible types and budget cap."""

    round = models.ForeignKey(
        Round, on_delete=models.PROTECT, related_name="tracks", verbose_name=_("round")
    )
    code = models.SlugField(_("code"))
    name = models.CharField(_("name (Swedish)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    ordinance = models.CharField(_("ordinance"), max_length=50, help_text=_("e.g. SFS 2018:118"))
    eligible_types = models.JSONField(
        _("eligible organisation types"),
        default=list,
        help_text=_('A list of the organisation types that may apply, e.g. ["kommun", "region"].'),
    )
    budget_cap = models.PositiveBigIntegerField(
        _("initial budget cap (SEK)"),
        help_text=_("Later changes are recorded as budget changes."),
    )
    eligible_kommuner = models.ManyToManyField(
        "regions.Kommun",
        blank=True,
        related_name="eligible_for_tracks",
        verbose_name=_("eligible municipalities"),
        help_text=_("Leave empty when every municipality may apply."),
    )
    max_per_application = models.PositiveBigIntegerField(
        _("maximum per application (SEK)"), null=True, blank=True
    )
    second_assessment_above = models.PositiveBigIntegerField(
        _("second assessment above (SEK)"),
        null=True,
        blank=True,
        help_text=_(
            "Applications for more than this amount need a second assessment by another case "
            "officer before a meeting may decide them. Leave empty for none."
        ),
    )
    question_set = models.CharField(_("question set"), max_length=20, choices=QuestionSet.choices)
    multi_year = models.BooleanField(_("multi-year grants"), default=False)
    max_years = models.PositiveSmallIntegerField(_("maximum number of years"), default=1)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_demo = models.BooleanField(_("demonstration data"), default=False)

    class Meta:
        ordering = ["round", "position", "code"]
        verbose_name = _("track")
        verbose_name_plural = _("tracks")
        constraints = [
            models.UniqueConstraint(fields=["round", "code"], name="track_code_unique_in_round"),
            models.CheckConstraint(
                condition=models.Q(max_years__gte=1), name="track_at_least_one_year"
            ),
        ]

    def __str__(self):
        return f"{self.round} – {self.name}"

    def clean(self):
        unknown = set(self.eligible_types or []) - set(OrganisationType.values)
        if unknown:
            raise ValidationError(
                {
                    "eligible_types": _("Unknown organisation types: %(types)s")
                    % {"types": ", ".join(sorted(unknown))}
                }
            )


class BudgetChange(models.Model):
    """A change of a track's cap, e.g. the government's reallocation of 25 June 2020."""

    track = models.ForeignKey(
        Track, on_delete=models.PROTECT, related_name="budget_changes", verbose_name=_("track")
    )
    effective_on = models.DateField(_("date"))
    new_cap = models.PositiveBigIntegerField(_("new cap (SEK)"))
    reason = models.TextField(_("reason"))
    reference = models.CharField(_("reference"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        "grants.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    is_demo = models.BooleanField(_("demonstration data"), default=False)

    class Meta:
        ordering = ["track", "effective_on", "id"]
        verbose_name = _("budget change")
        verbose_name_plural = _("budget changes")

    def __str__(self):
        return f"{self.track}: {self.new_cap} ({self.effective_on})"
