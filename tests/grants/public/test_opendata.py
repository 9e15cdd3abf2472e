import csv
import io
import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from grants import opendata
from grants.models import Decision, DecisionMeeting
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
    response = client.get("/oppna-data/360giving.json")
    assert response["Content-Type"].startswith("application/json")
    package = json.loads(_body(response))
    errors = sorted(_validator().iter_errors(package), key=str)
    assert errors == [], [e.message for e in errors[:5]]
    assert len(package["grants"]) == 70
    assert sum(g["amountAwarded"] for g in package["grants"]) == 81_700_000
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
    data = json.loads(client.get("/beviljade-bidrag.json?county=12").content)
    assert data["count"] == 3
    assert {g["beneficiaryLocation"][0]["name"] for g in data["grants"]} == {"Malmö"}


def test_open_data_page_explains_formats_licence_and_updates(client):
    html = client.get("/oppna-data/").content.decode()
    assert "360giving.json" in html and "beviljade-bidrag.csv" in html
    assert "CC0" in html
    assert "När uppgifterna uppdateras" in html
    assert "Recipient Org:Identifier" in html
