"""The audit log, for the administrator."""

import csv
import json

from django.http import HttpResponse
from django.utils import timezone

from grants.access import administrator_required
from grants.selectors import officer as selectors


@administrator_required
def event_log_export(request):
    """The whole audit log as CSV, for the administrator."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="event-log.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(
        ["time", "actor", "action", "round", "application", "grant", "object", "details"]
    )
    for event in selectors.events_for_export().iterator(chunk_size=1000):
        writer.writerow(
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
        )
    return response
