"""File storage is configurable through STORAGES (issue 12): object storage without local paths
(django-storages' S3; here a dictionary, which has no path either) works for the published
lists."""

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage
from django.test import override_settings

from grants.tasks.publications import write_atomically

ROOT = Path(__file__).resolve().parents[2]


class ObjectStorage(Storage):
    """Like an object store: names and bytes, no local path (Storage.path raises)."""

    objects: dict[str, bytes] = {}

    def _save(self, name, content):
        self.objects[name] = content.read()
        return name

    def _open(self, name, mode="rb"):
        return ContentFile(self.objects[name], name=name)

    def exists(self, name):
        return name in self.objects

    def delete(self, name):
        self.objects.pop(name, None)


IN_MEMORY = {
    "default": {"BACKEND": "tests.deploy.test_storage.ObjectStorage"},
    "private": {"BACKEND": "grants.storage.PrivateMediaStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


@override_settings(STORAGES=IN_MEMORY)
def test_a_list_is_written_to_storage_without_a_local_path():
    digest = write_atomically("lists/2020/alla-v1.sv.pdf", b"%PDF-first")
    assert write_atomically("lists/2020/alla-v1.sv.pdf", b"%PDF-second") == (
        hashlib.sha256(b"%PDF-second").hexdigest()
    )
    assert digest == hashlib.sha256(b"%PDF-first").hexdigest()
    with default_storage.open("lists/2020/alla-v1.sv.pdf") as handle:
        assert handle.read() == b"%PDF-second"  # replaced under the same name
    assert list(ObjectStorage.objects) == ["lists/2020/alla-v1.sv.pdf"]


def _settings_value(env: dict, expression: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", f"from delmos import settings; print({expression})"],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_storages_come_from_the_environment():
    result = _settings_value(
        {
            "STORAGE_BACKEND": "storages.backends.s3.S3Storage",
            "STORAGE_OPTIONS": '{"bucket_name": "delmos-media", "default_acl": "public-read"}',
            "PRIVATE_STORAGE_BACKEND": "storages.backends.s3.S3Storage",
            "PRIVATE_STORAGE_OPTIONS": '{"bucket_name": "delmos-private"}',
        },
        "settings.STORAGES['default'], settings.STORAGES['private']['OPTIONS']",
    )
    assert result.returncode == 0, result.stderr
    assert "'BACKEND': 'storages.backends.s3.S3Storage'" in result.stdout
    assert "'bucket_name': 'delmos-media'" in result.stdout
    assert "{'bucket_name': 'delmos-private'}" in result.stdout


def test_storage_options_must_be_a_json_object():
    result = _settings_value({"STORAGE_OPTIONS": "[1, 2]"}, "1")
    assert result.returncode != 0 and "STORAGE_OPTIONS must be a JSON object" in result.stderr
