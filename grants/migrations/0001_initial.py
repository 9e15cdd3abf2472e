# The schema of the grants app, squashed from the first sessions' migrations on 2026-12-04.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import grants.identifiers
import grants.models.people
import grants.storage


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("regions", "0002_load_geography"),
    ]

    operations = [
        migrations.CreateModel(
            name="PublicDataVersion",
            fields=[
                (
                    "id",
                    models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False),
                ),
                ("version", models.BigIntegerField(default=0, verbose_name="version")),
            ],
            options={
                "verbose_name": "public data version",
                "verbose_name_plural": "public data versions",
            },
        ),
        migrations.CreateModel(
            name="User",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("password", models.CharField(max_length=128, verbose_name="password")),
                (
                    "last_login",
                    models.DateTimeField(blank=True, null=True, verbose_name="last login"),
                ),
                (
                    "is_superuser",
                    models.BooleanField(
                        default=False,
                        help_text="Designates that this user has all permissions without explicitly assigning them.",
                        verbose_name="superuser status",
                    ),
                ),
                (
                    "email",
                    models.EmailField(max_length=254, unique=True, verbose_name="e-mail address"),
                ),
                ("full_name", models.CharField(blank=True, max_length=150, verbose_name="name")),
                ("phone", models.CharField(blank=True, max_length=30, verbose_name="phone")),
                (
                    "language",
                    models.CharField(
                        choices=[("sv", "Swedish"), ("en", "English")],
                        default="sv",
                        max_length=5,
                        verbose_name="language",
                    ),
                ),
                (
                    "is_staff",
                    models.BooleanField(
                        default=False,
                        help_text="May log in to the administration.",
                        verbose_name="staff status",
                    ),
                ),
                ("is_active", models.BooleanField(default=True, verbose_name="active")),
                (
                    "email_verified_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="e-mail verified"),
                ),
                (
                    "date_joined",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="joined"),
                ),
                (
                    "groups",
                    models.ManyToManyField(
                        blank=True,
                        help_text="The groups this user belongs to. A user will get all permissions granted to each of their groups.",
                        related_name="user_set",
                        related_query_name="user",
                        to="auth.group",
                        verbose_name="groups",
                    ),
                ),
                (
                    "user_permissions",
                    models.ManyToManyField(
                        blank=True,
                        help_text="Specific permissions for this user.",
                        related_name="user_set",
                        related_query_name="user",
                        to="auth.permission",
                        verbose_name="user permissions",
                    ),
                ),
            ],
            options={
                "verbose_name": "user",
                "verbose_name_plural": "users",
                "ordering": ["email"],
            },
            managers=[
                ("objects", grants.models.people.UserManager()),
            ],
        ),
        migrations.CreateModel(
            name="Application",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("draft", "draft"),
                            ("submitted", "submitted"),
                            ("supplement_requested", "supplement requested"),
                            ("in_assessment", "in assessment"),
                            ("approved", "approved"),
                            ("rejected", "rejected"),
                            ("withdrawn", "withdrawn"),
                        ],
                        default="draft",
                        max_length=24,
                        verbose_name="status",
                    ),
                ),
                (
                    "case_sequence",
                    models.PositiveIntegerField(
                        blank=True, null=True, verbose_name="case sequence"
                    ),
                ),
                (
                    "case_number",
                    models.CharField(
                        blank=True,
                        max_length=40,
                        null=True,
                        unique=True,
                        verbose_name="case number",
                    ),
                ),
                (
                    "project_title",
                    models.CharField(blank=True, max_length=200, verbose_name="project title"),
                ),
                ("project_summary", models.TextField(blank=True, verbose_name="summary")),
                (
                    "purpose_and_plan",
                    models.TextField(blank=True, verbose_name="purpose and overall plan"),
                ),
                ("target_groups", models.TextField(blank=True, verbose_name="target groups")),
                ("collaboration", models.TextField(blank=True, verbose_name="collaboration")),
                (
                    "long_term_effect",
                    models.TextField(blank=True, verbose_name="long-term effect on segregation"),
                ),
                ("follow_up", models.TextField(blank=True, verbose_name="follow-up")),
                ("start_date", models.DateField(blank=True, null=True, verbose_name="start date")),
                ("end_date", models.DateField(blank=True, null=True, verbose_name="end date")),
                ("area_details", models.TextField(blank=True, verbose_name="districts and areas")),
                (
                    "requested_amount",
                    models.PositiveBigIntegerField(
                        default=0, verbose_name="amount applied for (SEK)"
                    ),
                ),
                (
                    "requested_per_year",
                    models.JSONField(
                        blank=True,
                        default=dict,
                        help_text='For multi-year tracks: {"2021": 500000, "2022": 400000}.',
                        verbose_name="amount applied for per year",
                    ),
                ),
                (
                    "answers",
                    models.JSONField(
                        blank=True,
                        default=dict,
                        help_text="Answers of the track's question set: certifications, other funding and more.",
                        verbose_name="answers",
                    ),
                ),
                (
                    "version",
                    models.PositiveIntegerField(
                        default=1,
                        help_text="Raised on every save; guards against lost updates.",
                        verbose_name="version",
                    ),
                ),
                (
                    "snapshot",
                    models.JSONField(blank=True, null=True, verbose_name="submitted snapshot"),
                ),
                (
                    "receipt_pdf",
                    models.FileField(
                        blank=True,
                        storage=grants.storage.private_storage,
                        upload_to="receipts/",
                        verbose_name="receipt (PDF)",
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="created"),
                ),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated")),
                (
                    "submitted_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="submitted"),
                ),
                ("is_demo", models.BooleanField(default=False, verbose_name="demonstration data")),
                (
                    "areas",
                    models.ManyToManyField(
                        blank=True,
                        related_name="applications",
                        to="regions.kommun",
                        verbose_name="areas (municipalities)",
                    ),
                ),
                (
                    "assigned_officer",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="assigned_applications",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="case officer",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="created_applications",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="created by",
                    ),
                ),
            ],
            options={
                "verbose_name": "application",
                "verbose_name_plural": "applications",
                "ordering": ["-created_at"],
            },
        ),
        migrations.CreateModel(
            name="BudgetLine",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "category",
                    models.CharField(
                        choices=[
                            ("staff", "staff"),
                            ("premises", "premises"),
                            ("travel", "travel"),
                            ("material", "material and equipment"),
                            ("services", "purchased services"),
                            ("activities", "activities and events"),
                            ("other", "other costs"),
                        ],
                        max_length=20,
                        verbose_name="category",
                    ),
                ),
                (
                    "description",
                    models.CharField(blank=True, max_length=200, verbose_name="description"),
                ),
                (
                    "year",
                    models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="year"),
                ),
                ("amount", models.PositiveBigIntegerField(verbose_name="amount (SEK)")),
                (
                    "application",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="budget_lines",
                        to="grants.application",
                        verbose_name="application",
                    ),
                ),
            ],
            options={
                "verbose_name": "budget line",
                "verbose_name_plural": "budget lines",
                "ordering": ["application", "year", "id"],
            },
        ),
        migrations.CreateModel(
            name="Grant",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("public_title", models.CharField(max_length=200, verbose_name="public title")),
                ("public_summary", models.TextField(blank=True, verbose_name="public summary")),
                (
                    "amount_total",
                    models.PositiveBigIntegerField(default=0, verbose_name="amount granted (SEK)"),
                ),
                ("awarded_on", models.DateField(verbose_name="first decided")),
                ("last_decided_on", models.DateField(verbose_name="last decided")),
                (
                    "has_supplementary",
                    models.BooleanField(default=False, verbose_name="has a supplementary grant"),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("active", "active"),
                            ("reported", "reported"),
                            ("closed", "closed"),
                            ("recovered", "recovered"),
                        ],
                        default="active",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                ("is_demo", models.BooleanField(default=False, verbose_name="demonstration data")),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="created"),
                ),
                (
                    "org_name",
                    models.CharField(
                        blank=True, editable=False, max_length=200, verbose_name="organisation"
                    ),
                ),
                (
                    "org_type",
                    models.CharField(
                        blank=True,
                        editable=False,
                        max_length=20,
                        verbose_name="type of organisation",
                    ),
                ),
                (
                    "search_text",
                    models.TextField(blank=True, editable=False, verbose_name="search text"),
                ),
                (
                    "application",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="grant",
                        to="grants.application",
                        verbose_name="application",
                    ),
                ),
                (
                    "beneficiary_kommuner",
                    models.ManyToManyField(
                        blank=True,
                        related_name="grants",
                        to="regions.kommun",
                        verbose_name="municipalities where the project works",
                    ),
                ),
                (
                    "seat",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="regions.kommun",
                    ),
                ),
            ],
            options={
                "verbose_name": "grant",
                "verbose_name_plural": "grants",
                "ordering": ["org_name"],
            },
        ),
        migrations.CreateModel(
            name="InternalComment",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("text", models.TextField(verbose_name="comment")),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="created"),
                ),
                (
                    "application",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="internal_comments",
                        to="grants.application",
                        verbose_name="application",
                    ),
                ),
                (
                    "author",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="author",
                    ),
                ),
            ],
            options={
                "verbose_name": "internal comment",
                "verbose_name_plural": "internal comments",
                "ordering": ["application", "created_at"],
            },
        ),
        migrations.CreateModel(
            name="Organisation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=200, verbose_name="name")),
                (
                    "org_number",
                    models.CharField(
                        help_text="Ten digits, written NNNNNN-NNNN.",
                        max_length=11,
                        unique=True,
                        validators=[grants.identifiers.validate_org_number],
                        verbose_name="organisation number",
                    ),
                ),
                (
                    "org_type",
                    models.CharField(
                        choices=[
                            ("kommun", "municipality"),
                            ("region", "region"),
                            ("kommunalforbund", "federation of municipalities"),
                            ("ideell_forening", "non-profit association"),
                            ("stiftelse", "foundation"),
                            ("trossamfund", "religious community"),
                        ],
                        max_length=20,
                        verbose_name="type of organisation",
                    ),
                ),
                (
                    "street_address",
                    models.CharField(blank=True, max_length=200, verbose_name="street address"),
                ),
                ("postcode", models.CharField(blank=True, max_length=6, verbose_name="postcode")),
                ("town", models.CharField(blank=True, max_length=100, verbose_name="town")),
                (
                    "phone",
                    models.CharField(blank=True, max_length=30, verbose_name="switchboard phone"),
                ),
                ("email", models.EmailField(blank=True, max_length=254, verbose_name="e-mail")),
                (
                    "bankgiro",
                    models.CharField(
                        blank=True,
                        max_length=9,
                        validators=[grants.identifiers.validate_bankgiro],
                        verbose_name="bankgiro",
                    ),
                ),
                (
                    "plusgiro",
                    models.CharField(
                        blank=True,
                        max_length=10,
                        validators=[grants.identifiers.validate_plusgiro],
                        verbose_name="plusgiro",
                    ),
                ),
                (
                    "signatory",
                    models.CharField(
                        blank=True, max_length=200, verbose_name="authorised signatory"
                    ),
                ),
                (
                    "founded_on",
                    models.DateField(
                        blank=True,
                        help_text="Associations must have been active for two years before applying.",
                        null=True,
                        verbose_name="active since",
                    ),
                ),
                ("is_demo", models.BooleanField(default=False, verbose_name="demonstration data")),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="created"),
                ),
                (
                    "represents_kommun",
                    models.OneToOneField(
                        blank=True,
                        help_text="For a municipality: the municipality itself.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="municipal_organisation",
                        to="regions.kommun",
                        verbose_name="municipality it is",
                    ),
                ),
                (
                    "represents_lan",
                    models.OneToOneField(
                        blank=True,
                        help_text="For a region: its county.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="regional_organisation",
                        to="regions.lan",
                        verbose_name="county it governs",
                    ),
                ),
                (
                    "seat",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="seated_organisations",
                        to="regions.kommun",
                        verbose_name="seat municipality",
                    ),
                ),
            ],
            options={
                "verbose_name": "organisation",
                "verbose_name_plural": "organisations",
                "ordering": ["name"],
            },
        ),
        migrations.CreateModel(
            name="Membership",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "role",
                    models.CharField(
                        choices=[("representative", "representative"), ("member", "member")],
                        default="member",
                        max_length=20,
                        verbose_name="role",
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="created"),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="memberships",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="user",
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="memberships",
                        to="grants.organisation",
                        verbose_name="organisation",
                    ),
                ),
            ],
            options={
                "verbose_name": "membership",
                "verbose_name_plural": "memberships",
            },
        ),
        migrations.CreateModel(
            name="Invitation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("email", models.EmailField(max_length=254, verbose_name="e-mail address")),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="created"),
                ),
                (
                    "accepted_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="accepted"),
                ),
                ("revoked_at", models.DateTimeField(blank=True, null=True, verbose_name="revoked")),
                (
                    "accepted_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="accepted by",
                    ),
                ),
                (
                    "invited_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="invited by",
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="invitations",
                        to="grants.organisation",
                        verbose_name="organisation",
                    ),
                ),
            ],
            options={
                "verbose_name": "invitation",
                "verbose_name_plural": "invitations",
                "ordering": ["organisation", "-created_at"],
            },
        ),
        migrations.AddField(
            model_name="application",
            name="organisation",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="applications",
                to="grants.organisation",
                verbose_name="organisation",
            ),
        ),
        migrations.CreateModel(
            name="Partner",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=200, verbose_name="name")),
                (
                    "org_number",
                    models.CharField(blank=True, max_length=11, verbose_name="organisation number"),
                ),
                ("role", models.TextField(blank=True, verbose_name="role in the project")),
                (
                    "application",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="partners",
                        to="grants.application",
                        verbose_name="application",
                    ),
                ),
            ],
            options={
                "verbose_name": "collaboration partner",
                "verbose_name_plural": "collaboration partners",
                "ordering": ["application", "id"],
            },
        ),
        migrations.CreateModel(
            name="Payment",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.PositiveSmallIntegerField(verbose_name="instalment")),
                ("due_date", models.DateField(verbose_name="due")),
                ("amount", models.PositiveBigIntegerField(verbose_name="amount (SEK)")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("planned", "planned"),
                            ("released", "released for payment"),
                            ("paid", "paid"),
                        ],
                        default="planned",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                (
                    "requires_progress_report",
                    models.BooleanField(
                        default=False, verbose_name="waits for an approved progress report"
                    ),
                ),
                (
                    "released_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="released"),
                ),
                ("paid_at", models.DateTimeField(blank=True, null=True, verbose_name="paid")),
                (
                    "grant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="payments",
                        to="grants.grant",
                        verbose_name="grant",
                    ),
                ),
            ],
            options={
                "verbose_name": "payment",
                "verbose_name_plural": "payments",
                "ordering": ["grant", "number"],
            },
        ),
        migrations.CreateModel(
            name="Report",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[("progress", "progress report"), ("final", "final report")],
                        max_length=10,
                        verbose_name="kind",
                    ),
                ),
                ("due_date", models.DateField(verbose_name="due")),
                ("answers", models.JSONField(blank=True, default=dict, verbose_name="answers")),
                (
                    "money_used",
                    models.PositiveBigIntegerField(
                        blank=True, null=True, verbose_name="money used (SEK)"
                    ),
                ),
                (
                    "submitted_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="submitted"),
                ),
                (
                    "review_status",
                    models.CharField(
                        choices=[
                            ("not_submitted", "not submitted"),
                            ("pending", "awaiting review"),
                            ("approved", "approved"),
                            ("returned", "returned for changes"),
                        ],
                        default="not_submitted",
                        max_length=15,
                        verbose_name="review",
                    ),
                ),
                (
                    "reviewed_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="reviewed"),
                ),
                ("review_notes", models.TextField(blank=True, verbose_name="review notes")),
                (
                    "grant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="reports",
                        to="grants.grant",
                        verbose_name="grant",
                    ),
                ),
                (
                    "reviewed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="reviewed by",
                    ),
                ),
                (
                    "submitted_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="submitted by",
                    ),
                ),
            ],
            options={
                "verbose_name": "report",
                "verbose_name_plural": "reports",
                "ordering": ["grant", "due_date"],
            },
        ),
        migrations.CreateModel(
            name="RecoveryClaim",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("amount", models.PositiveBigIntegerField(verbose_name="amount (SEK)")),
                ("reason", models.TextField(verbose_name="reason")),
                ("due_date", models.DateField(verbose_name="due")),
                (
                    "letter_pdf",
                    models.FileField(
                        blank=True,
                        storage=grants.storage.private_storage,
                        upload_to="claims/",
                        verbose_name="letter (PDF)",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                ("settled_at", models.DateTimeField(blank=True, null=True, verbose_name="settled")),
                (
                    "grant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="recovery_claims",
                        to="grants.grant",
                        verbose_name="grant",
                    ),
                ),
                (
                    "report",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="recovery_claims",
                        to="grants.report",
                        verbose_name="report",
                    ),
                ),
            ],
            options={
                "verbose_name": "recovery claim",
                "verbose_name_plural": "recovery claims",
                "ordering": ["grant", "created_at"],
            },
        ),
        migrations.CreateModel(
            name="Round",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("year", models.PositiveSmallIntegerField(verbose_name="year")),
                ("slug", models.SlugField(unique=True, verbose_name="slug")),
                ("title", models.CharField(max_length=200, verbose_name="title (Swedish)")),
                ("title_en", models.CharField(max_length=200, verbose_name="title (English)")),
                ("purpose", models.TextField(blank=True, verbose_name="purpose (Swedish)")),
                ("purpose_en", models.TextField(blank=True, verbose_name="purpose (English)")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("draft", "draft"),
                            ("open", "open"),
                            ("closed", "closed"),
                            ("decided", "decided"),
                            ("archived", "archived"),
                        ],
                        default="draft",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                ("opens_at", models.DateTimeField(verbose_name="opens")),
                ("closes_at", models.DateTimeField(verbose_name="closes")),
                ("grant_period_start", models.DateField(verbose_name="grant period starts")),
                ("grant_period_end", models.DateField(verbose_name="grant period ends")),
                ("last_use_date", models.DateField(verbose_name="funds used by")),
                (
                    "progress_report_due",
                    models.DateField(blank=True, null=True, verbose_name="progress report due"),
                ),
                ("final_report_due", models.DateField(verbose_name="final report due")),
                (
                    "case_number_prefix",
                    models.CharField(
                        default="DELMOS", max_length=20, verbose_name="case number prefix"
                    ),
                ),
                (
                    "last_case_sequence",
                    models.PositiveIntegerField(
                        default=0,
                        help_text="Case numbers are given in order at submission, without gaps.",
                        verbose_name="last case number given",
                    ),
                ),
                (
                    "instalments",
                    models.PositiveSmallIntegerField(default=2, verbose_name="payment instalments"),
                ),
                ("is_demo", models.BooleanField(default=False, verbose_name="demonstration data")),
            ],
            options={
                "verbose_name": "grant round",
                "verbose_name_plural": "grant rounds",
                "ordering": ["-year", "slug"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("closes_at__gt", models.F("opens_at"))),
                        name="round_closes_after_opening",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("grant_period_end__gte", models.F("grant_period_start"))
                        ),
                        name="round_grant_period_ordered",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("instalments__gte", 1)),
                        name="round_at_least_one_instalment",
                    ),
                ],
            },
        ),
        migrations.AddField(
            model_name="grant",
            name="round",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="grants.round",
            ),
        ),
        migrations.CreateModel(
            name="Event",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("action", models.CharField(max_length=60, verbose_name="action")),
                ("target", models.CharField(blank=True, max_length=200, verbose_name="object")),
                ("data", models.JSONField(blank=True, default=dict, verbose_name="details")),
                (
                    "visible_to_applicant",
                    models.BooleanField(default=False, verbose_name="shown to the applicant"),
                ),
                (
                    "created_at",
                    models.DateTimeField(
                        db_index=True, default=django.utils.timezone.now, verbose_name="time"
                    ),
                ),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="events",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="actor",
                    ),
                ),
                (
                    "application",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="events",
                        to="grants.application",
                        verbose_name="application",
                    ),
                ),
                (
                    "grant",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="events",
                        to="grants.grant",
                        verbose_name="grant",
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="events",
                        to="grants.organisation",
                        verbose_name="organisation",
                    ),
                ),
                (
                    "round",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="events",
                        to="grants.round",
                        verbose_name="round",
                    ),
                ),
            ],
            options={
                "verbose_name": "event",
                "verbose_name_plural": "events",
                "ordering": ["-created_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="DecisionMeeting",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("date", models.DateField(verbose_name="date")),
                ("title", models.CharField(blank=True, max_length=200, verbose_name="title")),
                (
                    "status",
                    models.CharField(
                        choices=[("open", "open"), ("closed", "closed")],
                        default="open",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                ("notes", models.TextField(blank=True, verbose_name="notes")),
                ("closed_at", models.DateTimeField(blank=True, null=True, verbose_name="closed")),
                ("is_demo", models.BooleanField(default=False, verbose_name="demonstration data")),
                (
                    "agenda",
                    models.ManyToManyField(
                        blank=True,
                        related_name="meeting_agendas",
                        to="grants.application",
                        verbose_name="applications on the agenda",
                    ),
                ),
                (
                    "closed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="closed by",
                    ),
                ),
                (
                    "round",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="meetings",
                        to="grants.round",
                        verbose_name="round",
                    ),
                ),
            ],
            options={
                "verbose_name": "decision meeting",
                "verbose_name_plural": "decision meetings",
                "ordering": ["round", "date", "id"],
            },
        ),
        migrations.AddField(
            model_name="application",
            name="round",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="applications",
                to="grants.round",
                verbose_name="round",
            ),
        ),
        migrations.CreateModel(
            name="SupplementRequest",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("message", models.TextField(verbose_name="what is requested")),
                ("due_date", models.DateField(verbose_name="due date")),
                (
                    "requested_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="requested"
                    ),
                ),
                ("answer", models.TextField(blank=True, verbose_name="answer")),
                (
                    "answered_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="answered"),
                ),
                (
                    "answered_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="answered by",
                    ),
                ),
                (
                    "application",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="supplement_requests",
                        to="grants.application",
                        verbose_name="application",
                    ),
                ),
                (
                    "requested_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="requested by",
                    ),
                ),
            ],
            options={
                "verbose_name": "supplement request",
                "verbose_name_plural": "supplement requests",
                "ordering": ["application", "requested_at"],
            },
        ),
        migrations.CreateModel(
            name="Attachment",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("statutes", "statutes"),
                            ("annual_report", "annual report"),
                            ("letter_of_intent", "partner's letter of intent"),
                            ("supplement", "supplement"),
                            ("report", "report appendix"),
                            ("other", "other"),
                        ],
                        default="other",
                        max_length=20,
                        verbose_name="kind",
                    ),
                ),
                (
                    "file",
                    models.FileField(
                        storage=grants.storage.private_storage,
                        upload_to="attachments/%Y/%m/",
                        verbose_name="file",
                    ),
                ),
                ("original_name", models.CharField(max_length=255, verbose_name="file name")),
                ("content_type", models.CharField(max_length=100, verbose_name="content type")),
                ("size", models.PositiveIntegerField(verbose_name="size (bytes)")),
                (
                    "uploaded_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="uploaded"
                    ),
                ),
                (
                    "application",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="attachments",
                        to="grants.application",
                        verbose_name="application",
                    ),
                ),
                (
                    "uploaded_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="uploaded by",
                    ),
                ),
                (
                    "supplement_request",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="attachments",
                        to="grants.supplementrequest",
                        verbose_name="supplement request",
                    ),
                ),
            ],
            options={
                "verbose_name": "attachment",
                "verbose_name_plural": "attachments",
                "ordering": ["application", "uploaded_at"],
            },
        ),
        migrations.CreateModel(
            name="Track",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("code", models.SlugField(verbose_name="code")),
                ("name", models.CharField(max_length=200, verbose_name="name (Swedish)")),
                ("name_en", models.CharField(max_length=200, verbose_name="name (English)")),
                (
                    "ordinance",
                    models.CharField(
                        help_text="e.g. SFS 2018:118", max_length=50, verbose_name="ordinance"
                    ),
                ),
                (
                    "eligible_types",
                    models.JSONField(
                        default=list,
                        help_text='A list of the organisation types that may apply, e.g. ["kommun", "region"].',
                        verbose_name="eligible organisation types",
                    ),
                ),
                (
                    "budget_cap",
                    models.PositiveBigIntegerField(
                        help_text="Later changes are recorded as budget changes.",
                        verbose_name="initial budget cap (SEK)",
                    ),
                ),
                (
                    "max_per_application",
                    models.PositiveBigIntegerField(
                        blank=True, null=True, verbose_name="maximum per application (SEK)"
                    ),
                ),
                (
                    "question_set",
                    models.CharField(
                        choices=[
                            ("municipal", "municipalities and regions"),
                            ("civil_society", "civil society"),
                        ],
                        max_length=20,
                        verbose_name="question set",
                    ),
                ),
                (
                    "multi_year",
                    models.BooleanField(default=False, verbose_name="multi-year grants"),
                ),
                (
                    "max_years",
                    models.PositiveSmallIntegerField(
                        default=1, verbose_name="maximum number of years"
                    ),
                ),
                ("position", models.PositiveSmallIntegerField(default=0, verbose_name="position")),
                ("is_demo", models.BooleanField(default=False, verbose_name="demonstration data")),
                (
                    "eligible_kommuner",
                    models.ManyToManyField(
                        blank=True,
                        help_text="Leave empty when every municipality may apply.",
                        related_name="eligible_for_tracks",
                        to="regions.kommun",
                        verbose_name="eligible municipalities",
                    ),
                ),
                (
                    "round",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="tracks",
                        to="grants.round",
                        verbose_name="round",
                    ),
                ),
            ],
            options={
                "verbose_name": "track",
                "verbose_name_plural": "tracks",
                "ordering": ["round", "position", "code"],
            },
        ),
        migrations.CreateModel(
            name="Publication",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("version", models.PositiveIntegerField(verbose_name="version")),
                ("as_of", models.DateField(verbose_name="decisions up to")),
                ("note", models.CharField(blank=True, max_length=200, verbose_name="note")),
                ("rows", models.JSONField(blank=True, default=list, verbose_name="rows")),
                ("row_count", models.PositiveIntegerField(default=0, verbose_name="rows")),
                (
                    "total_amount",
                    models.PositiveBigIntegerField(default=0, verbose_name="total (SEK)"),
                ),
                (
                    "content_hash",
                    models.CharField(blank=True, max_length=64, verbose_name="content hash"),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "queued"),
                            ("rendering", "rendering"),
                            ("done", "done"),
                            ("failed", "failed"),
                        ],
                        default="pending",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                (
                    "pdf",
                    models.FileField(blank=True, upload_to="lists/", verbose_name="PDF (Swedish)"),
                ),
                (
                    "pdf_en",
                    models.FileField(blank=True, upload_to="lists/", verbose_name="PDF (English)"),
                ),
                ("error", models.TextField(blank=True, verbose_name="error")),
                ("attempts", models.PositiveSmallIntegerField(default=0, verbose_name="attempts")),
                ("published_at", models.DateTimeField(verbose_name="published")),
                ("started_at", models.DateTimeField(blank=True, null=True, verbose_name="started")),
                (
                    "finished_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="finished"),
                ),
                ("is_demo", models.BooleanField(default=False, verbose_name="demonstration data")),
                (
                    "published_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="published by",
                    ),
                ),
                (
                    "round",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="publications",
                        to="grants.round",
                        verbose_name="round",
                    ),
                ),
                (
                    "track",
                    models.ForeignKey(
                        blank=True,
                        help_text="Empty for the combined list of all tracks.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="publications",
                        to="grants.track",
                        verbose_name="track",
                    ),
                ),
            ],
            options={
                "verbose_name": "publication",
                "verbose_name_plural": "publications",
                "ordering": ["round", "track", "-version"],
            },
        ),
        migrations.AddField(
            model_name="grant",
            name="track",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="grants.track",
            ),
        ),
        migrations.CreateModel(
            name="BudgetChange",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("effective_on", models.DateField(verbose_name="date")),
                ("new_cap", models.PositiveBigIntegerField(verbose_name="new cap (SEK)")),
                ("reason", models.TextField(verbose_name="reason")),
                (
                    "reference",
                    models.CharField(blank=True, max_length=200, verbose_name="reference"),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="recorded")),
                ("is_demo", models.BooleanField(default=False, verbose_name="demonstration data")),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="recorded by",
                    ),
                ),
                (
                    "track",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="budget_changes",
                        to="grants.track",
                        verbose_name="track",
                    ),
                ),
            ],
            options={
                "verbose_name": "budget change",
                "verbose_name_plural": "budget changes",
                "ordering": ["track", "effective_on", "id"],
            },
        ),
        migrations.AddField(
            model_name="application",
            name="track",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="applications",
                to="grants.track",
                verbose_name="track",
            ),
        ),
        migrations.CreateModel(
            name="Assessment",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "formal_requirements_met",
                    models.BooleanField(
                        blank=True, null=True, verbose_name="formal requirements met"
                    ),
                ),
                (
                    "formal_notes",
                    models.TextField(blank=True, verbose_name="formal requirements: reasons"),
                ),
                (
                    "score_relevance",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        choices=[(1, "1"), (2, "2"), (3, "3"), (4, "4"), (5, "5")],
                        null=True,
                        verbose_name="relevance",
                    ),
                ),
                (
                    "score_goal_fulfilment",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        choices=[(1, "1"), (2, "2"), (3, "3"), (4, "4"), (5, "5")],
                        null=True,
                        verbose_name="goal fulfilment",
                    ),
                ),
                (
                    "score_efficiency",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        choices=[(1, "1"), (2, "2"), (3, "3"), (4, "4"), (5, "5")],
                        null=True,
                        verbose_name="efficiency",
                    ),
                ),
                (
                    "score_long_term",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        choices=[(1, "1"), (2, "2"), (3, "3"), (4, "4"), (5, "5")],
                        null=True,
                        verbose_name="long-term effect",
                    ),
                ),
                (
                    "recommendation",
                    models.CharField(
                        blank=True,
                        choices=[("approve", "approve"), ("reject", "reject")],
                        max_length=10,
                        verbose_name="recommendation",
                    ),
                ),
                (
                    "proposed_amount",
                    models.PositiveBigIntegerField(
                        blank=True, null=True, verbose_name="proposed amount (SEK)"
                    ),
                ),
                ("notes", models.TextField(blank=True, verbose_name="notes")),
                ("version", models.PositiveIntegerField(default=1, verbose_name="version")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated")),
                (
                    "application",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="assessment",
                        to="grants.application",
                        verbose_name="application",
                    ),
                ),
                (
                    "officer",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="assessments",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="case officer",
                    ),
                ),
            ],
            options={
                "verbose_name": "assessment",
                "verbose_name_plural": "assessments",
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("score_relevance__isnull", True),
                            ("score_relevance__range", (1, 5)),
                            _connector="OR",
                        ),
                        name="assessment_relevance_1_5",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("score_goal_fulfilment__isnull", True),
                            ("score_goal_fulfilment__range", (1, 5)),
                            _connector="OR",
                        ),
                        name="assessment_goal_fulfilment_1_5",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("score_efficiency__isnull", True),
                            ("score_efficiency__range", (1, 5)),
                            _connector="OR",
                        ),
                        name="assessment_efficiency_1_5",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("score_long_term__isnull", True),
                            ("score_long_term__range", (1, 5)),
                            _connector="OR",
                        ),
                        name="assessment_long_term_1_5",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="ConflictOfInterest",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("reason", models.TextField(blank=True, verbose_name="reason")),
                (
                    "declared_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="declared"
                    ),
                ),
                (
                    "application",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="conflicts",
                        to="grants.application",
                        verbose_name="application",
                    ),
                ),
                (
                    "officer",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="conflicts",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="case officer",
                    ),
                ),
            ],
            options={
                "verbose_name": "conflict of interest",
                "verbose_name_plural": "conflicts of interest",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("application", "officer"), name="conflict_unique"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="Decision",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "outcome",
                    models.CharField(
                        choices=[("approved", "approved"), ("rejected", "rejected")],
                        max_length=10,
                        verbose_name="outcome",
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("original", "original"),
                            ("supplementary", "supplementary grant"),
                            ("correction", "correction"),
                        ],
                        default="original",
                        max_length=15,
                        verbose_name="kind",
                    ),
                ),
                ("amount", models.PositiveBigIntegerField(default=0, verbose_name="amount (SEK)")),
                (
                    "amount_per_year",
                    models.JSONField(blank=True, default=dict, verbose_name="amount per year"),
                ),
                ("reasons", models.TextField(blank=True, verbose_name="reasons")),
                (
                    "letter_pdf",
                    models.FileField(
                        blank=True,
                        storage=grants.storage.private_storage,
                        upload_to="letters/",
                        verbose_name="decision letter (PDF)",
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="recorded"
                    ),
                ),
                ("is_demo", models.BooleanField(default=False, verbose_name="demonstration data")),
                (
                    "application",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="decisions",
                        to="grants.application",
                        verbose_name="application",
                    ),
                ),
                (
                    "corrects",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="corrections",
                        to="grants.decision",
                        verbose_name="corrects decision",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="recorded by",
                    ),
                ),
                (
                    "meeting",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="decisions",
                        to="grants.decisionmeeting",
                        verbose_name="decision meeting",
                    ),
                ),
            ],
            options={
                "verbose_name": "decision",
                "verbose_name_plural": "decisions",
                "ordering": ["meeting__date", "id"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("outcome", "rejected"), _negated=True),
                            ("amount", 0),
                            _connector="OR",
                        ),
                        name="decision_rejection_has_no_amount",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("kind", "original")),
                        fields=("application", "meeting"),
                        name="decision_one_original_per_meeting",
                    ),
                ],
            },
        ),
        migrations.AddIndex(
            model_name="organisation",
            index=models.Index(fields=["org_type"], name="organisation_type_idx"),
        ),
        migrations.AddIndex(
            model_name="organisation",
            index=models.Index(
                condition=models.Q(("is_demo", True)),
                fields=["is_demo"],
                name="organisation_demo_idx",
            ),
        ),
        migrations.AddConstraint(
            model_name="organisation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("org_type", "kommun"), _negated=True),
                    ("represents_kommun__isnull", False),
                    _connector="OR",
                ),
                name="organisation_kommun_linked",
            ),
        ),
        migrations.AddConstraint(
            model_name="organisation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("org_type", "region"), _negated=True),
                    ("represents_lan__isnull", False),
                    _connector="OR",
                ),
                name="organisation_region_linked",
            ),
        ),
        migrations.AddConstraint(
            model_name="membership",
            constraint=models.UniqueConstraint(
                fields=("user", "organisation"), name="membership_unique"
            ),
        ),
        migrations.AddConstraint(
            model_name="payment",
            constraint=models.UniqueConstraint(
                fields=("grant", "number"), name="payment_number_unique"
            ),
        ),
        migrations.AddConstraint(
            model_name="payment",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "paid"), _negated=True),
                    ("paid_at__isnull", False),
                    _connector="OR",
                ),
                name="payment_paid_has_date",
            ),
        ),
        migrations.AddConstraint(
            model_name="report",
            constraint=models.UniqueConstraint(
                fields=("grant", "kind"), name="report_kind_unique_per_grant"
            ),
        ),
        migrations.AddConstraint(
            model_name="recoveryclaim",
            constraint=models.CheckConstraint(
                condition=models.Q(("amount__gt", 0)), name="claim_amount_positive"
            ),
        ),
        migrations.AddConstraint(
            model_name="track",
            constraint=models.UniqueConstraint(
                fields=("round", "code"), name="track_code_unique_in_round"
            ),
        ),
        migrations.AddConstraint(
            model_name="track",
            constraint=models.CheckConstraint(
                condition=models.Q(("max_years__gte", 1)), name="track_at_least_one_year"
            ),
        ),
        migrations.AddIndex(
            model_name="publication",
            index=models.Index(fields=["status"], name="publication_status_idx"),
        ),
        migrations.AddConstraint(
            model_name="publication",
            constraint=models.UniqueConstraint(
                fields=("round", "track", "version"), name="publication_version_unique"
            ),
        ),
        migrations.AddConstraint(
            model_name="publication",
            constraint=models.UniqueConstraint(
                condition=models.Q(("track__isnull", True)),
                fields=("round", "version"),
                name="publication_combined_version_unique",
            ),
        ),
        migrations.AddIndex(
            model_name="grant",
            index=models.Index(fields=["amount_total"], name="grant_amount_idx"),
        ),
        migrations.AddIndex(
            model_name="grant",
            index=models.Index(fields=["awarded_on"], name="grant_awarded_idx"),
        ),
        migrations.AddIndex(
            model_name="grant",
            index=models.Index(fields=["org_name", "id"], name="grant_org_name_idx"),
        ),
        migrations.AddIndex(
            model_name="application",
            index=models.Index(fields=["round", "status"], name="application_round_status"),
        ),
        migrations.AddConstraint(
            model_name="application",
            constraint=models.UniqueConstraint(
                fields=("round", "case_sequence"), name="application_case_sequence_unique"
            ),
        ),
        migrations.AddConstraint(
            model_name="application",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("case_number__isnull", True), ("case_sequence__isnull", True)),
                    models.Q(("case_number__isnull", False), ("case_sequence__isnull", False)),
                    _connector="OR",
                ),
                name="application_case_number_with_sequence",
            ),
        ),
        migrations.AddConstraint(
            model_name="application",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("end_date__isnull", True),
                    ("start_date__isnull", True),
                    ("end_date__gte", models.F("start_date")),
                    _connector="OR",
                ),
                name="application_dates_ordered",
            ),
        ),
    ]
