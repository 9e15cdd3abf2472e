from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grants.storage import private_storage


class ApplicationStatus(models.TextChoices):
    """An application's states; grants.workflow says which may follow which."""

    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("supplement requested")
    IN_ASSESSMENT = "in_assessment", _("in assessment")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")
    WITHDRAWN = "withdrawn", _("withdrawn")


class Application(models.Model):
    """An organisation's application to one track of a round, from draft to decision."""

    Status = ApplicationStatus

    round = models.ForeignKey(
        "grants.Round",
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("round"),
    )
    track = models.ForeignKey(
        "grants.Track",
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("track"),
    )
    organisation = models.ForeignKey(
        "grants.Organisation",
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("organisation"),
    )
    status = models.CharField(
        _("status"),
        max_length=24,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.DRAFT,
    )
    case_sequence = models.PositiveIntegerField(_("case sequence"), null=True, blank=True)
    case_number = models.CharField(
        _("case number"), max_length=40, null=True, blank=True, unique=True
    )
    project_title = models.CharField(_("project title"), max_length=200, blank=True)
    project_summary = models.TextField(_("summary"), blank=True)
    purpose_and_plan = models.TextField(_("purpose and overall plan"), blank=True)
    target_groups = models.TextField(_("target groups"), blank=True)
    collaboration = models.TextField(_("collaboration"), blank=True)
    long_term_effect = models.TextField(_("long-term effect on segregation"), blank=True)
    follow_up = models.TextField(_("follow-up"), blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    areas = models.ManyToManyField(
        "regions.Kommun",
        blank=True,
        related_name="applications",
        verbose_name=_("areas (municipalities)"),
    )
    area_details = models.TextField(_("districts and areas"), blank=True)
    requested_amount = models.PositiveBigIntegerField(_("amount applied for (SEK)"), default=0)
    requested_per_year = models.JSONField(
        _("amount applied for per year"),
        default=dict,
        blank=True,
        help_text=_('For multi-year tracks: {"2021": 500000, "2022": 400000}.'),
    )
    answers = models.JSONField(
        _("answers"),
        default=dict,
        blank=True,
        help_text=_("Answers of the track's question set: certifications, other funding and more."),
    )
    version = models.PositiveIntegerField(
        _("version"), default=1, help_text=_("Raised on every save; guards against lost updates.")
    )
    draft_input = models.JSONField(
        _("input not yet valid"),
        default=dict,
        blank=True,
        help_text=_(
            "What was typed in a section that did not validate, field by field as it was sent "
            "(kept until the section is saved valid; submission requires it gone)."
        ),
    )
    snapshot = models.JSONField(_("submitted snapshot"), null=True, blank=True)
    receipt_pdf = models.FileField(
        _("receipt (PDF)"),
        storage=private_storage,
        upload_to="receipts/",
        blank=True,
    )
    assigned_officer = models.ForeignKey(
        "grants.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_applications",
        verbose_name=_("case officer"),
    )
    created_by = models.ForeignKey(
        "grants.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="created_applications",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    is_demo = models.BooleanField(_("demonstration data"), default=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "case_sequence"], name="application_case_sequence_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(case_sequence__isnull=True, case_number__isnull=True)
                | models.Q(case_sequence__isnull=False, case_number__isnull=False),
                name="application_case_number_with_sequence",
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(start_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="application_dates_ordered",
            ),
        ]
        indexes = [
            models.Index(fields=["round", "status"], name="application_round_status"),
            # The officers' queue: its default order is by case sequence.
            models.Index(fields=["case_sequence", "id"], name="application_case_order"),
        ]

    def __str__(self):
        return self.case_number or self.project_title or str(_("Draft application"))


class BudgetCategory(models.TextChoices):
    STAFF = "staff", _("staff")
    PREMISES = "premises", _("premises")
    TRAVEL = "travel", _("travel")
    MATERIAL = "material", _("material and equipment")
    SERVICES = "services", _("purchased services")
    ACTIVITIES = "activities", _("activities and events")
    OTHER = "other", _("other costs")


class BudgetLine(models.Model):
    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="budget_lines",
        verbose_name=_("application"),
    )
    category = models.CharField(_("category"), max_length=20, choices=BudgetCategory.choices)
    description = models.CharField(_("description"), max_length=200, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    amount = models.PositiveBigIntegerField(_("amount (SEK)"))

    class Meta:
        ordering = ["application", "year", "id"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")

    def __str__(self):
        return f"{self.get_category_display()}: {self.amount}"


class Partner(models.Model):
    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="partners",
        verbose_name=_("application"),
    )
    name = models.CharField(_("name"), max_length=200)
    org_number = models.CharField(_("organisation number"), max_length=11, blank=True)
    role = models.TextField(_("role in the project"), blank=True)

    class Meta:
        ordering = ["application", "id"]
        verbose_name = _("collaboration partner")
        verbose_name_plural = _("collaboration partners")

    def __str__(self):
        return self.name


class Attachment(models.Model):
    class Kind(models.TextChoices):
        STATUTES = "statutes", _("statutes")
        ANNUAL_REPORT = "annual_report", _("annual report")
        LETTER_OF_INTENT = "letter_of_intent", _("partner's letter of intent")
        SUPPLEMENT = "supplement", _("supplement")
        REPORT = "report", _("report appendix")
        OTHER = "other", _("other")

    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("application"),
    )
    supplement_request = models.ForeignKey(
        "grants.SupplementRequest",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name=_("supplement request"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    file = models.FileField(_("file"), storage=private_storage, upload_to="attachments/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        "grants.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        ordering = ["application", "uploaded_at"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.original_name


class SupplementRequest(models.Model):
    """A case officer's request for more information (komplettering) and the applicant's answer."""

    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="supplement_requests",
        verbose_name=_("application"),
    )
    message = models.TextField(_("what is requested"))
    due_date = models.DateField(_("due date"))
    requested_by = models.ForeignKey(
        "grants.User",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        "grants.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    # The status the request paused; the answer takes the application back to it
    # (grants.workflow: the table's `resumes` steps).
    resumes_to = models.CharField(
        _("status before the request"),
        max_length=20,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.SUBMITTED,
    )

    class Meta:
        ordering = ["application", "requested_at"]
        verbose_name = _("supplement request")
        verbose_name_plural = _("supplement requests")

    def __str__(self):
        return f"{self.application} – {self.due_date}"


SCORE_FIELDS = ("score_relevance", "score_goal_fulfilment", "score_efficiency", "score_long_term")


class Score(models.IntegerChoices):
    ONE = 1, "1"
    TWO = 2, "2"
    THREE = 3, "3"
    FOUR = 4, "4"
    FIVE = 5, "5"


class AssessmentFields(models.Model):
    """What an assessor records: the formal check, the scores, a recommendation and an amount.
    The first assessment and the second (four-eyes) one share these fields."""

    class Recommendation(models.TextChoices):
        APPROVE = "approve", _("approve")
        REJECT = "reject", _("reject")

    officer = models.ForeignKey(
        "grants.User",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("case officer"),
    )
    formal_requirements_met = models.BooleanField(
        _("formal requirements met"), null=True, blank=True
    )
    formal_notes = models.TextField(_("formal requirements: reasons"), blank=True)
    score_relevance = models.PositiveSmallIntegerField(
        _("relevance"), choices=Score.choices, null=True, blank=True
    )
    score_goal_fulfilment = models.PositiveSmallIntegerField(
        _("goal fulfilment"), choices=Score.choices, null=True, blank=True
    )
    score_efficiency = models.PositiveSmallIntegerField(
        _("efficiency"), choices=Score.choices, null=True, blank=True
    )
    score_long_term = models.PositiveSmallIntegerField(
        _("long-term effect"), choices=Score.choices, null=True, blank=True
    )
    recommendation = models.CharField(
        _("recommendation"), max_length=10, choices=Recommendation.choices, blank=True
    )
    proposed_amount = models.PositiveBigIntegerField(
        _("proposed amount (SEK)"), null=True, blank=True
    )
    notes = models.TextField(_("notes"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.application}"

    @property
    def total_score(self) -> int:
        return sum(getattr(self, name) or 0 for name in SCORE_FIELDS)


def _score_constraints(prefix: str) -> list:
    return [
        models.CheckConstraint(
            condition=models.Q(**{f"{name}__isnull": True})
            | models.Q(**{f"{name}__range": (1, 5)}),
            name=f"{prefix}_{name.removeprefix('score_')}_1_5",
        )
        for name in SCORE_FIELDS
    ]


class Assessment(AssessmentFields):
    """The case officers' assessment of one application (one per application, versioned)."""

    application = models.OneToOneField(
        Application,
        on_delete=models.CASCADE,
        related_name="assessment",
        verbose_name=_("application"),
    )
    officer = models.ForeignKey(
        "grants.User",
        on_delete=models.PROTECT,
        related_name="assessments",
        verbose_name=_("case officer"),
    )

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        constraints = _score_constraints("assessment")


class SecondAssessment(AssessmentFields):
    """The second assessment (four-eyes) that a track requires above an amount: made by another
    officer than the first assessment's, independently, and shown beside it."""

    application = models.OneToOneField(
        Application,
        on_delete=models.CASCADE,
        related_name="second_assessment",
        verbose_name=_("application"),
    )
    officer = models.ForeignKey(
        "grants.User",
        on_delete=models.PROTECT,
        related_name="second_assessments",
        verbose_name=_("second assessor"),
    )

    class Meta:
        verbose_name = _("second assessment")
        verbose_name_plural = _("second assessments")
        constraints = _score_constraints("second_assessment")


class ConflictOfInterest(models.Model):
    """An officer's declaration (jäv): the application leaves that officer's view."""

    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="conflicts",
        verbose_name=_("application"),
    )
    officer = models.ForeignKey(
        "grants.User",
        on_delete=models.PROTECT,
        related_name="conflicts",
        verbose_name=_("case officer"),
    )
    reason = models.TextField(_("reason"), blank=True)
    declared_at = models.DateTimeField(_("declared"), default=timezone.now)

    class Meta:
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")
        constraints = [
            models.UniqueConstraint(fields=["application", "officer"], name="conflict_unique")
        ]

    def __str__(self):
        return f"{self.officer} – {self.application}"


class InternalComment(models.Model):
    """A staff note on an application; never shown to applicants."""

    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="internal_comments",
        verbose_name=_("application"),
    )
    author = models.ForeignKey(
        "grants.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("author")
    )
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["application", "created_at"]
        verbose_name = _("internal comment")
        verbose_name_plural = _("internal comments")

    def __str__(self):
        return f"{self.author}: {self.text[:40]}"
