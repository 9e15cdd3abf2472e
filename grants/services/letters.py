"""Letters rendered as a batch: a closed meeting's decision letters, or a round's missing
letters (`manage.py render_letters --queue`). One `LetterBatch` row the officer's pages follow,
one outbox job per letter (grants.tasks.officer.letter_job), each job counting the batch's
finished letters after its letter (`letter_batch_count`)."""

from django.db import transaction
from django.utils import timezone

from grants.models import Decision, LetterBatch, RecoveryClaim
from grants.outbox import enqueue

BATCH_MODELS = {"decision": Decision, "recovery": RecoveryClaim}
DEFAULT_SECONDS_PER_LETTER = 1.0  # one PDF, before any batch has finished on this machine


def seconds_per_letter() -> float:
    """One letter's seconds, from the last batch that finished here (queue time included)."""
    last = (
        LetterBatch.objects.exclude(finished_at=None)
        .filter(total__gt=0)
        .order_by("-finished_at")
        .values("total", "english", "created_at", "finished_at")
        .first()
    )
    if not last:
        return DEFAULT_SECONDS_PER_LETTER
    seconds = (last["finished_at"] - last["created_at"]).total_seconds() / last["total"]
    return max(seconds / (2 if last["english"] else 1), 0.05)


def letter_batch_create(
    objects,
    *,
    kind: str = "decision",
    meeting=None,
    round_=None,
    english: bool = False,
    user=None,
) -> LetterBatch:
    """The batch row of the letters of `objects` (Decisions or RecoveryClaims), with its first
    estimate; its letters are made by `letter_render`, each followed by `letter_batch_count`."""
    ids = [obj.pk for obj in objects]
    batch = LetterBatch.objects.create(
        kind=kind,
        meeting=meeting,
        round=round_,
        object_ids=ids,
        english=english,
        total=len(ids),
        estimate_seconds=round_up(seconds_per_letter() * len(ids) * (2 if english else 1)),
        created_by=user,
    )
    if not ids:
        LetterBatch.objects.filter(pk=batch.pk).update(finished_at=batch.created_at)
        batch.finished_at = batch.created_at
    return batch


@transaction.atomic
def letter_batch_enqueue(
    objects,
    *,
    kind: str = "decision",
    meeting=None,
    round_=None,
    english: bool = False,
    notify: bool = True,
    user=None,
) -> LetterBatch:
    """A batch of `objects` and one letter job for each, in the caller's transaction."""
    objects = list(objects)
    batch = letter_batch_create(
        objects, kind=kind, meeting=meeting, round_=round_, english=english, user=user
    )
    for obj in objects:
        application = obj.application if kind == "decision" else obj.grant.application
        enqueue(
            "letter",
            payload={
                "kind": kind,
                "object": obj.pk,
                "batch": batch.pk,
                "notify": notify,
                "english": english,
            },
            application=application,
            description=f"{application.case_number}: {kind} letter",
        )
    return batch


def round_up(seconds: float) -> int:
    return max(1, int(seconds + 0.999))


def letter_batch_count(batch_id: int) -> int:
    """Count the batch's letters that exist (with their English copy when the batch asks for
    one) into `done`: a recount, never an increment, so a letter job run again (a worker
    restarted, the sweeper re-enqueued it) counts once, and `done` never goes down."""
    batch = LetterBatch.objects.only("kind", "object_ids", "english", "total").get(pk=batch_id)
    letters = (
        BATCH_MODELS[batch.kind].objects.filter(pk__in=batch.object_ids).exclude(letter_pdf="")
    )
    if batch.english:
        letters = letters.exclude(letter_pdf_en="")
    done = letters.count()
    LetterBatch.objects.filter(pk=batch_id, done__lt=done).update(done=done)
    if done >= batch.total:
        LetterBatch.objects.filter(pk=batch_id, finished_at=None).update(finished_at=timezone.now())
    return done
