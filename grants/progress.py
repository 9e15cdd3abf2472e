"""The one rule for "how far, and how long still" of a long job a person follows on a page (an
award list being laid out, a batch of letters being rendered): the parts done of the parts in
all and the estimated seconds left. Before any part is done the estimate is the one given (from
the last job of its kind on this machine); once parts are done it follows this job's own pace."""

import datetime as dt

from django.utils import timezone


def progress_state(
    done: int,
    total: int,
    *,
    started_at: dt.datetime | None,
    estimate_seconds: float | None = None,
    now: dt.datetime | None = None,
) -> dict:
    """{"done", "total", "percent", "seconds_left"}: seconds_left is None when nothing can be
    said (no estimate, nothing done yet without one) and at least 1 while the job runs."""
    now = now or timezone.now()
    elapsed = max((now - started_at).total_seconds(), 0.0) if started_at else 0.0
    estimate = estimate_seconds or 0
    if done and elapsed:
        estimate = elapsed + elapsed / done * max(total - done, 0)
    return {
        "done": done,
        "total": total,
        "percent": min(100, round(100 * done / total)) if total else 0,
        "seconds_left": max(1, round(estimate - elapsed)) if estimate else None,
    }
