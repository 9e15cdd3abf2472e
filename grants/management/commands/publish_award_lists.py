import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from grants.models import Round
from grants.services import ServiceError
from grants.services.publications import publication_publish


class Command(BaseCommand):
    help = (
        "Publish a new version of a round's award lists (one per track and the combined list, "
        "or one track's list), with the decisions made up to a date. The PDFs are rendered by "
        "the Celery worker."
    )

    def add_arguments(self, parser):
        parser.add_argument("year", type=int, help="the round's year")
        parser.add_argument("--track", help="a track's code: publish only that track's list")
        parser.add_argument(
            "--as-of",
            type=dt.date.fromisoformat,
            help="take the decisions made up to this date (YYYY-MM-DD); default today",
        )
        parser.add_argument("--note", required=True, help='e.g. "uppdaterad 25 juni"')
        parser.add_argument("--note-en", default="", help='the note in English: "updated 25 June"')

    def handle(self, *args, year, track, as_of, note, note_en, **options):
        rounds = list(Round.objects.filter(year=year))
        if len(rounds) != 1:
            raise CommandError(f"Expected one round for {year}, found {len(rounds)}.")
        round_ = rounds[0]
        scope = None
        if track:
            scope = round_.tracks.filter(code=track).first()
            if scope is None:
                codes = ", ".join(round_.tracks.values_list("code", flat=True))
                raise CommandError(f"No track {track!r} in {year}; the tracks are: {codes}.")
        try:
            publications = publication_publish(
                round_=round_, track=scope, as_of=as_of, note=note, note_en=note_en
            )
        except ServiceError as exc:
            raise CommandError(str(exc)) from exc
        for publication in publications:
            self.stdout.write(
                f"{publication}: {publication.row_count} recipients, "
                f"{publication.total_amount} SEK, queued for rendering"
            )
