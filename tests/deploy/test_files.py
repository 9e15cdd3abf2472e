"""Docker cannot run here: docker-compose.yml and the Dockerfile are kept correct by reading them
(hadolint is not installable here, so its rules that matter are checked below), and by
`make production-smoke`, which runs the very same service commands (deploy/services.sh)."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from deploy.compose_env import MissingVariable, app_environment, interpolate

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = ("release", "web", "worker", "beat")
PRODUCTION = {
    "SECRET_KEY": "a-production-secret-key-that-is-long-and-random-0123456789-abcdefXYZ",
    "SITE_URL": "https://bidrag.delmos.example",
    "ALLOWED_HOSTS": "bidrag.delmos.example",
    "POSTGRES_PASSWORD": "secret",
}


def _compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _services_sh_commands() -> set[str]:
    text = (ROOT / "deploy" / "services.sh").read_text()
    return set(re.findall(r"^  ([a-z]+)\)$", text, re.MULTILINE))


def _dockerfile_stages() -> list[list[str]]:
    """The Dockerfile's instructions (continuations joined), split into build stages."""
    lines, current = [], ""
    for raw in (ROOT / "Dockerfile").read_text().splitlines():
        if raw.strip().startswith("#") or not raw.strip():
            continue
        current += raw.rstrip("\\").strip() + " "
        if not raw.rstrip().endswith("\\"):
            lines.append(current.strip())
            current = ""
    stages: list[list[str]] = []
    for line in lines:
        if line.upper().startswith("FROM "):
            stages.append([])
        stages[-1].append(line)
    return stages


# -- compose -------------------------------------------------------------------------------------


def test_compose_has_the_services_and_each_runs_a_services_sh_command():
    services = _compose()["services"]
    assert set(services) == {*APP_SERVICES, "proxy", "db", "redis"}
    known = _services_sh_commands()
    for name in (*APP_SERVICES, "proxy"):
        command = services[name]["command"]
        assert command == [name], f"{name} runs {command}: use deploy/services.sh {name}"
        assert name in known, f"deploy/services.sh has no {name}"


def test_every_long_running_service_has_a_healthcheck_from_services_sh():
    services = _compose()["services"]
    for name, service in services.items():
        if name == "release":  # one-shot: the others wait for it to complete
            assert service["restart"] == "no"
            continue
        test = service["healthcheck"]["test"]
        if name in ("web", "worker", "beat", "proxy"):
            assert test == ["CMD", "/app/deploy/services.sh", "check", name]
    checks = (ROOT / "deploy" / "services.sh").read_text().split("  check)")[1]
    for name in ("web", "worker", "beat", "proxy"):
        assert f"      {name})" in checks


def test_migrations_run_once_in_the_release_step_not_in_every_web_process():
    services = _compose()["services"]
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["release"]["condition"] == (
            "service_completed_successfully"
        )
        assert services[name]["depends_on"]["db"]["condition"] == "service_healthy"
    script = (ROOT / "deploy" / "services.sh").read_text()
    web = script.split("  web)")[1].split(";;")[0]
    release = script.split("  release)")[1].split(";;")[0]
    assert "migrate" not in web and "collectstatic" not in web
    assert "migrate --noinput" in release and "check --deploy --fail-level WARNING" in release


def test_compose_redis_keeps_an_append_only_file():
    command = _compose()["services"]["redis"]["command"]
    assert command[command.index("--appendonly") + 1] == "yes"


def test_the_writable_volumes_are_exactly_the_paths_the_image_gives_its_user():
    services = _compose()["services"]
    mounted = set()
    for name in APP_SERVICES:
        mounted |= {v.split(":")[1] for v in services[name]["volumes"]}
    assert mounted == {"/data/media", "/data/private", "/data/beat"}
    env = services["beat"]["environment"]
    assert env["CELERY_BEAT_SCHEDULE_FILE"].startswith("/data/beat/")
    [app] = [s for s in _dockerfile_stages() if s[0].endswith(" AS app")]
    chown = next(line for line in app if "chown" in line)
    assert sorted(re.findall(r"/data/\w+", chown.split("chown", 1)[1])) == sorted(mounted)
    # The proxy reads the public media only.
    assert services["proxy"]["volumes"][0] == "media:/data/media:ro"


def test_compose_requires_the_secrets_and_the_public_address():
    with pytest.raises(MissingVariable, match="SITE_URL"):
        app_environment({k: v for k, v in PRODUCTION.items() if k != "SITE_URL"})
    env = app_environment(PRODUCTION)
    assert env["SITE_URL"] == "https://bidrag.delmos.example"
    assert env["DEBUG"] == "0"
    assert env["SECURE_SSL_REDIRECT"] == "1" and int(env["SECURE_HSTS_SECONDS"]) >= 31536000
    assert env["STATICFILES_BACKEND"].endswith("CompressedManifestStaticFilesStorage")
    # Safe defaults, overridable from the environment.
    assert app_environment({**PRODUCTION, "SECURE_HSTS_SECONDS": "600"})["SECURE_HSTS_SECONDS"] == (
        "600"
    )


