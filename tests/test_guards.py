"""Project-wide guards: migrations, deploy checks, translations, and every plain URL renders."""

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver

from grants import workflow
from tests import factories

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "locale" / "sv" / "LC_MESSAGES" / "django.po"


def test_no_missing_migrations(db):
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


MIGRATION_DIRS = [ROOT / "grants" / "migrations", ROOT / "regions" / "migrations"]


def test_data_migrations_carry_their_own_code():
    """A migration runs against the schema of its day: importing today's application code into
    it breaks the day that code changes. Schema references the serializer writes (validators,
    upload paths, managers) are allowed; `from grants...`/`from regions...` imports are not."""
    offenders = []
    for directory in MIGRATION_DIRS:
        for path in directory.glob("0*.py"):
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if re.match(r"\s*from (grants|regions)[. ]", line):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


def test_migrations_are_named_for_the_schema_not_for_work_items():
    names = [p.stem for d in MIGRATION_DIRS for p in d.glob("0*.py")]
    assert names
    assert [n for n in names if re.search(r"issue|merge|auto_\d", n)] == []


def _manage(*args, env_extra):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION_ENV = {
    "SECRET_KEY": "a-production-secret-key-that-is-long-and-random-0123456789-abcdefXYZ",
    "ALLOWED_HOSTS": "bidrag.delmos.example",
    "SITE_URL": "https://bidrag.delmos.example",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
    "SECURE_HSTS_PRELOAD": "1",
}


def test_check_deploy_passes_with_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env_extra=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_refuses_the_placeholder_secret_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = _manage("check", "--deploy", env_extra=env)
    assert result.returncode != 0
    assert "delmos.E001" in result.stderr + result.stdout


def test_swedish_translations_are_complete():
    catalog = polib.pofile(str(PO))
    untranslated = [e.msgid for e in catalog.untranslated_entries()]
    fuzzy = [e.msgid for e in catalog.fuzzy_entries()]
    assert not untranslated, untranslated[:20]
    assert not fuzzy, fuzzy[:20]
    assert catalog.percent_translated() == 100


