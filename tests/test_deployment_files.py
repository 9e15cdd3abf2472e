"""docker-compose cannot run here; it is kept correct by parsing it."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_the_five_services():
    assert set(_compose()["services"]) == {"web", "worker", "beat", "db", "redis"}


def test_compose_app_services_share_the_settings_and_wait_for_healthy_services():
    services = _compose()["services"]
    for name in ("web", "worker", "beat"):
        env = services[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgres://")
        assert env["CELERY_BROKER_URL"].startswith("redis://")
        assert services[name]["depends_on"]["db"]["condition"] == "service_healthy"
    assert "gunicorn delmos.wsgi" in services["web"]["command"]
    assert "celery -A delmos worker" in services["worker"]["command"]
    assert "--max-tasks-per-child" in services["worker"]["command"]
    assert "celery -A delmos beat" in services["beat"]["command"]


def test_compose_redis_keeps_an_append_only_file():
    assert "--appendonly yes" in _compose()["services"]["redis"]["command"]


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "make test" in ci
    assert "make test" in readme and "make run" in readme
