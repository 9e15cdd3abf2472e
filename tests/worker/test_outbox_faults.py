"""Fault tests of the outbox (issue 10) against real processes: a Celery worker with its beat (the
sweeper, and the reminders' scheduler), a Redis and an SMTP server of the test's own. With jobs of
every kind queued (receipt PDFs, receipt and notification e-mails, decision and recovery letters,
an award list, a password reset, reminders and the officers' digests), each test breaks something
and then counts what was expected and what arrived: equal, every e-mail once, every file once."""

import time

import pytest

from grants.models import LetterBatch, OutboxJob, Reminder
from tests.worker import services
from tests.worker.conftest import wait_for
from tests.worker.workload import all_done, arrived, build_workload

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# What the kill test interrupts, each at least once: every kind of job (a letter of each kind).
TARGETS = (
    "publication",
    "receipt",
    "decision letter",
    "recovery letter",
    "email",
    "reminder",
)
E_MAIL_KINDS = ("email", "reminder")


def target(kind: str, payload: dict) -> str:
    return f"{payload.get('kind')} letter" if kind == "letter" else kind


@pytest.fixture(scope="module")
def own_redis(tmp_path_factory):
    redis = services.Redis(tmp_path_factory.mktemp("redis"))
    redis.start()
    yield redis
    redis.stop()


@pytest.fixture(scope="module")
def smtp_sink():
    sink = services.SmtpSink()
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture
def smtp(smtp_sink):
    smtp_sink.reset()
    if smtp_sink.controller is None:
        smtp_sink.start()
    yield smtp_sink
    smtp_sink.reset()


@pytest.fixture
def broker_url(own_redis):
    return own_redis.url


@pytest.fixture
def worker_env():
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(services.SMTP_PORT),
        "EMAIL_TIMEOUT": "10",
        # The reminders' scheduler runs all along (it must schedule nothing new), and finds the
        # digests the workload scheduled at whatever hour the test runs.
        "REMINDER_SWEEP_SECONDS": "2",
        "REMINDER_DIGEST_HOUR": "0",
    }


def _report(name, expected, got, started):
    print(  # the figures for the closing note (pytest -s shows them)
        f"\n[{name}] expected {vars(expected)} arrived {got} in {time.monotonic() - started:.1f} s"
    )


def _assert_exactly_once(expected, got, smtp):
    assert got == {**vars(expected), "distinct_emails": expected.emails}
    assert OutboxJob.objects.filter(kind="email").count() == expected.emails - expected.reminders
    # One job per reminder, each sent once: its row records the Message-ID that arrived.
    reminders = Reminder.objects.all()
    assert reminders.count() == expected.reminders  # the scheduler made none twice
    assert OutboxJob.objects.filter(kind="reminder").count() == expected.reminders
    assert not reminders.filter(sent_at__isnull=True).exists()
    assert set(reminders.values_list("message_id", flat=True)) <= set(smtp.message_ids())
    # The letters' batch counted each decision letter once, whatever was killed or lost.
    assert LetterBatch.objects.get().done == expected.letters - expected.recovery_letters


def test_a_redis_restart_without_persistence_loses_no_side_effect(worker, own_redis, smtp):
    started = time.monotonic()
    expected = build_workload()
    assert own_redis.queued() > 0  # the messages wait in Redis: no worker runs yet
    own_redis.restart()  # without persistence: every message is gone
    assert own_redis.queued() == 0
    worker.start()
    wait_for(all_done, timeout=240, what="the sweeper to bring every job back")
    wait_for(lambda: len(smtp.messages) >= expected.emails, timeout=30, what="the e-mails")
    time.sleep(3)  # a late duplicate would arrive now
    got = arrived(expected, smtp)
    _report("redis restart", expected, got, started)
    _assert_exactly_once(expected, got, smtp)


def test_killing_the_worker_in_each_kind_of_job_still_completes_each_once(worker, smtp):
    started = time.monotonic()
    smtp.slow_seconds = 1.5  # an e-mail takes long enough to be killed in the middle of
    worker.start()
    expected = build_workload()
    killed = {}  # target -> the job killed in the middle of

    def running_target():
        jobs = OutboxJob.objects.filter(status="running").exclude(pk__in=killed.values())
        for pk, kind, payload in jobs.values_list("pk", "kind", "payload"):
            name = target(kind, payload)
            if name in TARGETS and name not in killed:
                return name, pk
        return None

    for _try in range(4 * len(TARGETS)):  # a job that finished just before the kill: next one
        if len(killed) == len(TARGETS):
            break
        name, job_id = wait_for(
            running_target, timeout=120, interval=0.02, what=f"one of {TARGETS} to run"
        )
        worker.kill()  # kill -9: the worker, its pool process and its beat
        in_the_middle = OutboxJob.objects.get(pk=job_id).status == "running"
        worker.start()
        if in_the_middle:
            killed[name] = job_id
    assert set(killed) == set(TARGETS), killed
    wait_for(all_done, timeout=240, what="every job to complete after the restarts")
    wait_for(lambda: len(smtp.messages) >= expected.emails, timeout=30, what="the e-mails")
    time.sleep(3)
    got = arrived(expected, smtp)
    _report("kill -9 per kind", expected, got, started)
    print(f"[kill -9 per kind] killed in the middle of {killed}")
    _assert_exactly_once(expected, got, smtp)
    for name, job_id in killed.items():
        job = OutboxJob.objects.get(pk=job_id)
        assert job.status == "done" and job.attempts >= 2, (name, job.attempts)


def test_an_smtp_server_that_refuses_for_a_while_gets_every_email_once(worker, smtp):
    started = time.monotonic()
    smtp.stop()  # first nothing listens: connection refused
    worker.start()
    expected = build_workload()
    for kind in E_MAIL_KINDS:  # e-mails and reminders alike
        wait_for(
            lambda kind=kind: OutboxJob.objects.filter(kind=kind, attempts__gte=2).exists(),
            timeout=120,
            what=f"{kind} jobs to be retried",
        )
    smtp.start()
    smtp.refuse_for(6)  # then it answers 451 (try again later) for a while
    wait_for(lambda: smtp.refused > 0, timeout=60, what="the server to refuse")
    wait_for(all_done, timeout=240, what="every e-mail to be sent")
    time.sleep(3)
    got = arrived(expected, smtp)
    _report("smtp refusing", expected, got, started)
    _assert_exactly_once(expected, got, smtp)
    for kind in E_MAIL_KINDS:
        assert OutboxJob.objects.filter(kind=kind, attempts__gte=2).count() >= 1, kind
    sent = OutboxJob.objects.filter(kind__in=E_MAIL_KINDS)
    assert set(sent.values_list("message_id", flat=True)) == set(smtp.message_ids())
    assert Reminder.objects.filter(attempts__gte=2).exists()  # the reminder's own record
