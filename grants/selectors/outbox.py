"""Reads of the outbox: what a case's e-mails and documents are and when they were produced, and
the jobs that failed, for the officers' page."""

from django.db.models import Count, Q

from grants.access import applications_for_staff
from grants.models import LetterBatch, OutboxJob
from grants.outbox import DOCUMENT_KINDS, KIND_LABELS


def _labelled(jobs) -> list[OutboxJob]:
    jobs = list(jobs)
    for job in jobs:
        job.kind_label = KIND_LABELS.get(job.kind, job.kind)
        job.is_document = job.kind in DOCUMENT_KINDS
    return jobs


def deliveries(application) -> list[OutboxJob]:
    """The case's e-mails, documents and letters, oldest first (one query)."""
    return _labelled(application.outbox_jobs.order_by("created_at", "id"))


def jobs_for_staff(user):
    """Jobs a staff member may see: those of cases they may open, and those of no case."""
    return OutboxJob.objects.filter(
        Q(application__isnull=True) | Q(application__in=applications_for_staff(user))
    )


def failed_jobs(user) -> list[OutboxJob]:
    return _labelled(
        jobs_for_staff(user)
        .filter(status=OutboxJob.Status.FAILED)
        .select_related("application", "round")
        .order_by("-finished_at", "-id")[:200]
    )


def status_counts() -> dict[str, int]:
    """Jobs per state, every state present (one query)."""
    counts = dict(
        OutboxJob.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    return {value: counts.get(value, 0) for value in OutboxJob.Status.values}


def letter_batches(limit: int = 10) -> list[LetterBatch]:
    """The latest batches of letters, newest first, for the officers' page."""
    return list(LetterBatch.objects.select_related("meeting", "round")[:limit])
