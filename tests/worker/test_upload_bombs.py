"""Upload bombs against a real gunicorn (DEBUG off, PostgreSQL): the 1 GiB-inflating `mimetype`
.odt and a .docx with a 300 MB member are refused, nothing is stored, and the web worker's
resident memory (its peak, VmHWM) stays under 300 MB. Also: the request lines reach stdout as
JSON with a request id. Marked `worker` so .ci/run runs it with the service-backed tests."""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection

from grants.models import Attachment
from tests import factories
from tests.hostile.conftest import deflated_zip
from tests.worker.conftest import ROOT, _database_url, wait_for

# serialized_rollback: the reference data (counties, municipalities) survives other tests' flushes.
pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PORT = int(os.environ.get("UPLOAD_TEST_PORT", "8103"))
RSS_LIMIT_KB = 300 * 1024
ODT = b"application/vnd.oasis.opendocument.text"


def _kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(f"no {field} for {pid}")


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


@pytest.fixture
def gunicorn(transactional_db, tmp_path):
    if connection.vendor != "postgresql":
        pytest.fail("Needs DATABASE_URL on PostgreSQL (gunicorn shares the test database)")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "delmos.settings",
        "DATABASE_URL": _database_url(),
        "DEBUG": "0",
        "SECRET_KEY": settings.SECRET_KEY,  # the session below is signed with it
        "ALLOWED_HOSTS": "127.0.0.1",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "PRIVATE_MEDIA_ROOT": str(settings.PRIVATE_MEDIA_ROOT),
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "DATABASE_CONN_MAX_AGE": "0",
    }
    for name in ("CELERY_BROKER_URL", "CACHE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        env.pop(name, None)
    stdout, stderr = tmp_path / "gunicorn.out", tmp_path / "gunicorn.err"
    with open(stdout, "wb") as out, open(stderr, "wb") as err:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "delmos.wsgi",
                "--bind",
                f"127.0.0.1:{PORT}",
                "--workers",
                "1",
                "--timeout",
                "60",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=err,
            start_new_session=True,
        )

    def up():
        try:
            return urllib.request.urlopen(f"http://127.0.0.1:{PORT}/robots.txt", timeout=2)  # noqa: S310
        except OSError:
            return None

    try:
        wait_for(up, timeout=60, what=f"gunicorn on {PORT} ({stderr})")
        workers = _children(process.pid)
        assert len(workers) == 1
        yield {"worker": workers[0], "stdout": stdout, "stderr": stderr}
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
        connection.close()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def _post_file(url, cookies, filename, content, csrf):
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n'
        f"{csrf}\r\n".encode(),
        f'--{boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\nstatutes\r\n'.encode(),
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode()
        + content
        + b"\r\n",
        f"--{boundary}--\r\n".encode(),
    ]
    request = urllib.request.Request(  # noqa: S310
        url,
        data=b"".join(parts),
        method="POST",
        headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
            "X-Request-ID": f"bomb-{filename}-{uuid.uuid4().hex[:8]}",
        },
    )
    try:
        with _opener.open(request, timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_upload_bombs_are_refused_within_300_mb(gunicorn, applicant, organisation):
    draft = factories.make_application(organisation=organisation)
    session = SessionStore()
    session[SESSION_KEY] = str(applicant.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = applicant.get_session_auth_hash()
    session.save()
    csrf = uuid.uuid4().hex  # a 32-character secret, sent as cookie and as form field
    cookies = {settings.SESSION_COOKIE_NAME: session.session_key, "csrftoken": csrf}
    url = f"http://127.0.0.1:{PORT}/portal/ansokningar/{draft.pk}/attachments/"

    odt_bomb = deflated_zip({"mimetype": (1024**3, b"\0"), "content.xml": b"<x/>"})
    docx_bomb = deflated_zip(
        {
            "[Content_Types].xml": b"<Types/>",
            "word/document.xml": b"<w:document/>",
            "word/media/big.bin": (300 * 1024**2, b"A"),
        }
    )
    assert len(odt_bomb) < 2 * 1024**2 and len(docx_bomb) < 2 * 1024**2

    worker = gunicorn["worker"]
    before = _kb(worker, "VmRSS")
    started = time.monotonic()
    results = {
        name: _post_file(url, cookies, name, content, csrf)
        for name, content in [("plan.odt", odt_bomb), ("brev.docx", docx_bomb)]
    }
    elapsed = time.monotonic() - started
    peak = _kb(worker, "VmHWM")
    after = _kb(worker, "VmRSS")
    print(
        f"\nupload bombs: worker RSS {before // 1024} MB before, {after // 1024} MB after, "
        f"peak {peak // 1024} MB; {elapsed:.1f} s for both"
    )
    for name, (status, body) in results.items():
        assert status == 400, (name, status, body[:500])
        assert "vanligt dokument" in body, name
    assert peak < RSS_LIMIT_KB, f"worker peaked at {peak // 1024} MB"
    assert not Attachment.objects.exists()
    private = Path(settings.PRIVATE_MEDIA_ROOT)
    assert not private.exists() or not [p for p in private.rglob("*") if p.is_file()]

    # An ordinary PDF still goes through the same worker.
    status, _body = _post_file(url, cookies, "stadgar.pdf", b"%PDF-1.4\n%%EOF\n", csrf)
    assert status == 302 and Attachment.objects.count() == 1

    # The request lines reached stdout as JSON, each with its request id.
    lines = [json.loads(line) for line in gunicorn["stdout"].read_text().splitlines() if line]
    requests = [line for line in lines if line.get("logger") == "delmos.request"]
    assert any(
        line["request_id"].startswith("bomb-plan.odt") and line["status"] == 400
        for line in requests
    ), lines[-5:]
    assert all(line["duration_ms"] >= 0 for line in requests)
