"""The figures for the annual report (issue 9, item 7): the page and its exports add up, per
dimension, from what is recorded, in a fixed number of queries; after the demo data every
settled grant balances (paid − used = claimed back)."""

import csv
import datetime as dt
import io
import re

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from grants.models import (
    Application,
    ClaimEntry,
    DecisionMeeting,
    Grant,
    Payment,
    RecoveryClaim,
    Report,
    Round,
    User,
)
from grants.selectors import annual_figures
from grants.services.ledger import Totals, grant_ledger
from tests import factories

pytestmark = pytest.mark.django_db

URL = "/handlaggning/arsredovisning/"


def _grant(track, amount):
    """A grant decided at a closed meeting (what the ledger counts as granted)."""
    application = factories.make_application(track=track, status=Application.Status.APPROVED)
    meeting = DecisionMeeting.objects.create(
        round=track.round, date=dt.date(track.round.year, 6, 12), status="closed"
    )
    return factories.make_grant(application=application, amount=amount, meeting=meeting)


def _paid(grant, amount):
    number = grant.payments.count() + 1
    return Payment.objects.create(
        grant=grant,
        number=number,
        due_date=dt.date(2030, 7, number),
        amount=amount,
        status=Payment.Status.PAID,
        paid_at=timezone.now(),
    )


def _final_report(grant, money_used):
    return Report.objects.create(
        grant=grant,
        kind=Report.Kind.FINAL,
        due_date=dt.date(2031, 6, 30),
        money_used=money_used,
        review_status=Report.Review.APPROVED,
    )


def _money_world():
    """Two grants in two tracks of one round."""
    track_a = factories.make_track()
    track_b = factories.make_track(round_=track_a.round, civil=False)
    return _grant(track_a, 700_000), _grant(track_b, 400_000)


def test_the_figures_add_up_per_dimension_from_the_recorded_rows(db):
    first, second = _money_world()
    _paid(first, 350_000)
    _paid(first, 350_000)
    _paid(second, 200_000)
    report = _final_report(first, 650_000)
    claim = RecoveryClaim.objects.create(
        grant=first,
        report=report,
        amount=50_000,
        reason="Outnyttjat",
        paid_basis=700_000,
        used_basis=650_000,
        due_date=dt.date(2031, 10, 31),
        settled_at=timezone.now(),
    )
    ClaimEntry.objects.create(
        claim=claim, kind=ClaimEntry.Kind.REPAID, amount=40_000, on_date=dt.date(2031, 9, 1)
    )
    ClaimEntry.objects.create(
        claim=claim,
        kind=ClaimEntry.Kind.WRITTEN_OFF,
        amount=10_000,
        reason="Särskilda skäl",
        on_date=dt.date(2031, 9, 2),
    )

    by_track = annual_figures.figures_by("track")
    a, b = by_track[first.track_id], by_track[second.track_id]
    assert (a.grants, a.granted, a.paid, a.used, a.claimed, a.repaid, a.written_off, a.open) == (
        1,
        700_000,
        700_000,
        650_000,
        50_000,
        40_000,
        10_000,
        0,
    )
    assert (b.granted, b.paid, b.used, b.claimed) == (400_000, 200_000, 0, 0)
    # Every breakdown sums to the same totals.
    totals = {table.key: table.total for table in annual_figures.annual_tables()}
    assert set(totals) == {"round", "year", "track", "org_type", "county", "municipality"}
    assert {(t.grants, t.granted, t.paid, t.used, t.claimed) for t in totals.values()} == {
        (2, 1_100_000, 900_000, 650_000, 50_000)
    }
    settled = annual_figures.settled_grants()
    assert [(g, g.paid, g.used, g.claimed, g.difference) for g in settled] == [
        (first, 700_000, 650_000, 50_000, 0)
    ]


def test_the_page_asks_a_fixed_number_of_queries(
    client, case_officer, django_assert_max_num_queries
):
    client.force_login(case_officer)
    first, _second = _money_world()
    _paid(first, 700_000)
    _final_report(first, 600_000)  # 100 000 not used and not (yet) claimed back
    with django_assert_max_num_queries(60) as few:
        assert client.get(URL).status_code == 200
    for _ in range(5):
        grant = _grant(factories.make_track(), 100_000)
        _paid(grant, 100_000)
        _final_report(grant, 90_000)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(URL).content.decode()
    assert "6 av dem går inte ihop" in html  # paid 100 000, used 90 000, nothing claimed


