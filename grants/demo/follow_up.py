"""What followed the 2020 grants: both instalments paid and both reports approved; a few grants
used less than they were paid and got an (invented) recovery claim for the rest, some repaid."""

import datetime as dt

from grants import workflow
from grants.demo.facts import at
from grants.models import Grant, Payment, RecoveryClaim, Report, Round

# Both reports were submitted and approved.
REVIEWED = (Report.Review.NOT_SUBMITTED, Report.Review.PENDING, Report.Review.APPROVED)


DEMO_CLAIM_REASON = (
    "Outnyttjat bidrag enligt slutrapporten: %(used)s kr använt av %(paid)s kr utbetalt "
    "(demonstrationsdata, påhittat återkrav)."
)


def record(round_: Round, grant: Grant, total: int, *, unused: int = 0) -> None:
    """Two instalments (summer and December 2020) and both reports, all done by now. With
    `unused`, the final report says that much less was used and it is claimed back (paid −
    used), open until settle_demo_claims."""
    first = total // 2
    Payment.objects.bulk_create(
        [
            workflow.new(
                Payment,
                history=(Payment.Status.RELEASED, Payment.Status.PAID),
                grant=grant,
                number=1,
                due_date=dt.date(2020, 7, 15),
                amount=first,
                paid_at=at(dt.date(2020, 7, 10)),
            ),
            workflow.new(
                Payment,
                history=(Payment.Status.PLANNED, Payment.Status.RELEASED, Payment.Status.PAID),
                grant=grant,
                number=2,
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
                due_date=round_.final_report_due,
                answers={"results": "Resultat enligt plan (demonstrationsdata)."},
                money_used=total - unused,
                submitted_at=at(dt.date(2021, 6, 10)),
                reviewed_at=at(dt.date(2021, 8, 30)),
            ),
        ]
    )
    if unused:
        claim = workflow.new(
            RecoveryClaim,
            grant=grant,
            report=Report.objects.get(grant=grant, kind=Report.Kind.FINAL),
            amount=unused,
            reason=DEMO_CLAIM_REASON % {"used": total - unused, "paid": total},
            due_date=dt.date(2021, 10, 31),
        )
        claim.save()


def settle_demo_claims(officer) -> None:
    """Half of the invented claims have been repaid: settled by the demo case officer (the
    system may not settle a claim), once the demo users exist."""
    claims = RecoveryClaim.objects.filter(
        settled_at__isnull=True, reason__contains="demonstrationsdata"
    ).select_related("grant__application")
    for claim in list(claims.order_by("pk"))[::2]:
        workflow.transition(claim, RecoveryClaim.Status.SETTLED, user=officer)
