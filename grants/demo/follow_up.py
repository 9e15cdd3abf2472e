"""What followed the 2020 grants: both instalments paid and both reports approved; a few
invented recovery claims (demonstration data: no real organisation's money), so the ledger
shows each way a claim ends: repaid, partly written off, still open. For every settled grant,
paid − used = claimed."""

import datetime as dt
from dataclasses import dataclass

from grants import workflow
from grants.demo.facts import at
from grants.models import Event, Grant, Payment, RecoveryClaim, Report, Round
from grants.services.reports import claim_entry_record

# How the invented claims end, in turn; one grant in EVERY (of those that are not facts) gets one.
CLAIM_ENDINGS = ("repaid", "written_off", "open", "repaid", "open")
EVERY = 7


@dataclass(frozen=True)
class Outcome:
    unused_share: int  # per cent of the grant not used; 0 for none
    ending: str | None

    @property
    def grant_history(self):
        if self.ending is None:
            return (Grant.Status.ACTIVE, Grant.Status.CLOSED)
        return (Grant.Status.ACTIVE, Grant.Status.REPORTED)


class Settlements:
    """Which invented grants end with a claim: every EVERY-th that is not a public fact, up to
    len(CLAIM_ENDINGS)."""

    def __init__(self):
        self.seen = 0
        self.claims = 0

    def next(self, plan) -> Outcome:
        if plan.fact:
            return Outcome(0, None)
        self.seen += 1
        if self.seen % EVERY or self.claims >= len(CLAIM_ENDINGS):
            return Outcome(0, None)
        ending = CLAIM_ENDINGS[self.claims]
        self.claims += 1
        return Outcome(4 + 3 * self.claims, ending)


# Both reports were submitted and approved.
REVIEWED = (Report.Review.NOT_SUBMITTED, Report.Review.PENDING, Report.Review.APPROVED)


def record(round_: Round, grant: Grant, total: int, *, outcome: Outcome | None = None) -> None:
    """Two instalments (summer and December 2020) and both reports, all done by now; with an
    outcome that has a claim, the final report leaves part of the money unused."""
    outcome = outcome or Outcome(0, None)
    year = round_.grant_period_start.year
    unused = (total * outcome.unused_share // 100) // 1000 * 1000 if outcome.ending else 0
    used = total - unused
    first = total // 2
    Payment.objects.bulk_create(
        [
            workflow.new(
                Payment,
                history=(Payment.Status.RELEASED, Payment.Status.PAID),
                grant=grant,
                number=1,
                grant_year=year,
                due_date=dt.date(2020, 7, 15),
                amount=first,
                paid_at=at(dt.date(2020, 7, 10)),
            ),
            workflow.new(
                Payment,
                history=(Payment.Status.PLANNED, Payment.Status.RELEASED, Payment.Status.PAID),
                grant=grant,
                number=2,
                grant_year=year,
                due_date=dt.date(2020, 12, 15),
                amount=total - first,
                paid_at=at(dt.date(2020, 12, 10)),
                requires_progress_report=True,
            ),
        ]
    )
    Report.objects.bulk_create(
        [
            workflow.new(
                Report,
                history=REVIEWED,
                grant=grant,
                kind=Report.Kind.PROGRESS,
                grant_year=year,
                due_date=round_.progress_report_due,
                answers={"deviations": "Inga väsentliga avvikelser (demonstrationsdata)."},
                submitted_at=at(dt.date(2020, 9, 25)),
                reviewed_at=at(dt.date(2020, 10, 20)),
            ),
            workflow.new(
                Report,
                history=REVIEWED,
                grant=grant,
                kind=Report.Kind.FINAL,
                grant_year=year,
                due_date=round_.final_report_due,
                answers={"results": "Resultat enligt plan (demonstrationsdata)."},
                money_used=used,
                submitted_at=at(dt.date(2021, 6, 10)),
                reviewed_at=at(dt.date(2021, 8, 30)),
            ),
        ]
    )
    if unused:
        _claim(grant, total=total, used=used, unused=unused, ending=outcome.ending)


def _claim(grant: Grant, *, total: int, used: int, unused: int, ending: str) -> None:
    """An invented claim of paid − used, decided after the final report, and how it ended."""
    claim = RecoveryClaim.objects.create(
        grant=grant,
        report=grant.reports.get(kind=Report.Kind.FINAL),
        amount=unused,
        grounds=RecoveryClaim.Grounds.UNUSED,
        reason=(
            f"Demonstrationsdata (påhittat återkrav): utbetalt {total} kr, varav {used} kr "
            f"använt enligt den godkända slutrapporten: {total} − {used} = {unused} kr ska "
            "betalas tillbaka."
        ),
        paid_basis=total,
        used_basis=used,
        due_date=dt.date(2021, 10, 15),
        is_demo=True,
    )
    RecoveryClaim.objects.filter(pk=claim.pk).update(created_at=at(dt.date(2021, 9, 15)))
    if ending == "repaid":
        claim_entry_record(
            claim=claim,
            user=None,
            kind="repaid",
            amount=unused,
            on_date=dt.date(2021, 10, 8),
            is_demo=True,
        )
    elif ending == "written_off":
        part = unused // 2
        claim_entry_record(
            claim=claim,
            user=None,
            kind="repaid",
            amount=unused - part,
            on_date=dt.date(2021, 10, 12),
            is_demo=True,
        )
        claim_entry_record(
            claim=claim,
            user=None,
            kind="written_off",
            amount=part,
            reason="Demonstrationsdata: särskilda skäl (föreningen har upphört med verksamheten).",
            on_date=dt.date(2021, 12, 1),
            is_demo=True,
        )
    # The follow-up happened in 2021, not when the demonstration was loaded.
    Event.objects.filter(grant=grant, action__startswith="recovery.").update(
        created_at=at(dt.date(2021, 12, 1))
    )
    Event.objects.filter(grant=grant, action="grant.recovered").update(
        created_at=at(dt.date(2021, 12, 1))
    )
