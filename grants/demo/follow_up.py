"""What followed the 2020 grants: both instalments paid and both reports approved."""

import datetime as dt

from grants import workflow
from grants.demo.facts import at
from grants.models import Grant, Payment, Report, Round

# Both reports were submitted and approved.
REVIEWED = (Report.Review.NOT_SUBMITTED, Report.Review.PENDING, Report.Review.APPROVED)


def record(round_: Round, grant: Grant, total: int) -> None:
    """Two instalments (summer and December 2020) and both reports, all done by now."""
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
                money_used=total,
                submitted_at=at(dt.date(2021, 6, 10)),
                reviewed_at=at(dt.date(2021, 8, 30)),
            ),
        ]
    )
