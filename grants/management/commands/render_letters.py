"""Render the decision letters of a round's closed meetings that have none yet, e.g. the 2020
demonstration decisions (not part of `load_demo`, which would make `make run` slow):

    manage.py render_letters --year 2020 [--english] [--limit N] [--queue]

The letters are one batch (a LetterBatch row), followed with its progress on the officers'
page *E-mails and documents* (/handlaggning/utskick/). With --queue each letter is an outbox job
for the Celery workers and the command returns at once; without, it renders them here, one after
the other, through the same letter task. No e-mail is sent."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from grants.models import Decision, DecisionMeeting, Round
from grants.services.letters import (
    letter_batch_count,
    letter_batch_create,
    letter_batch_enqueue,
)
from grants.tasks.officer import letter_render


class Command(BaseCommand):
    help = "Render the missing decision letters of a round (Swedish, optionally English too)."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--english", action="store_true", help="also make the English copy")
        parser.add_argument("--limit", type=int, help="at most this many letters")
        parser.add_argument(
            "--queue",
            action="store_true",
            help="queue the letters for the Celery workers instead of rendering them here",
        )

    def handle(self, *args, year, english, limit, queue, **options):
        round_ = Round.objects.filter(year=year).first()
        if round_ is None:
            raise CommandError(f"No round for {year}.")
        pending = (
            Decision.objects.filter(
                application__round=round_,
                meeting__status=DecisionMeeting.Status.CLOSED,
                letter_pdf="",
            )
            .select_related("application__round")
            .order_by("pk")
        )
        decisions = list(pending[:limit] if limit else pending)
        if queue:
            with transaction.atomic():
                batch = letter_batch_enqueue(
                    decisions, round_=round_, english=english, notify=False
                )
            self.stdout.write(
                self.style.SUCCESS(
                    f"{len(decisions)} letters queued for {year} (batch {batch.pk}); "
                    "follow them under E-mails and documents."
                )
            )
            return
        # Here, letter by letter: the batch's progress shows as the letters are made.
        batch = letter_batch_create(decisions, round_=round_, english=english)
        for decision in decisions:
            letter_render(kind="decision", object_id=decision.pk, notify=False, english=english)
            done = letter_batch_count(batch.pk)
            self.stdout.write(f"{done}/{batch.total} decision {decision.pk}")
        self.stdout.write(self.style.SUCCESS(f"{len(decisions)} letters rendered for {year}."))
