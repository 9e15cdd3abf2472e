"""The outbox for officers: the jobs that failed after their last attempt, each with its error
and a retry action, the number of jobs in each state, and the progress of batches of letters."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from grants import outbox
from grants.access import staff_required
from grants.models import LetterBatch, OutboxJob
from grants.redirects import safe_next_url
from grants.selectors import outbox as selectors
from grants.services import ServiceError


@staff_required
def outbox_page(request):
    counts = selectors.status_counts()
    context = {
        "failed": selectors.failed_jobs(request.user),
        "batches": selectors.letter_batches(),
        "counts": [(label, counts[value]) for value, label in OutboxJob.Status.choices],
    }
    return render(request, "officer/outbox.html", context)


@require_POST
@staff_required
def outbox_retry(request, pk):
    job = get_object_or_404(selectors.jobs_for_staff(request.user), pk=pk)
    try:
        outbox.retry(job=job, user=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The job is queued again."))
    return redirect(safe_next_url(request, reverse("officer:outbox")))


@staff_required
def letter_batch_status(request, pk):
    """A batch of letters' progress, polled by htmx while its letters are being rendered."""
    batch = get_object_or_404(LetterBatch, pk=pk)
    return render(request, "officer/_letter_batch.html", {"batch": batch})