def test_interpolation_follows_compose():
    assert interpolate("${A:-x}", {}) == "x"
    assert interpolate("${A:-x}", {"A": ""}) == "x"
    assert interpolate("${A-x}", {"A": ""}) == ""
    assert interpolate("a${B}c", {"B": "b"}) == "abc"
    assert interpolate("$${A}", {"A": "no"}) == "${A}"
    with pytest.raises(MissingVariable):
        interpolate("${A:?needed}", {"A": ""})


def test_check_deploy_is_clean_with_the_compose_file_s_variables():
    env = {"PATH": "/usr/bin:/bin", **app_environment(PRODUCTION)}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


# -- the Dockerfile, by hadolint's rules ----------------------------------------------------------


def test_dockerfile_builds_static_files_and_the_catalogue_and_runs_as_a_user():
    stages = _dockerfile_stages()
    assert [s[0] for s in stages] == [
        "FROM python:3.11-slim-bookworm AS app",
        "FROM nginx:1.27-bookworm AS proxy",
    ]
    for stage in stages:
        users = [line.split()[1] for line in stage if line.startswith("USER ")]
        assert users and users[-1].split(":")[0] not in ("root", "0"), stage[0]
        assert stage[-1].startswith("CMD [") and any(
            line.startswith('ENTRYPOINT ["/app/deploy/services.sh"]') for line in stage
        )
    app = stages[0]
    assert any("deploy/services.sh build" in line for line in app if line.startswith("RUN"))
    build = (ROOT / "deploy" / "services.sh").read_text().split("  build)")[1].split(";;")[0]
    assert "save_as_mofile" in build and "collectstatic --noinput" in build


def test_dockerfile_follows_hadolint_rules():
    for stage in _dockerfile_stages():
        for line in stage:
            instruction = line.split()[0].upper()
            # DL3006/DL3007: pinned base images, never latest.
            if instruction == "FROM":
                image = line.split()[1]
                assert ":" in image and not image.endswith(":latest"), line
            # DL3020: COPY, not ADD.
            assert instruction != "ADD", line
            # DL3000: absolute WORKDIR.
            if instruction == "WORKDIR":
                assert line.split()[1].startswith("/"), line
            if instruction == "RUN":
                # DL3004: no sudo; DL3027: apt-get, not apt.
                assert "sudo " not in line and " apt " not in f" {line} ", line
                # DL3009/DL3015: no recommends, lists removed in the same layer.
                if "apt-get install" in line:
                    assert "--no-install-recommends" in line and "-y" in line, line
                    assert "rm -rf /var/lib/apt/lists/*" in line, line
                # DL3042: no pip cache in the image.
                if "pip install" in line:
                    assert "--no-cache-dir" in line, line
                # DL3003: WORKDIR, not cd.
                assert not re.search(r"(^|&&|;)\s*cd ", line.removeprefix("RUN ")), line
            # DL3025: exec form for ENTRYPOINT and CMD.
            if instruction in ("CMD", "ENTRYPOINT"):
                assert line.split(None, 1)[1].startswith("["), line


# -- the service script and the proxy configuration ----------------------------------------------


def test_services_sh_is_posix_sh():
    result = subprocess.run(
        ["sh", "-n", str(ROOT / "deploy" / "services.sh")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert (ROOT / "deploy" / "services.sh").stat().st_mode & 0o111


def test_the_proxy_template_names_only_variables_services_sh_fills():
    template = (ROOT / "deploy" / "nginx.conf.template").read_text()
    script = (ROOT / "deploy" / "services.sh").read_text()
    filled = set(re.findall(r"\$\{(\w+)\}", script.split("envsubst '")[1].split("'")[0]))
    assert set(re.findall(r"\$\{([A-Z_]+)\}", template)) == filled
    assert "gzip on;" in template and "location /static/" in template
    assert "location /media/" in template
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in template


@pytest.mark.skipif(not shutil.which("envsubst") or not shutil.which("nginx"), reason="no nginx")
def test_the_rendered_proxy_configuration_is_valid_nginx(tmp_path):
    cert = tmp_path / "cert.pem"
    key = tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=localhost", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    template = (ROOT / "deploy" / "nginx.conf.template").read_text()
    variables = {
        "NGINX_UPSTREAM_SERVERS": "server 127.0.0.1:1;",
        "NGINX_RUN_DIR": str(tmp_path),
        "PROXY_PORT": "1",
        "PROXY_HTTP_PORT": "2",
        "NGINX_WORKERS": "1",
        "NGINX_MIME_TYPES": "/etc/nginx/mime.types",
        "STATIC_ROOT": str(tmp_path),
        "MEDIA_ROOT": str(tmp_path),
        "TLS_CERT": str(cert),
        "TLS_KEY": str(key),
        "SITE_URL": "https://bidrag.delmos.example",
    }
    for name, value in variables.items():
        template = template.replace("${" + name + "}", value)
    conf = tmp_path / "nginx.conf"
    conf.write_text(template)
    result = subprocess.run(
        ["nginx", "-t", "-q", "-c", str(conf)], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr


def test_ci_runs_the_readme_test_command_and_the_production_smoke():
    ci = (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "make test" in ci and "make production-smoke" in ci
    assert "make test" in readme and "make run" in readme


def test_the_build_context_leaves_out_environments_data_and_secrets():
    ignored = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".git", ".venv", ".venv-smoke", "media/", "private-media/", "backups/", "tls/"} <= (
        ignored
    )
    assert {"db.sqlite3", ".env"} <= ignored
