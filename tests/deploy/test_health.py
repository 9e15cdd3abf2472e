"""/healthz, /readyz and `manage.py status` (issue 12)."""

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from grants.models import Publication
from grants.selectors import operations
from grants.views import health
from tests import factories


def _publication(*, status=Publication.Status.PENDING, published_at=None, **extra):
    round_ = factories.make_round(year=2020, status="decided")
    return Publication.objects.create(
        round=round_,
        version=Publication.objects.count() + 1,
        as_of=dt.date(2020, 6, 25),
        status=status,
        published_at=published_at or timezone.now(),
        **extra,
    )


def test_healthz_answers_without_touching_the_database(client):
    # No django_db mark: any query would raise.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_checks_database_cache_broker_storages_and_queues(client, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    checks = response.json()["checks"]
    assert {k: v for k, v in checks.items() if not k.endswith("_ms")} == {
        "database": "ok",
        "cache": "ok",
        "broker": "eager (no broker)",
        "storage": "ok",
        "private_storage": "ok",
        "queues": "ok",
    }
    # The probe's test files are removed again.
    assert not any(p.is_file() for p in (tmp_path / "media").rglob("*"))
    assert not any(p.is_file() for p in (tmp_path / "private").rglob("*"))


@pytest.mark.django_db
def test_health_urls_have_no_language_prefix(client):
    assert client.get("/en/healthz").status_code == 404


@pytest.mark.django_db
def test_readyz_fails_on_a_stuck_queue_without_telling_the_details(client, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    _publication(published_at=timezone.now() - dt.timedelta(hours=3))
    response = client.get("/readyz")
    assert response.status_code == 503
    data = response.json()
    assert data["status"] == "error" and data["checks"]["queues"] == "error"
    assert "publications" not in response.content.decode()


@pytest.mark.django_db
def test_readyz_fails_when_a_storage_cannot_be_written(client, tmp_path, settings):
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    settings.MEDIA_ROOT = tmp_path
    settings.PRIVATE_MEDIA_ROOT = blocked / "private"
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["private_storage"] == "error"
    assert response.json()["checks"]["storage"] == "ok"


@pytest.mark.django_db
@override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0")
def test_readyz_fails_when_the_broker_does_not_answer(client, tmp_path, settings):
    settings.MEDIA_ROOT = settings.PRIVATE_MEDIA_ROOT = tmp_path
    from delmos.celery import app

    original = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        response = client.get("/readyz")
    finally:
        app.conf.broker_url = original
    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == "error"


@pytest.mark.django_db
def test_a_long_queue_being_worked_through_is_not_stuck():
    now = timezone.now()
    _publication(published_at=now - dt.timedelta(hours=3))
    figures = operations.queue_figures(now)[0]
    assert figures.stuck(now)
    _publication(
        status=Publication.Status.DONE,
        published_at=now - dt.timedelta(hours=3),
        started_at=now - dt.timedelta(seconds=30),
        finished_at=now - dt.timedelta(seconds=20),
    )
    figures = operations.queue_figures(now)[0]
    assert figures.pending == 1 and not figures.stuck(now)


@pytest.mark.django_db
def test_status_prints_depths_oldest_pending_and_failed_jobs():
    now = timezone.now()
    _publication(published_at=now - dt.timedelta(minutes=2))
    _publication(published_at=now - dt.timedelta(minutes=1), status=Publication.Status.RENDERING)
    _publication(status=Publication.Status.FAILED, finished_at=now, error="boom")
    out = io.StringIO()
    call_command("status", stdout=out)
    text = out.getvalue()
    assert "broker: none (tasks run eagerly)" in text
    assert "publications: 2 pending, oldest pending" in text
    assert "(12" in text or "s ago" in text
    assert "1 failed (1 today)" in text


@pytest.mark.django_db
def test_status_exits_1_on_a_stuck_queue_and_speaks_json():
    _publication(published_at=timezone.now() - dt.timedelta(hours=5))
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("status", "--json", stdout=out)
    assert exit_.value.code == 1
    data = json.loads(out.getvalue())
    assert data["queues"][0]["name"] == "publications"
    assert data["queues"][0]["pending"] == 1 and data["queues"][0]["stuck"] is True


def test_every_readiness_check_is_named():
    assert set(health.CHECKS) == {
        "database",
        "cache",
        "broker",
        "storage",
        "private_storage",
        "queues",
    }
