from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grants.storage import private_storage
from grants.text import fold


class DecisionMeeting(models.Model):
    """A decision meeting (beslutstillfälle). Closing it makes its decisions final."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    round = models.ForeignKey(
        "grants.Round", on_delete=models.PROTECT, related_name="meetings", verbose_name=_("round")
    )
    date = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    notes = models.TextField(_("notes"), blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        "grants.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    agenda = models.ManyToManyField(
        "grants.Application",
        blank=True,
        related_name="meeting_agendas",
        verbose_name=_("applications on the agenda"),
    )
    is_demo = models.BooleanField(_("demonstration data"), default=False)

    class Meta:
        ordering = ["round", "date", "id"]
        verbose_name = _("decision meeting")
        verbose_name_plural = _("decision meetings")

    def __str__(self):
        return self.title or f"{self.round.year} – {self.date}"


class MeetingConflict(models.Model):
    """A decision maker's conflict of interest (jäv) on one case at one meeting: they take no
    part in deciding it, and so may not close the meeting that makes its decision final."""

    meeting = models.ForeignKey(
        DecisionMeeting,
        on_delete=models.CASCADE,
        related_name="conflicts",
        verbose_name=_("decision meeting"),
    )
    application = models.ForeignKey(
        "grants.Application",
        on_delete=models.CASCADE,
        related_name="meeting_conflicts",
        verbose_name=_("application"),
    )
    decision_maker = models.ForeignKey(
        "grants.User",
        on_delete=models.PROTECT,
        related_name="meeting_conflicts",
        verbose_name=_("decision maker"),
    )
    reason = models.TextField(_("reason"), blank=True)
    declared_at = models.DateTimeField(_("declared"), default=timezone.now)

    class Meta:
        ordering = ["meeting", "declared_at", "id"]
        verbose_name = _("conflict of interest at a meeting")
        verbose_name_plural = _("conflicts of interest at meetings")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "application", "decision_maker"],
                name="meeting_conflict_unique",
            )
        ]

    def __str__(self):
        return f"{self.decision_maker} – {self.application} ({self.meeting})"


class Decision(models.Model):
    """One decision on one application at one meeting. Never edited once the meeting is closed;
    a correction or a supplementary grant is a new decision."""

    class Outcome(models.TextChoices):
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    class Kind(models.TextChoices):
        ORIGINAL = "original", _("original")
        SUPPLEMENTARY = "supplementary", _("supplementary grant")
        CORRECTION = "correction", _("correction")

    application = models.ForeignKey(
        "grants.Application",
        on_delete=models.PROTECT,
        related_name="decisions",
        verbose_name=_("application"),
    )
    meeting = models.ForeignKey(
        DecisionMeeting,
        on_delete=models.PROTECT,
        related_name="decisions",
        verbose_name=_("decision meeting"),
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices, default=Kind.ORIGINAL)
    amount = models.PositiveBigIntegerField(_("amount (SEK)"), default=0)
    amount_per_year = models.JSONField(_("amount per year"), default=dict, blank=True)
    # A correction's change of the amount granted (negative for a reduction); its
    # amount_per_year holds the change per grant year (a move nets to zero).
    amount_change = models.BigIntegerField(_("change of the amount (SEK)"), default=0)
    period_end = models.DateField(_("project period extended to"), null=True, blank=True)
    reasons = models.TextField(_("reasons"), blank=True)
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("corrects decision"),
    )
    letter_pdf = models.FileField(
        _("decision letter (PDF)"), storage=private_storage, upload_to="letters/", blank=True
    )
    letter_pdf_en = models.FileField(
        _("decision letter in English (PDF)"),
        storage=private_storage,
        upload_to="letters/",
        blank=True,
    )
    created_by = models.ForeignKey(
        "grants.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)
    is_demo = models.BooleanField(_("demonstration data"), default=False)

    class Meta:
        ordering = ["meeting__date", "id"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(outcome="rejected") | models.Q(amount=0),
                name="decision_rejection_has_no_amount",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="correction") | models.Q(amount_change=0),
                name="decision_change_only_in_correction",
            ),
            models.UniqueConstraint(
                fields=["application", "meeting"],
                condition=models.Q(kind="original"),
                name="decision_one_original_per_meeting",
            ),
        ]

    def __str__(self):
        return f"{self.application} – {self.get_outcome_display()} ({self.meeting.date})"


class Grant(models.Model):
    """The awarded project: one per approved application. Its total is the sum of its approved
    decisions, kept on the row (amount_total) so public lists can filter and sort on it."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        REPORTED = "reported", _("reported")
        CLOSED = "closed", _("closed")
        RECOVERED = "recovered", _("recovered")

    application = models.OneToOneField(
        "grants.Application",
        on_delete=models.PROTECT,
        related_name="grant",
        verbose_name=_("application"),
    )
    public_title = models.CharField(_("public title"), max_length=200)
    public_summary = models.TextField(_("public summary"), blank=True)
    beneficiary_kommuner = models.ManyToManyField(
        "regions.Kommun",
        blank=True,
        related_name="grants",
        verbose_name=_("municipalities where the project works"),
    )
    amount_total = models.PositiveBigIntegerField(_("amount granted (SEK)"), default=0)
    awarded_on = models.DateField(_("first decided"))
    last_decided_on = models.DateField(_("last decided"))
    has_supplementary = models.BooleanField(_("has a supplementary grant"), default=False)
    # Set by a correction decision that extends the project period; else the round's.
    period_end = models.DateField(_("project period ends"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    is_demo = models.BooleanField(_("demonstration data"), default=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # When anything the open data says about the grant last changed (its `dateModified`): set
    # by every save and by `refresh_listing` (the organisation or the municipalities changed).
    modified_at = models.DateTimeField(_("modified"), default=timezone.now, editable=False)

    # Copies for the public award list, so that it filters, sorts and searches one table: set
    # from the application and its organisation by `fill_listing` (on save, when the
    # organisation or the municipalities change: grants/signals.py), never edited by hand.
    round = models.ForeignKey(
        "grants.Round", on_delete=models.PROTECT, related_name="+", null=True, editable=False
    )
    track = models.ForeignKey(
        "grants.Track", on_delete=models.PROTECT, related_name="+", null=True, editable=False
    )
    org_name = models.CharField(_("organisation"), max_length=200, blank=True, editable=False)
    org_type = models.CharField(
        _("type of organisation"), max_length=20, blank=True, editable=False
    )
    seat = models.ForeignKey(
        "regions.Kommun",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        editable=False,
    )
    search_text = models.TextField(_("search text"), blank=True, editable=False)
    # The codes of the municipalities the project works in, each between spaces (" 2180 2181 "):
    # the list's county and municipality filters test this column of the row they already read
    # instead of probing the join table once per row (a kommunkod starts with its county's code).
    area_codes = models.CharField(_("area codes"), max_length=2000, blank=True, editable=False)

    LISTING_FIELDS = ["round", "track", "org_name", "org_type", "seat", "search_text", "area_codes"]

    class Meta:
        ordering = ["org_name"]
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        indexes = [
            # With the id as the tie-breaker, so that a keyset page ("after this row") starts
            # in the index rather than after counting the rows before it.
            models.Index(fields=["amount_total", "id"], name="grant_amount_id_idx"),
            models.Index(fields=["awarded_on", "id"], name="grant_awarded_id_idx"),
            models.Index(fields=["org_name", "id"], name="grant_org_name_idx"),
        ]

    def __str__(self):
        return self.public_title

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        self.modified_at = timezone.now()
        if update_fields is None:
            self.fill_listing()
        elif "public_title" in update_fields:
            self.fill_listing()
            kwargs["update_fields"] = {*update_fields, *self.LISTING_FIELDS, "modified_at"}
        else:
            kwargs["update_fields"] = {*update_fields, "modified_at"}
        super().save(*args, **kwargs)

    def fill_listing(self, *, areas=None) -> None:
        """Copy what the public list filters, sorts and searches on. `areas` (the municipalities
        the project works in) defaults to those stored for a saved grant."""
        application = self.application
        organisation = application.organisation
        if areas is None:
            areas = list(self.beneficiary_kommuner.all()) if self.pk else []
        area_names = [k.name for k in areas]
        codes = sorted(k.code for k in areas)
        self.area_codes = f" {' '.join(codes)} " if codes else ""
        self.round_id = application.round_id
        self.track_id = application.track_id
        self.org_name = organisation.name
        self.org_type = organisation.org_type
        self.seat_id = organisation.seat_id
        self.search_text = fold(" ".join([organisation.name, self.public_title, *area_names]))

    @classmethod
    def refresh_listing(cls, grants) -> int:
        """Recompute the listing copies of `grants` (a queryset), in a fixed number of queries."""
        rows = list(
            grants.select_related("application__organisation").prefetch_related(
                "beneficiary_kommuner"
            )
        )
        now = timezone.now()
        for grant in rows:
            grant.fill_listing(areas=list(grant.beneficiary_kommuner.all()))
            grant.modified_at = now
        cls.objects.bulk_update(rows, [*cls.LISTING_FIELDS, "modified_at"], batch_size=1000)
        return len(rows)
