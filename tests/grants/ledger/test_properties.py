"""The ledger's invariants over random sequences of decisions, payments, reports, corrections
and claims (hypothesis, stateful). The grants are made once per test through the real services
(one of each shape below); every generated sequence starts from one of them inside a savepoint
that is rolled back afterwards, so a sequence costs only its own steps. The example and step
counts come from the hypothesis profile (tests/conftest.py): the "ci" profile runs thousands of
sequences, on SQLite in `make test` and again on PostgreSQL in .ci/run."""

import datetime as dt
import os
import time

import pytest
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from grants.models import Grant, Payment, RecoveryClaim
from grants.services import ServiceError
from grants.services.corrections import correction_decide
from grants.services.ledger import grant_ledger, ledger_problems, totals_by
from grants.services.payments import payment_mark_paid, payments_release_due
from grants.services.portal import report_submit
from grants.services.reports import claim_entry_record, recovery_claim_decide, report_review

from .helpers import award, ledger_track

pytestmark = pytest.mark.django_db

amounts = st.integers(min_value=1, max_value=2_000).map(lambda n: n * 500)

# The grants every sequence starts from: single-year grants (two instalments, an odd amount
# splitting unevenly) and multi-year decisions (an instalment per grant year, the second waiting
# for the first year's report), small and large, even and lopsided. Corrections in the
# sequences then move every amount anywhere.
SHAPES = [
    (700_000, None),
    (1_000, None),
    (333_500, None),
    (2_000_000, None),
    (None, {"2031": 400_000, "2032": 300_000}),
    (None, {"2031": 470_000, "2032": 430_000}),
    (None, {"2031": 500, "2032": 500}),
    (None, {"2031": 1_000_000, "2032": 500}),
    (None, {"2031": 500, "2032": 1_000_000}),
]

# Sequences, steps and seconds, for bench/RESULTS.md (printed with LEDGER_STATS=1 and -s).
RUN = {"examples": 0, "steps": 0, "refused": 0}


def test_ledger_invariants_hold_over_random_sequences(
    organisation, applicant, case_officer, decision_maker
):
    track = ledger_track(budget_cap=10**12)
    people = {"applicant": applicant, "officer": case_officer, "decider": decision_maker}
    grant_ids = [
        award(
            track=track,
            organisation=organisation,
            decision_maker=decision_maker,
            amount=amount or 0,
            per_year=per_year,
        ).pk
        for amount, per_year in SHAPES
    ]

    class Ledger(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.atomic = transaction.atomic()
            self.atomic.__enter__()
            self.grant = None
            self.changed = False  # since the invariants were last checked
            self.ledger = None  # as they were last checked

        @initialize(shape=st.sampled_from(range(len(SHAPES))))
        def start_from(self, shape):
            self.grant = Grant.objects.select_related("application__round").get(pk=grant_ids[shape])
            self.changed = True

        def _try(self, call, **kwargs):
            """Call a service. Every service is atomic: a refused call leaves the database as
            it was, so only a call that went through needs the grant read again and the
            invariants checked."""
            RUN["steps"] += 1
            try:
                call(**kwargs)
            except ServiceError:
                RUN["refused"] += 1
                return
            self.changed = True
            self.grant = Grant.objects.select_related("application__round").get(pk=self.grant.pk)

        @rule(day=st.sampled_from([(2030, 12, 31), (2031, 1, 1), (2032, 5, 1)]))
        def time_passes(self, day):
            """The beat's daily release of instalments whose grant year has begun."""
            self._try(payments_release_due, today=dt.date(*day), user=None, grant=self.grant)

        @rule(data=st.data())
        def pay(self, data):
            released = list(self.grant.payments.filter(status=Payment.Status.RELEASED))
            if released:
                payment = data.draw(st.sampled_from(released))
                self._try(payment_mark_paid, payment=payment, user=people["officer"])

        @rule(kind=st.sampled_from(["progress", "final"]), used=amounts, approve=st.booleans())
        def report(self, kind, used, approve):
            RUN["steps"] += 1
            try:
                report = report_submit(
                    grant=self.grant,
                    kind=kind,
                    user=people["applicant"],
                    results="r",
                    money_used=used,
                )
            except ServiceError:
                RUN["refused"] += 1
                return
            self.changed = True
            self._try(
                report_review,
                report=report,
                user=people["officer"],
                approve=approve,
                notes="" if approve else "Ändra",
            )

        @rule(year=st.sampled_from([2031, 2032]), change=st.integers(-1_000_000, 1_000_000))
        def correct(self, year, change):
            self._try(
                correction_decide,
                grant=self.grant,
                user=people["decider"],
                reasons="Ändring",
                changes={year: change},
            )

        @rule(year_from=st.sampled_from([2031, 2032]), amount=st.integers(1, 500_000))
        def move(self, year_from, amount):
            self._try(
                correction_decide,
                grant=self.grant,
                user=people["decider"],
                reasons="Flytt",
                changes={year_from: -amount, 4063 - year_from: amount},
            )

        @rule(amount=amounts, grounds=st.sampled_from(["misuse", "conditions", "missing_report"]))
        def claim(self, amount, grounds):
            self._try(
                recovery_claim_decide,
                grant=self.grant,
                user=people["officer"],
                grounds=grounds,
                amount=amount,
                reason="Skäl",
            )

        @rule(data=st.data(), kind=st.sampled_from(["repaid", "written_off"]), amount=amounts)
        def settle(self, data, kind, amount):
            claims = list(RecoveryClaim.objects.filter(grant=self.grant, settled_at__isnull=True))
            if claims:
                self._try(
                    claim_entry_record,
                    claim=data.draw(st.sampled_from(claims)),
                    user=people["officer"],
                    kind=kind,
                    amount=amount,
                    reason="Särskilda skäl",
                )

        @invariant()
        def balances(self):
            if not self.changed:
                return
            self.changed = False
            self.ledger = ledger = grant_ledger(self.grant)
            # Instalments not cancelled ≤ granted (in all and per grant year), paid ≤ granted,
            # claimed ≤ paid, repaid and written off ≤ claimed, the grant's total = its decisions.
            assert ledger_problems(ledger) == []
            for claim in ledger.claims:
                assert claim.amount <= claim.paid_basis

        def teardown(self):
            RUN["examples"] += 1
            try:
                if self.grant is not None:
                    self.balances()  # (when the last step changed anything)
                    ledger = self.ledger
                    for name in ("granted", "planned", "released", "paid", "cancelled"):
                        lines = sum(getattr(line.totals, name) for line in ledger.lines)
                        assert lines == getattr(ledger.totals, name)
                    # The SQL sums grouped per round, track and grant (one GROUP BY over the
                    # three) agree with the ledger.
                    sums = totals_by(
                        ("round_id", "track_id", "id"), Grant.objects.filter(pk=self.grant.pk)
                    )
                    assert sums == {(track.round_id, track.pk, self.grant.pk): ledger.totals}
            finally:
                transaction.set_rollback(True)
                self.atomic.__exit__(None, None, None)

    started = time.monotonic()
    run_state_machine_as_test(
        Ledger,
        settings=settings(
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
            deadline=None,
        ),
    )
    if os.environ.get("LEDGER_STATS"):
        print(
            f"\nledger state machine: {RUN['examples']} sequences, {RUN['steps']} service calls "
            f"({RUN['refused']} refused) in {time.monotonic() - started:.1f} s"
        )
