import csv
import hashlib
import io
import json
from pathlib import Path
from unittest import mock

import flattentool
import pytest
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from grants import opendata
from grants.models import Decision, DecisionMeeting, Grant, OpenDataRelease
from grants.tasks.opendata import opendata_write, write_release
from regions.models import Kommun
from tests import factories

pytestmark = pytest.mark.django_db

SCHEMAS = Path(__file__).resolve().parents[2] / "data" / "360giving"
# The package schema names the grant schema by its published 1.4.2 address; serve the local
# 1.4.3 copy under that address (and its own) so validation never touches the network.
GRANT_SCHEMA_URIS = [
    "https://raw.githubusercontent.com/ThreeSixtyGiving/standard/1.4.2/schema/360-giving-schema.json",
    "https://raw.githubusercontent.com/ThreeSixtyGiving/standard/1.4.3/schema/360-giving-schema.json",
]


def _validator():
    package = json.loads((SCHEMAS / "360-giving-package-schema.json").read_text())
    # The schemas name their dialect with an http:// URI that the library does not know.
    grant = DRAFT202012.create_resource(
        json.loads((SCHEMAS / "360-giving-schema.json").read_text())
    )
    registry = Registry().with_resources([(uri, grant) for uri in GRANT_SCHEMA_URIS])
    return Draft202012Validator(
        package, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def _body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_360giving_package_of_the_demo_validates_against_the_schema(client, demo):
    write_release()
    response = client.get("/oppna-data/360giving.json")
    assert response["Content-Type"].startswith("application/json")
    package = json.loads(_body(response))
    errors = sorted(_validator().iter_errors(package), key=str)
    assert errors == [], [e.message for e in errors[:5]]
    # The 2020 round's 70 grants, and the open demonstration round's one multi-year grant.
    assert len(package["grants"]) == 71
    assert (
        sum(g["amountAwarded"] for g in package["grants"] if g["awardDate"].startswith("2020"))
        == 81_700_000
    )
    showcase = next(
        g
        for g in package["grants"]
        if g["recipientOrganization"][0]["name"] == "Hälsinglands utbildningsförbund"
    )
    assert showcase["id"].startswith("360G-")
    assert showcase["currency"] == "SEK"
    assert showcase["awardDate"] == "2020-06-12"
    assert showcase["recipientOrganization"][0]["id"].startswith("SE-ON-2")
    assert {loc["geoCode"] for loc in showcase["beneficiaryLocation"]} == {"2183", "2182", "2132"}
    assert showcase["plannedDates"][0]["startDate"] == "2020-07-01"
    assert "Kommuner" in showcase["grantProgramme"][0]["title"]


def test_the_validator_rejects_a_broken_grant(demo):
    package = opendata.package_360giving()
    package["grants"][0]["awardDate"] = "12 juni 2020"
    del package["grants"][1]["currency"]
    assert len(list(_validator().iter_errors(package))) >= 2


def test_package_leaves_out_grants_decided_at_an_open_meeting():
    [grant] = factories.make_public_grants(1)
    [pending] = factories.make_public_grants(1, track=grant.application.track)
    meeting = Decision.objects.get(application=pending.application).meeting
    meeting.status = DecisionMeeting.Status.OPEN
    meeting.save(update_fields=["status"])
    ids = {g["id"] for g in opendata.package_360giving()["grants"]}
    assert ids == {f"360G-delmos-{grant.pk}"}


def test_csv_export_takes_the_page_filters_and_uses_360giving_column_titles(client):
    factories.make_public_grants(2, areas=("Gävle",))
    factories.make_public_grants(3, areas=("Malmö",))
    response = client.get("/beviljade-bidrag.csv?county=21&sort=-amount")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(_body(response).decode())))
    assert rows[0][:5] == ["Identifier", "Title", "Description", "Currency", "Amount Awarded"]
    assert "Recipient Org:Identifier" in rows[0]
    assert "Beneficiary Location:0:Geographic Code" in rows[0]
    assert len(rows) == 3
    assert rows[1][4] == "101000"  # largest first, as on the page
    assert rows[1][rows[0].index("Beneficiary Location:0:Geographic Code")] == "2180"
    assert all(r[0].startswith("360G-") and r[3] == "SEK" for r in rows[1:])


