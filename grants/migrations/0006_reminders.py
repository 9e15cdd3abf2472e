"""Reminders go through the outbox (issue 10): each Reminder row has its outbox job and records
the Message-ID it was sent with. Reminders written before and not yet sent get their job here, so
the outbox's sweeper sends them (their old Celery messages name a task that no longer exists)."""

import django.db.models.deletion
from django.db import migrations, models
from django.utils import timezone


def jobs_for_unsent_reminders(apps, schema_editor):
    Reminder = apps.get_model("grants", "Reminder")
    OutboxJob = apps.get_model("grants", "OutboxJob")
    now = timezone.now()
    unsent = Reminder.objects.filter(sent_at__isnull=True, job__isnull=True).select_related(
        "application"
    )
    for reminder in unsent.order_by("pk").iterator():
        application = reminder.application
        reminder.job = OutboxJob.objects.create(
            kind="reminder",
            payload={"reminder": reminder.pk},
            application=application,
            round_id=application.round_id if application else None,
            description=f"{reminder.kind} {reminder.occasion} → {reminder.email}"[:200],
            due_at=now,
            enqueued_at=None,  # no message yet: the sweeper's next run sends it
        )
        reminder.save(update_fields=["job"])


class Migration(migrations.Migration):
    dependencies = [
        ("grants", "0005_ledger"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="reminder",
            name="reminder_unsent_idx",
        ),
        migrations.AddField(
            model_name="reminder",
            name="job",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="reminder",
                to="grants.outboxjob",
                verbose_name="outbox job",
            ),
        ),
        migrations.AddField(
            model_name="reminder",
            name="message_id",
            field=models.CharField(blank=True, max_length=200, verbose_name="Message-ID"),
        ),
        migrations.RunPython(jobs_for_unsent_reminders, migrations.RunPython.noop),
    ]
