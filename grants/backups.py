"""Backups that restore (issue 12): the database as a pg_dump custom-format archive, the public
and the private media directories as tar archives, and a manifest with every archive's and every
file's SHA-256 and the row counts, so a restore can prove it brought everything back.

    python manage.py backup [DIRECTORY]      (make backup)
    python manage.py restore DIRECTORY       (make restore BACKUP=DIRECTORY)
"""

import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import tarfile
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection

MANIFEST = "manifest.json"
DATABASE_ARCHIVE = "database.dump"
MEDIA = {"media": "MEDIA_ROOT", "private-media": "PRIVATE_MEDIA_ROOT"}
FORMAT = 1


class BackupError(Exception):
    pass


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _pg_env() -> tuple[list[str], dict[str, str]]:
    """Connection arguments and environment for pg_dump/pg_restore from DATABASES."""
    if connection.vendor != "postgresql":
        raise BackupError("Backups need PostgreSQL (DATABASE_URL=postgres://…).")
    db = settings.DATABASES["default"]
    args = []
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[-2000:]}")


def row_counts() -> dict[str, int]:
    """Rows per table of this project's apps (and accounts), to compare after a restore."""
    counts = {}
    for model in apps.get_models():
        if model._meta.app_label in {"grants", "regions", "auth", "axes"} and not (
            model._meta.proxy or not model._meta.managed
        ):
            counts[model._meta.label] = model._default_manager.all().order_by().count()
    return dict(sorted(counts.items()))


def file_listing(root: Path) -> dict[str, dict]:
    if not root.is_dir():
        return {}
    return {
        path.relative_to(root).as_posix(): {
            "size": path.stat().st_size,
            "sha256": sha256_file(path),
        }
        for path in sorted(root.rglob("*"))
        if path.is_file() and not path.relative_to(root).as_posix().startswith(".health/")
    }


def backup(target: Path) -> dict:
    """Write a backup into the new directory `target`; return the manifest."""
    args, env = _pg_env()
    if target.exists():
        raise BackupError(f"{target} exists: a backup goes into a new directory.")
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    os.chmod(partial, 0o700)  # personal data: readable by the operator only
    db_name = settings.DATABASES["default"]["NAME"]
    _run(
        [
            shutil.which("pg_dump") or "pg_dump",
            *args,
            "--format=custom",
            "--no-owner",
            "--no-acl",
            "--file",
            str(partial / DATABASE_ARCHIVE),
            db_name,
        ],
        env,
    )
    files = {}
    for name, setting in MEDIA.items():
        root = Path(getattr(settings, setting))
        archive = partial / f"{name}.tar"
        with tarfile.open(archive, "w") as tar:
            if root.is_dir():
                for path in sorted(root.rglob("*")):
                    relative = path.relative_to(root).as_posix()
                    if path.is_file() and not relative.startswith(".health/"):
                        tar.add(path, arcname=relative, recursive=False)
        files[name] = file_listing(root)
    manifest = {
        "format": FORMAT,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "database": {"name": db_name, "counts": row_counts()},
        "archives": {
            p.name: {"size": p.stat().st_size, "sha256": sha256_file(p)}
            for p in sorted(partial.iterdir())
        },
        "files": files,
    }
    (partial / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
    partial.rename(target)
    return manifest


def verify_archives(source: Path) -> dict:
    """The manifest, after checking every archive's size and checksum."""
    manifest_path = source / MANIFEST
    if not manifest_path.is_file():
        raise BackupError(f"No {MANIFEST} in {source}.")
    manifest = json.loads(manifest_path.read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r}.")
    for name, expected in manifest["archives"].items():
        path = source / name
        if not path.is_file() or sha256_file(path) != expected["sha256"]:
            raise BackupError(f"{name} is missing or does not match its checksum.")
    return manifest


def _extract(archive: Path, root: Path) -> None:
    """Regular files only, never outside `root` (no links, devices or absolute names)."""
    root.mkdir(parents=True, exist_ok=True)
    base = root.resolve()
    with tarfile.open(archive, "r") as tar:
        for member in tar.getmembers():
            target = (root / member.name).resolve()
            if not member.isfile() or base not in target.parents:
                raise BackupError(f"{archive.name}: refusing {member.name!r}")
            target.parent.mkdir(parents=True, exist_ok=True)
            with tar.extractfile(member) as src, open(target, "wb") as dst:
                shutil.copyfileobj(src, dst)
            os.chmod(target, 0o644)


def _database_is_empty() -> bool:
    return not connection.introspection.table_names()


def restore(source: Path, *, force: bool = False) -> dict:
    """Restore the backup in `source` into the configured (empty) database and media
    directories, then check the row counts and every file's checksum. Returns a summary."""
    args, env = _pg_env()
    manifest = verify_archives(source)
    roots = {name: Path(getattr(settings, setting)) for name, setting in MEDIA.items()}
    if not force:
        if not _database_is_empty():
            raise BackupError("The database is not empty (restore into a new one, or --force).")
        for name, root in roots.items():
            if root.is_dir() and any(root.iterdir()):
                raise BackupError(f"{root} ({name}) is not empty (a new directory, or --force).")
    connection.close()
    _run(
        [
            shutil.which("pg_restore") or "pg_restore",
            *args,
            "--no-owner",
            "--no-acl",
            "--exit-on-error",
            *(["--clean", "--if-exists"] if force else []),
            "--dbname",
            settings.DATABASES["default"]["NAME"],
            str(source / DATABASE_ARCHIVE),
        ],
        env,
    )
    for name, root in roots.items():
        _extract(source / f"{name}.tar", root)
    problems = []
    counts = row_counts()
    for label, expected in manifest["database"]["counts"].items():
        if counts.get(label) != expected:
            problems.append(f"{label}: {counts.get(label)} rows, the backup had {expected}")
    for name, root in roots.items():
        restored = file_listing(root)
        for relative, expected in manifest["files"][name].items():
            if restored.get(relative, {}).get("sha256") != expected["sha256"]:
                problems.append(f"{name}/{relative} is missing or differs")
    if problems:
        raise BackupError("The restore does not match the backup: " + "; ".join(problems[:20]))
    # Pages cached under the restored data version may come from data changed since the backup:
    # a new version gives the restored data new cache keys.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE grants_publicdataversion SET version = floor(random() * 9007199254740991)"
        )
    return {
        "tables": len(counts),
        "rows": sum(counts.values()),
        "files": {name: len(manifest["files"][name]) for name in roots},
    }
