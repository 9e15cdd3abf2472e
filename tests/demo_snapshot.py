"""The demonstration data built once per test session and copied into each test that asks for it.

Building the demo runs every service (272 applications, two meetings, grants, events) and renders
the 2020 PDF lists (what it hands to on_commit runs inside the build, as after a real commit):
about five seconds. The `demo` fixture instead builds it once, at the start
of the session inside a transaction that is rolled back, keeps the rows it added (every model,
by primary key) and the files it wrote, and restores them in each test with one `bulk_create`
per model: the same rows, the same primary keys, the same files.

Primary keys stay clear of rows that tests make themselves: on PostgreSQL the sequences are not
rolled back with the transaction, and on SQLite the build's high-water marks are written back to
`sqlite_sequence` once, outside any test transaction.
"""

import copy
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.core.cache import caches
from django.db import connection, transaction
from django.test import TestCase
from django.test.utils import override_settings

# The hasher the tests use (tests/conftest.py): the demo's users must log in under it.
TEST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class DemoSnapshot:
    rows: dict = field(default_factory=dict)  # model -> list of {attname: value}
    media_root: Path | None = None
    private_media_root: Path | None = None


def _models():
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    ]


def _attnames(model):
    return [f.attname for f in model._meta.concrete_fields]


def _primary_keys(model) -> set:
    return set(model._base_manager.values_list("pk", flat=True))


def build(folder: Path) -> DemoSnapshot:
    """Load the demo in a transaction that is rolled back; return what it added."""
    from grants.demo import load_demo
    from grants.tasks.opendata import write_release

    snapshot = DemoSnapshot(
        media_root=folder / "media", private_media_root=folder / "private-media"
    )
    models = _models()
    with (
        override_settings(
            MEDIA_ROOT=snapshot.media_root,
            PRIVATE_MEDIA_ROOT=snapshot.private_media_root,
            PASSWORD_HASHERS=TEST_PASSWORD_HASHERS,
        ),
        transaction.atomic(),
    ):
        _reference_data_present()
        before = {model: _primary_keys(model) for model in models}
        # What load_demo hands to on_commit (the 2020 lists' PDFs) runs here, as it does after
        # `make run`'s commit, so the snapshot holds the rendered lists.
        with TestCase.captureOnCommitCallbacks(execute=True):
            load_demo()
        # The open data files, as `manage.py load_demo` writes them (and beat after a change).
        write_release()
        for model in models:
            known = before[model]
            added = [
                row
                for row in model._base_manager.order_by("pk").values(*_attnames(model))
                if row[model._meta.pk.attname] not in known
            ]
            if added:
                snapshot.rows[model] = added
        transaction.set_rollback(True)
    if connection.vendor == "sqlite":
        _keep_sqlite_sequences_above(snapshot)
    for cache in caches.all():
        cache.clear()
    return snapshot


def _reference_data_present() -> None:
    """A transactional test (browser, worker) flushes every table when it ends; what the
    migrations loaded (counties, municipalities, staff groups) comes back only at the start of
    the next test that asks for a serialized rollback. Put it back here, inside the build's
    rolled-back transaction, so the demo is built on the same ground in any test order."""
    from regions.models import Kommun  # models load after the test settings are in place

    contents = getattr(connection, "_test_serialized_contents", None)
    if contents and not Kommun.objects.exists():
        connection.creation.deserialize_db_from_string(contents)


def _keep_sqlite_sequences_above(snapshot: DemoSnapshot) -> None:
    with connection.cursor() as cursor:
        for model, rows in snapshot.rows.items():
            pk = model._meta.pk.attname
            if not isinstance(rows[0][pk], int):
                continue
            table = model._meta.db_table
            highest = max(row[pk] for row in rows)
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            found = cursor.fetchone()
            if found is None:
                cursor.execute(
                    "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, highest]
                )
            elif found[0] < highest:
                cursor.execute(
                    "UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [highest, table]
                )


def restore(snapshot: DemoSnapshot, *, media_root, private_media_root) -> None:
    """Insert the snapshot's rows and copy its files into this test's media folders."""
    with transaction.atomic():
        for model, rows in snapshot.rows.items():
            model._base_manager.bulk_create(
                [model(**copy.deepcopy(row)) for row in rows], batch_size=500
            )
    for source, target in (
        (snapshot.media_root, media_root),
        (snapshot.private_media_root, private_media_root),
    ):
        if source.exists():
            shutil.copytree(source, target, dirs_exist_ok=True)
