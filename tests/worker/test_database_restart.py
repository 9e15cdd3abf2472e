"""PostgreSQL restarted under load (issue 10): a PostgreSQL cluster, a Redis, an SMTP server,
gunicorn and a Celery worker of the test's own. Requests keep coming: password reset requests
(each one that is answered with a redirect has promised one e-mail) and pages in Swedish and
English. While the database is down every request gets the 503 page in its language with
Retry-After; after the restart none does; and every promised e-mail arrives exactly once."""

import http.cookiejar
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import psycopg
import pytest
from django.urls import reverse
from django.utils import translation

from tests.worker import services
from tests.worker.conftest import ROOT, Worker, wait_for

pytestmark = pytest.mark.worker

USER_EMAIL = "load@example.org"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
        )

    def request(self, path: str, data: dict | None = None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body)  # noqa: S310 (http only)
        if data is not None:
            request.add_header("Referer", self.base + path)
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode(errors="replace")


def _paths():
    with translation.override("sv"):
        sv = reverse("accounts:password_reset")
    with translation.override("en"):
        en = reverse("accounts:password_reset")
    return {"sv": sv, "en": en}


UNAVAILABLE = {
    "sv": "Tjänsten är tillfälligt otillgänglig",
    "en": "The service is temporarily unavailable",
}


class Load(threading.Thread):
    """Password reset requests in a loop, alternating Swedish and English; each answer is kept
    with the phase it started and ended in."""

    def __init__(self, base: str, phase):
        super().__init__(daemon=True)
        self.base = base
        self.phase = phase
        self.results = []  # (phase at start, phase at end, language, step, status, headers, body)
        self.stopping = threading.Event()
        self.paths = _paths()

    def run(self):
        n = 0
        while not self.stopping.is_set():
            language = ("sv", "en")[n % 2]
            n += 1
            browser = Browser(self.base)
            path = self.paths[language]
            before = self.phase()
            status, headers, body = browser.request(path)
            self.results.append((before, self.phase(), language, "get", status, headers, body))
            if status != 200:
                time.sleep(0.2)
                continue
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
            before = self.phase()
            status, headers, body = browser.request(
                path, {"csrfmiddlewaretoken": token, "email": USER_EMAIL}
            )
            self.results.append((before, self.phase(), language, "post", status, headers, body))
            time.sleep(0.05)


def _answers(base: str) -> bool:
    try:
        return Browser(base).request("/")[0] == 200
    except OSError:
        return False


def _run(args, env, **kwargs):
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, timeout=600, **kwargs
    )


