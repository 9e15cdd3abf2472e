"""Issue 9, bad input and failure: two officers settling the same grant at once give one result.
The grant's and the report's (or claim's) row locks make the second wait for the first and then
see its result, so it is refused instead of settling the grant a second time."""

import contextlib
import threading

import pytest
from django.db import connection

from grants.models import ClaimEntry, Payment, RecoveryClaim, Report
from grants.services import ServiceError
from grants.services import reports as report_services
from grants.services.payments import payment_mark_paid
from grants.services.portal import report_submit
from tests import factories

from .helpers import award, ledger_track, start_project

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason=(
            "SQLite has no row locks: a writing transaction locks the whole file, so two "
            "settlements cannot interleave there. CI runs this in its PostgreSQL pass."
        ),
    ),
]


def _race(monkeypatch, hook_name, calls):
    """Run `calls` in two threads, each on its own connection, starting together. The hook
    (a function of grants.services.reports the service calls once it holds its locks) waits
    for the other thread for up to two seconds: without the locks both would get there before
    either commits. Returns (results, refusals, other errors)."""
    checked = threading.Barrier(2, timeout=2)
    original = getattr(report_services, hook_name)

    def hook_then_wait(*args, **kwargs):
        found = original(*args, **kwargs)
        with contextlib.suppress(threading.BrokenBarrierError):  # the other waits for the lock
            checked.wait()
        return found

    monkeypatch.setattr(report_services, hook_name, hook_then_wait)
    start = threading.Barrier(2, timeout=10)
    done, refused, other = [], [], []

    def run(call):
        try:
            start.wait()
            done.append(call())
        except ServiceError as error:
            refused.append(error)
        except Exception as error:  # noqa: BLE001 - asserted below
            other.append(error)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    monkeypatch.undo()
    return done, refused, other


@pytest.fixture
def settling(organisation, applicant, decision_maker):
    """The 700 000 kr grant: the first instalment paid, the progress report approved, the final
    report (300 000 kr used) waiting for an officer."""
    first_officer = factories.make_officer(email="kim@example.org")
    second_officer = factories.make_officer(email="lo@example.org")
    grant = start_project(
        award(
            track=ledger_track(multi_year=False),
            organisation=organisation,
            decision_maker=decision_maker,
            amount=700_000,
        )
    )
    payment_mark_paid(payment=grant.payments.get(number=1), user=first_officer)
    progress = report_submit(
        grant=grant, kind="progress", user=applicant, results="Halvvägs", money_used=200_000
    )
    report_services.report_review(report=progress, user=first_officer, approve=True)
    # The second instalment is released but not paid when the final report comes in.
    report_submit(grant=grant, kind="final", user=applicant, results="Klart", money_used=300_000)
    return grant, first_officer, second_officer


def test_two_officers_approving_the_final_report_at_once_give_one_claim(monkeypatch, settling):
    grant, first_officer, second_officer = settling
    final = Report.objects.get(grant=grant, kind="final")
    copies = [Report.objects.get(pk=final.pk) for _ in range(2)]  # each officer's page
    done, refused, other = _race(
        monkeypatch,
        "report_order_problem",
        [
            lambda: report_services.report_review(
                report=copies[0], user=first_officer, approve=True
            ),
            lambda: report_services.report_review(
                report=copies[1], user=second_officer, approve=True
            ),
        ],
    )
    assert other == []
    assert len(done) == 1 and len(refused) == 1
    claims = list(RecoveryClaim.objects.filter(grant=grant))
    assert [c.amount for c in claims] == [50_000]  # 350 000 paid − 300 000 used
    assert Payment.objects.filter(grant=grant, status="cancelled").count() == 1
    assert grant.application.events.filter(action="claim.decided").count() <= 1


def test_two_officers_recording_the_same_repayment_at_once_record_it_once(monkeypatch, settling):
    grant, first_officer, second_officer = settling
    report_services.report_review(
        report=Report.objects.get(grant=grant, kind="final"), user=first_officer, approve=True
    )
    claim = RecoveryClaim.objects.get(grant=grant)
    copies = [RecoveryClaim.objects.get(pk=claim.pk) for _ in range(2)]
    done, refused, other = _race(
        monkeypatch,
        "claim_open_amount",
        [
            lambda: report_services.claim_entry_record(
                claim=copies[0], user=first_officer, kind="repaid", amount=50_000
            ),
            lambda: report_services.claim_entry_record(
                claim=copies[1], user=second_officer, kind="repaid", amount=50_000
            ),
        ],
    )
    assert other == []
    assert len(done) == 1 and len(refused) == 1
    assert refused[0].code in ("settled", "beyond_claim")
    assert list(ClaimEntry.objects.filter(claim=claim).values_list("amount", flat=True)) == [50_000]
    claim.refresh_from_db()
    assert claim.settled_at is not None
