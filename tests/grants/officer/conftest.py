import pytest

from grants.services.applications import application_transition
from grants.workflow import ApplicationStatus
from tests import factories


def submit(application, *, assess=False):
    """Bring a draft to submitted (and in assessment) as the system, like the portal would."""
    application_transition(application=application, to_status=ApplicationStatus.SUBMITTED)
    if assess:
        application_transition(application=application, to_status=ApplicationStatus.IN_ASSESSMENT)
    application.refresh_from_db()
    return application


@pytest.fixture
def track(db):
    return factories.make_track(budget_cap=1_000_000)


@pytest.fixture
def submitted(track, organisation):
    return submit(factories.make_application(track=track, organisation=organisation))
