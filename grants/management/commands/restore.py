from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from grants.backups import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into the configured database (empty) and "
        "media directories (empty), then check every row count and file checksum."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory")
        parser.add_argument(
            "--force",
            action="store_true",
            help="restore over a database and directories that are not empty",
        )

    def handle(self, *args, directory, force, **options):
        try:
            summary = restore(Path(directory), force=force)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Restored {directory}: {summary['rows']} rows in {summary['tables']} tables and "
            f"files {summary['files']} match the manifest."
        )