def test_the_exports_hold_the_same_figures(client, case_officer):
    first, _second = _money_world()
    _paid(first, 700_000)
    client.force_login(case_officer)
    response = client.get(URL + "export.csv")
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    header = rows[0]
    assert header[:4] == ["Uppdelning", "Värde", "Ansökningar", "Bidrag"]
    round_total = next(r for r in rows if r[0] == "Utlysning" and r[1] == "Totalt")
    assert int(round_total[header.index("Utbetalt (kr)")]) == 700_000
    response = client.get(URL + "export.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == header
    assert any(row[0] == "Län" for row in values)
    detailed = [r for r in rows if r[0] == "Utlysning, del och typ av organisation"]
    assert [r[1] for r in detailed] == [
        "2030: Ideella · Ideell förening",
        "2030: Kommuner · Ideell förening",
        "Totalt",
    ]


def test_applicants_and_anonymous_visitors_do_not_get_the_figures(client, applicant):
    assert client.get(URL).status_code == 302
    client.force_login(applicant)
    assert client.get(URL).status_code in (403, 404)


def test_after_the_demo_data_every_settled_grant_balances_on_the_page(client, demo):
    client.force_login(User.objects.get(email="handlaggare@demo.delmos.example"))
    html = client.get(URL).content.decode()
    rows = re.findall(
        r'data-grants="(\d+)" data-paid="(\d+)" data-used="(\d+)" data-claimed="(\d+)" '
        r'data-off="(\d+)"',
        html,
    )
    settled = Grant.objects.filter(
        reports__kind=Report.Kind.FINAL, reports__review_status=Report.Review.APPROVED
    )
    assert settled.count() > 0
    assert sum(int(n) for n, *_rest in rows) == settled.count()
    for _n, paid, used, claimed, off in rows:
        assert int(paid) - int(used) == int(claimed) and off == "0"
    assert sum(int(claimed) for *_rest, claimed, _off in rows) > 0  # the invented claims
    assert "går inte ihop" not in html
    # Grant by grant, from the recorded rows.
    for grant in settled:
        paid = sum(
            grant.payments.filter(status=Payment.Status.PAID).values_list("amount", flat=True)
        )
        used = grant.reports.get(kind=Report.Kind.FINAL).money_used
        claimed = sum(grant.recovery_claims.values_list("amount", flat=True))
        assert paid - used == claimed, grant
    assert RecoveryClaim.objects.filter(settled_at__isnull=False).exists()
    assert RecoveryClaim.objects.filter(settled_at__isnull=True).exists()
    paid = sum(Payment.objects.filter(status=Payment.Status.PAID).values_list("amount", flat=True))
    for table in annual_figures.annual_tables():
        assert table.total.paid == paid


def test_after_the_demo_data_the_page_totals_are_the_ledgers_and_settled_grants_balance(demo):
    grants = list(Grant.objects.select_related("application__round"))
    ledgers = {grant.pk: grant_ledger(grant) for grant in grants}
    total = sum((ledger.totals for ledger in ledgers.values()), Totals())
    assert total.paid > 0 and total.claimed > 0
    for table in annual_figures.annual_tables(detailed=True):
        t = table.total
        assert (t.granted, t.paid, t.used, t.claimed, t.repaid, t.written_off, t.open) == (
            total.granted,
            total.paid,
            total.used,
            total.claimed,
            total.repaid,
            total.written_off,
            total.open,
        ), table.key
    # Every settled 2020 grant (an approved final report): paid − used = claimed back.
    round_2020 = Round.objects.get(year=2020)
    settled = Grant.objects.filter(
        round=round_2020,
        reports__kind=Report.Kind.FINAL,
        reports__review_status=Report.Review.APPROVED,
    )
    assert settled.count() > 0
    for grant in settled:
        t = ledgers[grant.pk].totals
        assert t.paid - t.used == t.claimed, grant