def test_json_export_takes_the_page_filters(client):
    factories.make_public_grants(2, areas=("Gävle",))
    factories.make_public_grants(3, areas=("Malmö",))
    data = json.loads(_body(client.get("/beviljade-bidrag.json?county=12")))
    assert data["count"] == 3
    assert {g["beneficiaryLocation"][0]["name"] for g in data["grants"]} == {"Malmö"}


def test_open_data_page_explains_formats_licence_and_updates(client):
    html = client.get("/oppna-data/").content.decode()
    assert "360giving.json" in html and "beviljade-bidrag.csv" in html
    assert "CC0" in html
    assert "När uppgifterna uppdateras" in html
    assert "Recipient Org:Identifier" in html


# -- issue 14: the fields a harvester needs ---------------------------------------------------------


def test_package_names_modification_source_organisation_track_and_published_lists(demo):
    write_release()
    package = opendata.package_360giving()
    showcase = next(
        g
        for g in package["grants"]
        if g["recipientOrganization"][0]["name"] == "Hälsinglands utbildningsförbund"
    )
    grant = Grant.objects.get(pk=int(showcase["id"].removeprefix(opendata.PREFIX)))
    assert showcase["dateModified"] == grant.modified_at.replace(microsecond=0).isoformat()
    assert showcase["dataSource"] == "http://127.0.0.1:8000/oppna-data/360giving.json"
    recipient = showcase["recipientOrganization"][0]
    organisation = grant.application.organisation
    assert recipient["organisationType"] == "Kommunalförbund"
    assert recipient["addressLocality"] == organisation.town
    assert recipient["addressRegion"] == organisation.seat.name
    assert recipient["addressCountry"] == "SE"
    [track] = showcase["classifications"]
    assert track["vocabulary"] == "360G-delmos-track"
    assert track["code"] == grant.application.track.code
    assert track["title"] == grant.application.track.name
    # The newest rendered version of the track's list and of the round's combined list, each
    # in Swedish and English, linked where the public downloads them.
    documents = showcase["relatedDocument"]
    assert len(documents) == 4
    for document in documents:
        assert document["url"].startswith("http://127.0.0.1:8000/utlysningar/2020/listor/")
        assert document["url"].endswith((".sv.pdf", "/sv.pdf", "/en.pdf"))
        assert document["title"].startswith("Beviljade bidrag 2020")
    assert {d["url"].rsplit("/", 1)[1] for d in documents} == {"sv.pdf", "en.pdf"}


def test_date_modified_follows_a_supplementary_grant_and_the_organisation(time_machine):
    time_machine.move_to("2026-03-01 10:00:00+00:00", tick=False)
    [grant] = factories.make_public_grants(1)
    assert grant.modified_at.isoformat() == "2026-03-01T10:00:00+00:00"
    time_machine.move_to("2026-04-01 10:00:00+00:00", tick=False)
    grant.amount_total += 50_000
    grant.save(update_fields=["amount_total"])
    grant.refresh_from_db()
    assert grant.modified_at.isoformat() == "2026-04-01T10:00:00+00:00"
    time_machine.move_to("2026-05-01 10:00:00+00:00", tick=False)
    organisation = grant.application.organisation
    organisation.name = "Nytt namn förening"
    organisation.save()
    grant.refresh_from_db()
    assert grant.modified_at.isoformat() == "2026-05-01T10:00:00+00:00"
    assert grant.org_name == "Nytt namn förening"


def test_csv_gives_every_municipality_its_own_columns(client):
    factories.make_public_grants(1, areas=("Gävle", "Sandviken", "Hofors"))
    factories.make_public_grants(1, areas=("Gävle",))
    rows = list(
        csv.DictReader(io.StringIO(_body(client.get("/beviljade-bidrag.csv?county=21")).decode()))
    )
    assert len(rows) == 2
    widest = max(rows, key=lambda r: r["Beneficiary Location:2:Name"])
    assert [widest[f"Beneficiary Location:{i}:Name"] for i in range(3)] == [
        "Gävle",
        "Hofors",
        "Sandviken",
    ]
    assert widest["Beneficiary Location:1:Geographic Code"] == "2104"
    narrow = next(r for r in rows if r is not widest)
    assert narrow["Beneficiary Location:1:Name"] == ""
    assert "Beneficiary Location:3:Name" not in rows[0]


# -- the round trip through flattentool (the 360Giving tool) ----------------------------------------


