import pytest

from tests import factories


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Real hashing costs a third of a second per user; tests need many users, not strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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


@pytest.fixture
def demo(db):
    from grants.demo import load_demo

    load_demo()
