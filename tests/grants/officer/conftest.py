import re

import pytest

from grants.selectors.officer import meeting_close_summary
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


def close_meeting(client, meeting, **extra):
    """Close a meeting as a decision maker does: open the confirmation page and confirm what it
    shows. When the page offers no confirmation (the meeting cannot close), confirm the current
    summary anyway, to see the server's own refusal."""
    url = f"/handlaggning/moten/{meeting.pk}/stang/"
    page = client.get(url)
    found = re.search(r'name="confirm" value="([0-9a-f]+)"', page.content.decode())
    confirm = found.group(1) if found else meeting_close_summary(meeting).fingerprint
    return client.post(url, {"confirm": confirm}, **extra)