def _unflatten_csv(csv_bytes: bytes, tmp_path) -> list[dict]:
    """The CSV back to 360Giving JSON by flattentool, with the column titles of the schema."""
    sheets = tmp_path / "csv"
    sheets.mkdir()
    (sheets / "grants.csv").write_bytes(csv_bytes)
    output = tmp_path / "unflattened.json"
    flattentool.unflatten(
        str(sheets),
        input_format="csv",
        output_name=str(output),
        root_list_path="grants",
        # The grant schema: flattentool maps the main sheet's titles and types from it.
        schema=str(SCHEMAS / "360-giving-schema.json"),
        convert_titles=True,
        id_name="id",
        root_id="",
    )
    return json.loads(output.read_text())["grants"]


def _plain(value):
    """Numbers as numbers whatever type a reader chose (flattentool reads some as Decimal)."""
    return json.loads(json.dumps(value, default=float), parse_float=lambda s: float(s))


def test_flattentool_reads_the_csv_file_back_to_the_json_package(demo, tmp_path, client):
    write_release()
    package = json.loads(_body(client.get("/oppna-data/360giving.json")))
    csv_file = _body(client.get("/oppna-data/beviljade-bidrag.csv"))
    from_csv = _unflatten_csv(csv_file, tmp_path)
    assert len(from_csv) == len(package["grants"]) == 71
    by_id = {g["id"]: g for g in package["grants"]}
    assert [g["id"] for g in from_csv] == list(by_id)
    for grant in from_csv:
        assert _plain(grant) == _plain(by_id[grant["id"]]), grant["id"]
    # The related documents and several municipalities made it through, not just the basics.
    assert any(len(g.get("beneficiaryLocation", [])) > 1 for g in from_csv)
    assert any(len(g.get("relatedDocument", [])) == 4 for g in from_csv)


# -- the files: written by the job, served with validators, never built in a request ----------------


def test_before_the_first_files_exist_the_package_answers_503_with_retry_after(client):
    factories.make_public_grants(2)
    response = client.get("/oppna-data/360giving.json")
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert "Försök igen om en minut" in response.content.decode()
    english = client.get("/en/oppna-data/360giving.json")
    assert english.status_code == 503
    assert "Please try again in a minute" in english.content.decode()
    assert client.get("/beviljade-bidrag.csv").status_code == 503


def test_files_are_served_with_etag_last_modified_and_304(client):
    factories.make_public_grants(3)
    release = write_release()
    response = client.get("/oppna-data/360giving.json")
    assert response.status_code == 200
    body = _body(response)
    assert response["ETag"] == f'"{release.package_sha256}"'
    assert hashlib.sha256(body).hexdigest() == release.package_sha256
    assert int(response["Content-Length"]) == release.package_size == len(body)
    assert response["Cache-Control"] == "public, no-cache"
    assert "Last-Modified" in response
    again = client.get("/oppna-data/360giving.json", headers={"If-None-Match": response["ETag"]})
    assert again.status_code == 304
    assert again["ETag"] == response["ETag"]
    since = client.get(
        "/oppna-data/360giving.json", headers={"If-Modified-Since": response["Last-Modified"]}
    )
    assert since.status_code == 304
    csv_response = client.get("/oppna-data/beviljade-bidrag.csv")
    assert csv_response["ETag"] == f'"{release.csv_sha256}"'
    assert csv_response["Content-Type"].startswith("text/csv")
    # The unfiltered award list CSV is the same file.
    unfiltered = client.get("/beviljade-bidrag.csv")
    assert unfiltered["ETag"] == csv_response["ETag"]
    assert _body(unfiltered) == _body(csv_response)


def test_after_a_change_the_previous_files_answer_until_the_job_has_written_new_ones(client):
    [first, *_rest] = factories.make_public_grants(2)
    old = write_release()
    [added] = factories.make_public_grants(1, track=first.application.track)
    response = client.get("/oppna-data/360giving.json")
    assert response.status_code == 200
    assert response["ETag"] == f'"{old.package_sha256}"'
    ids = {g["id"] for g in json.loads(_body(response))["grants"]}
    assert f"360G-delmos-{added.pk}" not in ids
    new = write_release()
    assert new.data_version != old.data_version
    response = client.get(
        "/oppna-data/360giving.json", headers={"If-None-Match": f'"{old.package_sha256}"'}
    )
    assert response.status_code == 200
    assert f"360G-delmos-{added.pk}" in {g["id"] for g in json.loads(_body(response))["grants"]}


