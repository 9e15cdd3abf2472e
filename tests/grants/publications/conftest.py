import pytest

from tests.grants.publications.data import build_award_round


@pytest.fixture
def award_round(db):
    return build_award_round()
