"""Render the decision letters of a round's closed meetings that have none yet, e.g. the 2020
demonstration decisions (not part of `load_demo`, which would make `make run` slow):

    manage.py render_letters --year 2020 [--english] [--limit N]

No e-mail is sent: the letters are filed on the decisions as the Celery task files them."""

from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError

from grants.models import Decision, DecisionMeeting, Round
from grants.tasks.officer import letter_render, render_letter


class Command(BaseCommand):
    help = "Render the missing decision letters of a round (Swedish, optionally English too)."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--english", action="store_true", help="also make the English copy")
        parser.add_argument("--limit", type=int, help="at most this many letters")

    def handle(self, *args, year, english, limit, **options):
        round_ = Round.objects.filter(year=year).first()
        if round_ is None:
            raise CommandError(f"No round for {year}.")
        pending = Decision.objects.filter(
            application__round=round_,
            meeting__status=DecisionMeeting.Status.CLOSED,
            letter_pdf="",
        ).order_by("pk")
        ids = list(
            pending.values_list("pk", flat=True)[:limit]
            if limit
            else pending.values_list("pk", flat=True)
        )
        for done, pk in enumerate(ids, start=1):
            letter_render(kind="decision", object_id=pk, notify=False)
            if english:
                decision = Decision.objects.select_related(
                    "application__organisation",
                    "application__round",
                    "application__track",
                    "application__assigned_officer",
                    "meeting__closed_by",
                ).get(pk=pk)
                if not decision.letter_pdf_en:
                    decision.letter_pdf_en.save(
                        f"decision-{pk}.en.pdf",
                        ContentFile(render_letter("decision", decision, "en")),
                        save=False,
                    )
                    decision.save(update_fields=["letter_pdf_en"])
            self.stdout.write(f"{done}/{len(ids)} decision {pk}")
        self.stdout.write(self.style.SUCCESS(f"{len(ids)} letters rendered for {year}."))
