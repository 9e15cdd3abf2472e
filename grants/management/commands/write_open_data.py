from django.core.management.base import BaseCommand

from grants.tasks.opendata import refresh_counts, write_lock, write_release


class Command(BaseCommand):
    help = (
        "Write the open data files (360Giving package and CSV) for the current public data "
        "version, as the Celery beat job does, after the award list's precomputed counts;"
        " nothing when they are current already."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--counts-only",
            action="store_true",
            help="Rebuild the award list's precomputed counts only (when the grants changed).",
        )

    def handle(self, *args, **options):
        self.stdout.write(f"Award list counts: {refresh_counts()}.")
        if options["counts_only"]:
            return
        with write_lock() as taken:
            if not taken:
                self.stdout.write("Another process is writing the open data files right now.")
                return
            release = write_release()
        if release is None:
            self.stdout.write("The open data files are current; nothing written.")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote the open data files for data version {release.data_version}: "
                f"{release.grant_count} grants, package {release.package_size} bytes, "
                f"CSV {release.csv_size} bytes."
            )
        )