def test_translations_compile(tmp_path):
    target = tmp_path / "django.mo"
    polib.pofile(str(PO)).save_as_mofile(str(target))
    assert target.stat().st_size > 0
    if shutil.which("msgfmt"):
        result = subprocess.run(
            ["msgfmt", "--check", "-o", str(tmp_path / "check.mo"), str(PO)],
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stderr


def test_translations_load_at_run_time():
    from django.utils import translation

    with translation.override("sv"):
        assert translation.gettext("Skip to content") == "Hoppa till innehållet"


# Admin URLs that need query parameters, or that the admin refuses by design (the audit log is
# written only by the services).
SKIPPED = {
    "/admin/autocomplete/",
    "/admin/grants/event/add/",
    # Decisions are made at a meeting, never added in the admin (tests/grants/test_admin_final.py).
    "/admin/grants/decision/add/",
    "/admin/login/",
    "/handlaggning/ko/atgard/",  # bulk actions: POST only
    "/handlaggning/ko/filter/",  # saving a filter: POST only
    # Health endpoints: no language prefix, and /readyz answers 503 while a queue is stuck
    # (the demo's lists wait for a worker here); tests/deploy/test_health.py covers them.
    "/healthz",
    "/readyz",
    # The icon's old address redirects to the static icon (tests/grants/public/test_visitor_pages.py).
    "/favicon.ico",
    # django-axes' logs are written by the login flow only; its admin refuses adding.
    "/admin/axes/accessattempt/add/",
    "/admin/axes/accessfailurelog/add/",
    "/admin/axes/accesslog/add/",
    # Money rows are written by the services only (the ledger); the admin refuses adding them.
    "/admin/grants/payment/add/",
    "/admin/grants/recoveryclaim/add/",
    "/admin/grants/claimentry/add/",
}

# Who each part of the site is for. A URL outside every prefix fails the test: say who it is for.
AUDIENCES = [
    ("admin/", "administrator"),
    ("handlaggning/logg.csv", "administrator"),
    ("portal/", "applicant"),
    ("handlaggning/publiceringar/", "decision_maker"),
    ("handlaggning/", "case_officer"),
    ("konto/losenord/byt/", "applicant"),
    ("", "public"),
]


def _plain_urls(patterns=None, prefix=""):
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        route = str(entry.pattern)
        if isinstance(entry, URLResolver):
            if "<" in route or "(?P" in route:
                continue
            if route.startswith("^") and "(?P" not in route:
                route = ""  # i18n prefix pattern: the default language has none
            yield from _plain_urls(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern):
            if "<" in route or "(?P" in route or "$" in route.rstrip("$")[:-1]:
                continue
            path = prefix + route.lstrip("^").rstrip("$")
            if "(" in path or "\\" in path:
                continue
            yield "/" + path


def _audience(path):
    for prefix, audience in AUDIENCES:
        if path.lstrip("/").startswith(prefix):
            return audience
    raise AssertionError(f"{path} has no audience in AUDIENCES")


@pytest.mark.django_db
@pytest.mark.parametrize("language_prefix", ["", "/en"])
def test_every_url_without_arguments_renders_for_its_audience(client, demo, language_prefix):
    users = {
        "public": None,
        "applicant": factories.make_organisation(members=[factories.make_user()])
        .memberships.get()
        .user,
        "case_officer": factories.make_officer(),
        "decision_maker": factories.make_decision_maker(),
        "administrator": factories.make_user(
            email="root@example.org", is_staff=True, is_superuser=True
        ),
    }
    paths = sorted(set(_plain_urls()))
    assert "/" in paths and "/admin/" in paths
    for path in paths:
        if path.endswith(("logout/", "logga-ut/")) or path in SKIPPED:
            continue
        audience = _audience(path)
        client.logout()
        if users[audience] is not None:
            client.force_login(users[audience])
        url = path if audience == "administrator" else language_prefix + path
        response = client.get(url)
        assert response.status_code == 200, f"{url} as {audience}: {response.status_code}"


# Imports inside functions that are genuinely needed: Django's app registry (AppConfig.ready)
# and WeasyPrint, a heavy library only the PDF jobs load. Any other one dodged an import circle.
FUNCTION_IMPORTS_ALLOWED = {"grants/apps.py", "grants/pdf.py"}


def test_no_imports_hide_inside_functions():
    import ast

    found = []
    for path in sorted((ROOT / "grants").rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if "/migrations/" in relative or relative in FUNCTION_IMPORTS_ALLOWED:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                found += [
                    f"{relative}:{inner.lineno}"
                    for inner in ast.walk(node)
                    if isinstance(inner, ast.Import | ast.ImportFrom)
                ]
    assert found == []


@pytest.mark.parametrize(
    "module", ["grants.emails", "grants.tasks.officer", "grants.demo.publications"]
)
def test_modules_that_formed_import_circles_import_first(module):
    """Each imports first in a fresh interpreter (grants.emails and the tasks imported each
    other through grants.tasks; the demo's publications and the demo builder likewise)."""
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); import {module}"],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "delmos.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


def test_identifiers_need_no_models():
    """The identifier checks build on the organisation types, not on the models."""
    result = subprocess.run(
        [sys.executable, "-c", "import grants.identifiers"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


# -- state changes: only grants.workflow assigns a status ------------------------------------------

WRITE_METHODS = {"create", "update", "get_or_create", "update_or_create"}


def _state_fields_and_models():
    fields, models = set(), set()
    for table in workflow.WORKFLOWS.values():
        models.add(table.model.__name__)
        if table.column:
            fields.add(table.column)
        else:  # the state is read from the transitions' timestamps (a recovery claim's settled_at)
            fields.update(t.stamp for t in table.transitions)
    return fields, models


def _chain_root(node) -> str:
    """The name a call chain starts from: `Grant` for `Grant.objects.filter(...).update`."""
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            node = node.value
        else:
            return node.id if isinstance(node, ast.Name) else ""


def status_writes(source: str, *, fields=None, models=None) -> list[tuple[int, str]]:
    """(line, code) of every place in `source` that sets the state of a row with a workflow."""
    if fields is None or models is None:
        fields, models = _state_fields_and_models()
    found = []

    def hit(node):
        found.append((node.lineno, ast.get_source_segment(source, node) or ""))

    def sets_state(call) -> bool:
        keys = {k.arg for k in call.keywords}
        for k in call.keywords:
            if k.arg in {"defaults", "create_defaults"} and isinstance(k.value, ast.Dict):
                keys |= {d.value for d in k.value.keys if isinstance(d, ast.Constant)}
        return bool(keys & fields)

    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                elements = target.elts if isinstance(target, ast.Tuple) else [target]
                if any(isinstance(e, ast.Attribute) and e.attr in fields for e in elements):
                    hit(node)
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name == "setattr" and len(node.args) > 1:
                if isinstance(node.args[1], ast.Constant) and node.args[1].value in fields:
                    hit(node)
            elif name in models and sets_state(node):
                hit(node)  # a model built with a state: use workflow.new
            elif name in WRITE_METHODS and sets_state(node):
                root = _chain_root(func.value)
                if root in models or not root[:1].isupper():
                    hit(node)  # a workflow model's row, or a queryset we cannot tell apart
            elif name == "bulk_update" and any(
                isinstance(c, ast.Constant) and c.value in fields
                for arg in node.args[1:]
                for c in ast.walk(arg)
            ):
                hit(node)
    return found


def test_no_status_is_assigned_outside_the_workflow_tables():
    grants = ROOT / "grants"
    offenders = [
        f"{path.relative_to(ROOT)}:{line}: {code.splitlines()[0]}"
        for path in sorted(grants.rglob("*.py"))
        if "migrations" not in path.parts and path != grants / "workflow.py"
        for line, code in status_writes(path.read_text())
    ]
    assert not offenders, "\n".join(offenders)


@pytest.mark.parametrize(
    "code",
    [
        "payment.status = Payment.Status.PAID",
        "a.x, report.review_status = 1, 'approved'",
        "claim.settled_at = now",
        "setattr(grant, 'status', 'closed')",
        "Payment(grant=g, status='paid')",
        "models.Grant(status='closed')",
        "Grant.objects.create(application=a, status='closed')",
        "Publication.objects.filter(pk=1).update(status='done')",
        "grant.payments.update(status='paid')",
        "Report.objects.update_or_create(grant=g, defaults={'review_status': 'approved'})",
        "Payment.objects.bulk_update(rows, ['amount', 'status'])",
    ],
)
def test_the_status_guard_finds_every_kind_of_write(code):
    assert status_writes(code), code


@pytest.mark.parametrize(
    "code",
    [
        "Payment.objects.filter(status='paid').exclude(status='planned')",
        "render(request, 'x.html', status=400)",
        "Round.objects.create(year=2030, status='open')",
        "workflow.new(Payment, status='released', grant=g)",
        "workflow.transition(payment, Payment.Status.PAID, user=user)",
        "if payment.status == 'paid': pass",
        "_settle(pk, status=Publication.Status.DONE)",
    ],
)
def test_the_status_guard_lets_reads_and_workflow_calls_pass(code):
    assert not status_writes(code), code
