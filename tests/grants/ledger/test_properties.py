"""The ledger's invariants over random sequences of decisions, payments, reports, corrections
and claims (hypothesis, stateful). Each example is one grant, rolled back afterwards; the
example counts come from the hypothesis profile (tests/conftest.py)."""

import contextlib
import os

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
from grants.services.payments import payment_mark_paid
from grants.services.portal import report_submit
from grants.services.reports import claim_entry_record, recovery_claim_decide, report_review

from .helpers import award, ledger_track

pytestmark = pytest.mark.django_db

amounts = st.integers(min_value=1, max_value=2_000).map(lambda n: n * 500)


# Examples and steps run, for bench/RESULTS.md (printed with LEDGER_STATS=1 and -s).
RUN = {"examples": 0, "steps": 0}


def test_ledger_invariants_hold_over_random_sequences(
    organisation, applicant, case_officer, decision_maker
):
    track = ledger_track(budget_cap=10**12)
    people = {"applicant": applicant, "officer": case_officer, "decider": decision_maker}

    class Ledger(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.atomic = transaction.atomic()
            self.atomic.__enter__()
            self.grant = None

        @initialize(first=amounts, second=amounts, multi=st.booleans())
        def make_grant(self, first, second, multi):
            self.grant = award(
                track=track,
                organisation=organisation,
                decision_maker=people["decider"],
                amount=0 if multi else first + second,
                per_year={"2031": first, "2032": second} if multi else None,
            )

        def _try(self, call, **kwargs):
            RUN["steps"] += 1
            with contextlib.suppress(ServiceError):
                call(**kwargs)
            self.grant = Grant.objects.select_related("application__round").get(pk=self.grant.pk)

        @rule(data=st.data())
        def pay(self, data):
            released = list(self.grant.payments.filter(status=Payment.Status.RELEASED))
            if released:
                payment = data.draw(st.sampled_from(released))
                self._try(payment_mark_paid, payment=payment, user=people["officer"])

        @rule(kind=st.sampled_from(["progress", "final"]), used=amounts, approve=st.booleans())
        def report(self, kind, used, approve):
            try:
                report = report_submit(
                    grant=self.grant,
                    kind=kind,
                    user=people["applicant"],
                    results="r",
                    money_used=used,
                )
            except ServiceError:
                return
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
            if self.grant is None:
                return
            ledger = grant_ledger(self.grant)
            assert ledger_problems(ledger) == []
            for claim in ledger.claims:
                assert claim.amount <= claim.paid_basis

        def teardown(self):
            RUN["examples"] += 1
            if self.grant is not None:
                ledger = grant_ledger(self.grant)
                grants = Grant.objects.filter(pk=self.grant.pk)
                assert totals_by("track_id", grants)[track.pk] == ledger.totals
                assert totals_by("round_id", grants)[track.round_id] == ledger.totals
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)

    run_state_machine_as_test(
        Ledger,
        settings=settings(
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
            deadline=None,
        ),
    )
    if os.environ.get("LEDGER_STATS"):
        print(f"\nledger state machine: {RUN['examples']} examples, {RUN['steps']} steps")