@pytest.fixture
def stack(tmp_path):
    folder = Path(tempfile.mkdtemp(prefix="delmos-outbox-pg-"))
    postgres = services.Postgres(folder)
    redis = services.Redis(tmp_path / "redis")
    smtp = services.SmtpSink()
    gunicorn = None
    worker = None
    try:
        postgres.init()
        redis.start()
        smtp.start()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "delmos.settings",
            "DATABASE_URL": postgres.url,
            "CELERY_BROKER_URL": redis.url,
            "MEDIA_ROOT": str(tmp_path / "media"),
            "PRIVATE_MEDIA_ROOT": str(tmp_path / "private"),
            "CSRF_COOKIE_SECURE": "0",
            "SESSION_COOKIE_SECURE": "0",
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(services.SMTP_PORT),
        }
        env.pop("CELERY_TASK_ALWAYS_EAGER", None)
        migrated = _run(["manage.py", "migrate", "--noinput"], env)
        assert migrated.returncode == 0, migrated.stderr.decode()[-2000:]
        made = _run(
            [
                "manage.py",
                "shell",
                "-c",
                f"from tests import factories; factories.make_user(email={USER_EMAIL!r})",
            ],
            env,
        )
        assert made.returncode == 0, made.stderr.decode()[-2000:]
        log = open(tmp_path / "gunicorn.log", "wb")  # noqa: SIM115
        gunicorn = subprocess.Popen(
            [
                sys.executable, "-m", "gunicorn", "delmos.wsgi:application",
                "-b", f"127.0.0.1:{services.GUNICORN_PORT}", "-w", "2", "--timeout", "60",
            ],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        log.close()
        base = f"http://127.0.0.1:{services.GUNICORN_PORT}"
        wait_for(lambda: _answers(base), timeout=90, what="gunicorn to answer")
        worker = Worker(
            broker_url=redis.url,
            folder=tmp_path,
            env={
                "DATABASE_URL": postgres.url,
                "EMAIL_BACKEND": env["EMAIL_BACKEND"],
                "EMAIL_HOST": "127.0.0.1",
                "EMAIL_PORT": env["EMAIL_PORT"],
                "MEDIA_ROOT": env["MEDIA_ROOT"],
                "PRIVATE_MEDIA_ROOT": env["PRIVATE_MEDIA_ROOT"],
            },
        )
        worker.start()
        yield {"postgres": postgres, "smtp": smtp, "base": base, "worker": worker}
    finally:
        if worker is not None:
            worker.stop()
        if gunicorn is not None:
            os.killpg(gunicorn.pid, 15)
            gunicorn.wait(timeout=30)
        smtp.stop()
        redis.stop()
        postgres.stop(mode="immediate")
        shutil.rmtree(folder, ignore_errors=True)


def _jobs(url: str) -> dict:
    with psycopg.connect(url) as connection:
        rows = connection.execute(
            "SELECT kind, status, count(*) FROM grants_outboxjob GROUP BY kind, status"
        ).fetchall()
    return {(kind, status): n for kind, status, n in rows}


def test_postgresql_restarted_under_load_answers_503_then_recovers_and_loses_no_task(stack):
    started = time.monotonic()
    state = {"phase": "before"}
    load = Load(stack["base"], lambda: state["phase"])
    load.start()
    time.sleep(4)
    state["phase"] = "stopping"
    stack["postgres"].stop(mode="fast")
    state["phase"] = "down"
    time.sleep(5)
    state["phase"] = "starting"
    stack["postgres"].start()
    state["phase"] = "after"
    time.sleep(6)
    load.stopping.set()
    load.join(timeout=60)

    during = [r for r in load.results if r[0] == r[1] == "down"]
    after = [r for r in load.results if r[0] == r[1] == "after"]
    assert during and after, [r[:5] for r in load.results]
    refused = 0
    for _start, _end, language, step, status, headers, body in during:
        if step == "get" and status == 200:
            continue  # the form itself needs no database
        assert status == 503, (step, status, body[:300])
        refused += 1
        assert headers.get("Retry-After") == "60"
        assert UNAVAILABLE[language] in body, (language, body[:500])
        assert f'lang="{language}"' in body
    assert refused > 0
    assert {r[2] for r in during if r[4] == 503} == {"sv", "en"}
    assert [r[4] for r in after if r[4] not in (200, 302)] == []

    promised = sum(1 for r in load.results if r[3] == "post" and r[4] == 302)
    assert promised > 0
    url = stack["postgres"].url
    wait_for(
        lambda: _jobs(url).get(("email", "done"), 0) >= promised,
        timeout=180,
        what="every promised e-mail to be sent",
    )
    time.sleep(3)
    jobs = _jobs(url)
    assert {status for _kind, status in jobs} == {"done"}, jobs
    assert jobs[("password_reset", "done")] == jobs[("email", "done")] == promised
    smtp = stack["smtp"]
    assert len(smtp.messages) == len(set(smtp.message_ids())) == promised
    print(
        f"\n[postgres restart] requests {len(load.results)}, during the outage "
        f"{len(during)} ({refused} answered 503, the rest the form without database), after {len(after)} (no 503); e-mails promised {promised}, "
        f"arrived {len(smtp.messages)}; {time.monotonic() - started:.1f} s"
    )
