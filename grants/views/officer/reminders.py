"""What the officers' daily digest says, as lists in the workspace, and the reminders sent."""

import datetime as dt

from django.shortcuts import render
from django.utils import timezone

from grants.access import staff_required
from grants.selectors import reminders as selectors

PERIODS = (1, 7, 30)


@staff_required
def reminders(request):
    """New submissions, answered supplements, submitted reports and what is overdue, over the
    last day (or the chosen number of days), and the latest reminders with when they were sent."""
    try:
        days = int(request.GET.get("dagar", "1"))
    except ValueError:
        days = 1
    days = days if days in PERIODS else 1
    since = timezone.now() - dt.timedelta(days=days)
    return render(
        request,
        "officer/reminders.html",
        {
            "digest": selectors.digest(since=since),
            "days": days,
            "periods": PERIODS,
            "sent": selectors.recent_reminders(),
        },
    )
