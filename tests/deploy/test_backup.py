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
from django.conf import settings

from grants.backups import BackupError, verify_archives

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
response = client.get("/oppna-data/360giving.json")
body = b"".join(response.streaming_content) if response.streaming else response.content
package = json.loads(body)
print(json.dumps({"counts": row_counts(), "pdfs": pdfs, "grants": len(package["grants"])}))
"""


def _server_dsn(name: str) -> str:
    s = settings.DATABASES["default"]
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{name}"


def _manage(env: dict, *args: str, script: str | None = None) -> str:
    command = [sys.executable, "-c", script] if script else [sys.executable, "manage.py", *args]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)  # noqa: S603
    assert result.returncode == 0, f"{args or 'verify'}: {result.stdout}{result.stderr}"
    return result.stdout


@pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="backups need PostgreSQL (pg_dump); .ci/run runs the suite on PostgreSQL",
)
def test_a_backup_restores_into_a_new_database_and_media_root(tmp_path):
    # Two databases of their own beside the test database, filled and read by the real commands
    # in their own processes (pg_dump sees only committed data).
    suffix = uuid.uuid4().hex[:8]
    source, copy = f"delmos_backup_{suffix}", f"delmos_restored_{suffix}"
    base = {
        **os.environ,
        "CELERY_BROKER_URL": "",  # tasks run eagerly: the demo's PDFs are rendered
        "CACHE_URL": "",
        "DJANGO_SETTINGS_MODULE": "delmos.settings",
    }
    source_env = {
        **base,
        "DATABASE_URL": _server_dsn(source),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "PRIVATE_MEDIA_ROOT": str(tmp_path / "private"),
    }
    copy_env = {
        **base,
        "DATABASE_URL": _server_dsn(copy),
        "MEDIA_ROOT": str(tmp_path / "new-media"),
        "PRIVATE_MEDIA_ROOT": str(tmp_path / "new-private"),
    }
    with psycopg.connect(_server_dsn("postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{source}"')
        admin.execute(f'CREATE DATABASE "{copy}"')
    try:
        _manage(source_env, "migrate", "--noinput")
        _manage(source_env, "load_demo")
        before = json.loads(_manage(source_env, script=VERIFY).strip().splitlines()[-1])
        # The 2020 round's 70 grants and the open demonstration round's multi-year grant.
        assert before["grants"] == 71 and before["pdfs"], before

        _manage(source_env, "backup", str(tmp_path / "backup"))
        manifest = verify_archives(tmp_path / "backup")
        assert set(manifest["archives"]) == {"database.dump", "media.tar", "private-media.tar"}
        assert manifest["database"]["counts"] == before["counts"]
        assert any(name.endswith(".pdf") for name in manifest["files"]["media"])

        # Refused: a database that is not empty.
        refused = subprocess.run(
            [sys.executable, "manage.py", "restore", str(tmp_path / "backup")],
            cwd=ROOT, env=source_env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert refused.returncode != 0 and "not empty" in refused.stderr

        out = _manage(copy_env, "restore", str(tmp_path / "backup"))
        assert "match the manifest" in out
        # The app, started on the copy, finds the same rows, files and PDFs.
        after = json.loads(_manage(copy_env, script=VERIFY).strip().splitlines()[-1])
        assert after == before
        for name, root in (("media", "new-media"), ("private-media", "new-private")):
            for relative, expected in manifest["files"][name].items():
                data = (tmp_path / root / relative).read_bytes()
                assert hashlib.sha256(data).hexdigest() == expected["sha256"]
    finally:
        with psycopg.connect(_server_dsn("postgres"), autocommit=True) as admin:
            for name in (source, copy):
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_damaged_archive_is_refused(tmp_path):
    (tmp_path / "media.tar").write_bytes(b"changed")
    (tmp_path / "manifest.json").write_text(
        json.dumps({"format": 1, "archives": {"media.tar": {"size": 3, "sha256": "0" * 64}}})
    )
    with pytest.raises(BackupError, match="checksum"):
        verify_archives(tmp_path)
