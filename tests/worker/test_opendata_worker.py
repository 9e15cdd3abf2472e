"""The open data job under a real worker and its beat (run by .ci/run): the files appear without
anyone asking, and again after the data changed, while the web serves the newest complete ones."""

import json

import pytest

from grants import opendata
from grants.models import OpenDataRelease
from tests import factories
from tests.worker.conftest import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _package(client) -> dict:
    response = client.get("/oppna-data/360giving.json")
    assert response.status_code == 200
    return json.loads(b"".join(response.streaming_content))


def test_beat_writes_the_open_data_files_and_writes_them_again_after_a_change(worker, client):
    [grant, _other] = factories.make_public_grants(2)
    assert client.get("/oppna-data/360giving.json").status_code == 503
    worker.env["OPENDATA_SWEEP_SECONDS"] = "2"
    worker.start()
    wait_for(OpenDataRelease.objects.exists, timeout=120, what="the first open data files")
    first = opendata.current_release()
    assert first.grant_count == 2
    assert len(_package(client)["grants"]) == 2
    factories.make_public_grants(1, track=grant.application.track, areas=("Malmö",))
    wait_for(
        lambda: opendata.current_release().pk != first.pk,
        timeout=120,
        what="the files of the new data version",
    )
    newest = opendata.current_release()
    assert newest.grant_count == 3
    assert len(_package(client)["grants"]) == 3
    worker.stop()
