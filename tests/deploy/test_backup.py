"""Backups that restore (issue 12): a loaded database and its files are backed up, restored into
a new database with new media directories, and the app started on the copy finds the same row
counts, files and PDF hashes. PostgreSQL only (pg_dump); .ci/run runs the suite on PostgreSQL."""

import hashlib
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from grants.backups import BackupError, row_counts, verify_archives
from grants.demo import load_demo
from grants.models import Publication

ROOT = Path(__file__).resolve().parents[2]

VERIFY = """
import hashlib, json, sys
import django
django.setup()
from django.test import Client
from grants.backups import row_counts
from grants.models import Publication
client = Client()
pdfs = {}
for p in Publication.objects.filter(status="done").select_related("round", "track"):
    scope = p.track.code if p.track_id else "alla"
    response = client.get(f"/utlysningar/{p.round.year}/listor/{scope}/v{p.version}/sv.pdf")
    assert response.status_code == 200, (p.pk, response.status_code)
    pdfs[p.pk] = hashlib.sha256(b"".join(response.streaming_content)).hexdigest()
package = json.loads(client.get("/oppna-data/360giving.json").content)
print(json.dumps({"counts": row_counts(), "pdfs": pdfs, "grants": len(package["grants"])}))
"""


def _server_dsn(name: str) -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_a_new_database_and_media_root(tmp_path, settings):
    if connection.vendor != "postgresql":
        pytest.skip("backups need PostgreSQL (pg_dump); .ci/run runs this on PostgreSQL")
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    load_demo()  # tasks run eagerly: the published lists' PDFs are rendered
    done = list(Publication.objects.filter(status="done"))
    assert done, "the demo publishes lists"
    originals = {p.pk: hashlib.sha256(Path(p.pdf.path).read_bytes()).hexdigest() for p in done}
    counts = row_counts()
    assert counts["grants.Grant"] == 70

    call_command("backup", str(tmp_path / "backup"))
    manifest = verify_archives(tmp_path / "backup")
    assert set(manifest["archives"]) == {"database.dump", "media.tar", "private-media.tar"}
    assert manifest["database"]["counts"] == counts
    assert any(name.endswith(".pdf") for name in manifest["files"]["media"])

    # Refused: a database that is not empty (this one).
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(tmp_path / "backup"))

    restored = f"{connection.settings_dict['NAME']}_restored_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(_server_dsn("postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{restored}"')
    try:
        env = {
            **os.environ,
            "DATABASE_URL": _server_dsn(restored),
            "MEDIA_ROOT": str(tmp_path / "new-media"),
            "PRIVATE_MEDIA_ROOT": str(tmp_path / "new-private"),
            "CELERY_BROKER_URL": "",
            "CACHE_URL": "",
            "DJANGO_SETTINGS_MODULE": "delmos.settings",
        }
        result = subprocess.run(
            [sys.executable, "manage.py", "restore", str(tmp_path / "backup")],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert result.returncode == 0, result.stdout + result.stderr
        assert "match the manifest" in result.stdout
        # The app, started on the copy, finds the same rows, files and PDFs.
        result = subprocess.run(
            [sys.executable, "-c", VERIFY], cwd=ROOT, env=env, capture_output=True, text=True,
            timeout=300,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        found = json.loads(result.stdout.strip().splitlines()[-1])
        assert found["counts"] == counts
        assert {int(k): v for k, v in found["pdfs"].items()} == originals
        assert found["grants"] == 70
        for name, root in (("media", "new-media"), ("private-media", "new-private")):
            for relative, expected in manifest["files"][name].items():
                data = (tmp_path / root / relative).read_bytes()
                assert hashlib.sha256(data).hexdigest() == expected["sha256"]
    finally:
        with psycopg.connect(_server_dsn("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{restored}" WITH (FORCE)')


def test_a_damaged_archive_is_refused(tmp_path):
    (tmp_path / "media.tar").write_bytes(b"changed")
    (tmp_path / "manifest.json").write_text(
        json.dumps({"format": 1, "archives": {"media.tar": {"size": 3, "sha256": "0" * 64}}})
    )
    with pytest.raises(BackupError, match="checksum"):
        verify_archives(tmp_path)
