import os

import pytest
from hypothesis import settings as hypothesis_settings

from tests import demo_snapshot, factories

# Property-based tests: bounded example counts per profile. "dev" for a quick local run, "ci"
# (HYPOTHESIS_PROFILE=ci, set by .ci/run for its SQLite and PostgreSQL passes) for the thousands
# of generated sequences the ledger's invariants are checked over: 2000 sequences of at most 8
# steps each, every one starting from a grant made once per test (savepoint rolled back).
hypothesis_settings.register_profile(
    "dev", max_examples=25, stateful_step_count=25, deadline=None, derandomize=False
)
hypothesis_settings.register_profile("ci", max_examples=2000, stateful_step_count=8, deadline=None)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """On SQLite the test database is a file, not shared-cache memory, so that threads write in
    parallel the way requests do (shared-cache memory fails at once on a lock: it never waits)."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        folder = tmp_path_factory.mktemp("database")
        database.setdefault("TEST", {})["NAME"] = str(folder / "test.sqlite3")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Real hashing costs a third of a second per user; tests need many users, not strength."""
    settings.PASSWORD_HASHERS = demo_snapshot.TEST_PASSWORD_HASHERS


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Tests write files into a temporary folder, never into the project."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def applicant(db):
    return factories.make_user(email="applicant@example.org", full_name="Anna Applicant")


@pytest.fixture
def organisation(applicant):
    return factories.make_organisation(name="Föreningen Grannskap", members=[applicant])


@pytest.fixture
def other_applicant(db):
    user = factories.make_user(email="other@example.org")
    factories.make_organisation(name="Another association", members=[user])
    return user


@pytest.fixture
def case_officer(db):
    return factories.make_officer(email="officer@example.org")


@pytest.fixture
def decision_maker(db):
    return factories.make_decision_maker(email="decider@example.org")


@pytest.fixture(scope="session")
def _demo_snapshot(django_db_setup, django_db_blocker, tmp_path_factory):
    from delmos.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True  # the demo renders its 2020 lists in the build
    try:
        with django_db_blocker.unblock():
            return demo_snapshot.build(tmp_path_factory.mktemp("demo"))
    finally:
        app.conf.task_always_eager = eager


@pytest.fixture
def demo(_demo_snapshot, db, settings):
    """The demonstration data (grants.demo.load_demo), built once per session (demo_snapshot)."""
    demo_snapshot.restore(
        _demo_snapshot,
        media_root=settings.MEDIA_ROOT,
        private_media_root=settings.PRIVATE_MEDIA_ROOT,
    )
