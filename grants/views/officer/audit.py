"""The audit log, for the administrator."""

import json

from django.utils import timezone

from grants import exports
from grants.access import administrator_required
from grants.selectors import officer as selectors


@administrator_required
def event_log_export(request):
    """The whole audit log as CSV, for the administrator."""
    rows = (
        [
            timezone.localtime(event.created_at).isoformat(),
            event.actor.email if event.actor else "",
            event.action,
            event.round.year if event.round else "",
            event.application.case_number if event.application else "",
            event.grant_id or "",
            event.target,
            json.dumps(event.data, ensure_ascii=False, sort_keys=True),
        ]
        for event in selectors.events_for_export().iterator(chunk_size=1000)
    )
    return exports.csv_response(
        "event-log.csv",
        ["time", "actor", "action", "round", "application", "grant", "object", "details"],
        rows,
    )
