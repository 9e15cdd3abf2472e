import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from grants.backups import BackupError, backup


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump, custom format), MEDIA_ROOT and PRIVATE_MEDIA_ROOT into a "
        "new directory with a manifest of checksums and row counts."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "directory", nargs="?", help="a new directory; default backups/<UTC date and time>"
        )

    def handle(self, *args, directory, **options):
        target = Path(directory or f"backups/{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%SZ}")
        try:
            manifest = backup(target)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(manifest["database"]["counts"].values())
        files = {name: len(listing) for name, listing in manifest["files"].items()}
        self.stdout.write(f"Backup written to {target}: {rows} rows, files {files}")
        for name, archive in manifest["archives"].items():
            self.stdout.write(f"  {name}: {archive['size']} bytes, sha256 {archive['sha256']}")