def test_the_job_writes_once_per_data_version_and_keeps_two(client):
    [grant] = factories.make_public_grants(1)
    first = write_release()
    assert first is not None
    assert write_release() is None  # nothing changed: nothing written
    assert opendata_write() == "current"
    storage_names = [first.package.name, first.csv.name]
    for _ in range(2):
        factories.make_public_grants(1, track=grant.application.track, areas=("Malmö",))
        assert opendata_write() == "written"
    assert OpenDataRelease.objects.count() == 2
    assert not OpenDataRelease.objects.filter(pk=first.pk).exists()
    assert not any(default_storage.exists(name) for name in storage_names)
    newest = opendata.current_release()
    assert newest.grant_count == 3
    assert default_storage.exists(newest.package.name)


def test_serving_the_package_builds_nothing_and_caches_nothing(
    client, django_assert_max_num_queries
):
    factories.make_public_grants(3)
    write_release()
    with (
        mock.patch.object(opendata, "package_chunks") as build,
        mock.patch.object(cache, "set") as cache_set,
        django_assert_max_num_queries(1),
    ):
        response = client.get("/oppna-data/360giving.json")
        _body(response)
    assert response.status_code == 200
    build.assert_not_called()
    cache_set.assert_not_called()


def _export_queries(client, path) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
        _body(response)
    assert response.status_code == 200
    return len(queries)


def test_filtered_exports_read_a_fixed_number_of_queries_whatever_the_rows(client):
    track = factories.make_public_grants(2, areas=("Gävle",))[0].application.track
    few_csv = _export_queries(client, "/beviljade-bidrag.csv?county=21")
    few_json = _export_queries(client, "/beviljade-bidrag.json?county=21")
    factories.make_public_grants(25, track=track, areas=("Gävle", "Sandviken"))
    cache.clear()
    assert _export_queries(client, "/beviljade-bidrag.csv?county=21") == few_csv
    assert _export_queries(client, "/beviljade-bidrag.json?county=21") == few_json


def test_filtered_exports_read_names_and_published_lists_once_per_data_version(client):
    factories.make_public_grants(2, areas=("Gävle",))
    client.get("/beviljade-bidrag/?county=21")  # the filter's choices, kept per data version
    first = _export_queries(client, "/beviljade-bidrag.csv?county=21")
    # The municipalities' names and the published lists are read once per data version.
    assert _export_queries(client, "/beviljade-bidrag.csv?county=21&sort=amount") == first - 2
    assert _export_queries(client, "/beviljade-bidrag.json?county=21&sort=amount") < first


def test_filtered_exports_follow_a_renamed_municipality_at_once(client):
    factories.make_public_grants(1, areas=("Gävle",))
    before = _body(client.get("/beviljade-bidrag.csv?county=21")).decode()
    assert "Gävle" in before
    Kommun.objects.filter(name="Gävle").update(name="Gävle stad")
    rows = list(
        csv.DictReader(io.StringIO(_body(client.get("/beviljade-bidrag.csv?county=21")).decode()))
    )
    assert rows[0]["Beneficiary Location:0:Name"] == "Gävle stad"
    grants = json.loads(_body(client.get("/beviljade-bidrag.json?county=21")))["grants"]
    assert grants[0]["beneficiaryLocation"][0]["name"] == "Gävle stad"


def test_a_short_filtered_csv_finds_its_widest_grant_in_the_rows_it_reads(client):
    factories.make_public_grants(1, areas=("Gävle", "Sandviken", "Hofors"))
    factories.make_public_grants(2, areas=("Gävle",))
    path = "/beviljade-bidrag.csv?county=21"
    client.get("/beviljade-bidrag/?county=21")  # the filter's choices, kept per data version
    _export_queries(client, path)  # the export's context, kept per data version
    short = _export_queries(client, path)
    body = _body(client.get(path))
    # A result longer than what is read ahead asks the database for its widest grant.
    with mock.patch.object(opendata, "AHEAD_ROWS", 2):
        assert _export_queries(client, path) == short + 1
        assert _body(client.get(path)) == body
    assert b"Beneficiary Location:2:Name" in body
    assert b"Beneficiary Location:3:Name" not in body
