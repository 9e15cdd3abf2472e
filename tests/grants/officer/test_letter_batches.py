"""Letters rendered as a batch: the officer follows how many are done of how many, with an
estimate, on the meeting's page and under E-mails and documents; the count survives a worker
that died halfway (the outbox runs a letter job again, and it counts once)."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from grants import outbox
from grants.models import Decision, DecisionMeeting, LetterBatch, OutboxJob, Publication
from grants.progress import progress_state
from grants.services.letters import letter_batch_count
from tests import factories

from .conftest import close_meeting, submit

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2030, 6, 12, 10, 0, tzinfo=dt.UTC)


def test_the_progress_rule_uses_the_given_estimate_then_the_jobs_own_pace():
    at = T0 + dt.timedelta(seconds=6)
    # Nothing done yet: the estimate given (from the last job of its kind), less the time gone.
    assert progress_state(0, 12, started_at=T0, estimate_seconds=20, now=at) == {
        "done": 0,
        "total": 12,
        "percent": 0,
        "seconds_left": 14,
    }
    # 3 of 12 in 6 s: 2 s each, 9 to go, so 18 s left, whatever the first estimate said.
    assert progress_state(3, 12, started_at=T0, estimate_seconds=500, now=at) == {
        "done": 3,
        "total": 12,
        "percent": 25,
        "seconds_left": 18,
    }
    # No estimate and nothing done: nothing to say; a late last part still says "about 1 s".
    assert progress_state(0, 12, started_at=T0, now=at)["seconds_left"] is None
    assert progress_state(0, 0, started_at=None, now=at)["percent"] == 0
    assert progress_state(4, 4, started_at=T0, estimate_seconds=3, now=at)["seconds_left"] == 1


def test_the_publish_page_and_the_letters_follow_the_same_rule():
    """One home for the rule: a list's rows and a batch's letters give the same estimate for the
    same counts and times."""
    started = timezone.now() - dt.timedelta(seconds=10)
    publication = Publication(
        started_at=started,
        progress={"languages": 2, "languages_done": [], "rows_done": 100, "rows_total": 400},
    )
    batch = LetterBatch(created_at=started, done=100, total=400, estimate_seconds=5)
    rows, letters = publication.progress_state(), batch.progress_state()
    assert (rows["rows_done"], rows["rows_total"]) == (100, 400)
    assert letters["done"] == 100 and letters["total"] == 400 and letters["running"]
    assert rows["seconds_left"] == letters["seconds_left"] == 30


@pytest.fixture
def closed_meeting(client, track, decision_maker):
    """A meeting with an approval and a refusal, closed: its two letters are queued, not made."""
    client.force_login(decision_maker)
    meeting = DecisionMeeting.objects.create(round=track.round, date=dt.date(2030, 6, 12))
    for outcome, data in (("approved", {"amount": "300000"}), ("rejected", {"reasons": "Nej"})):
        application = submit(factories.make_application(track=track), assess=True)
        meeting.agenda.add(application)
        prefix = f"a{application.pk}-"
        response = client.post(
            f"/handlaggning/moten/{meeting.pk}/beslut/{application.pk}/",
            {prefix + "outcome": outcome, **{prefix + k: v for k, v in data.items()}},
        )
        assert response.status_code == 302
    assert close_meeting(client, meeting).status_code == 302  # on_commit not run: no worker yet
    return meeting


def _status(client, batch) -> str:
    return client.get(f"/handlaggning/utskick/brev/{batch.pk}/").content.decode()


def test_a_closed_meetings_letters_are_one_batch_the_officer_follows(client, closed_meeting):
    (batch,) = LetterBatch.objects.all()
    jobs = list(OutboxJob.objects.filter(kind="letter").order_by("pk"))
    assert (batch.meeting, batch.total, batch.done) == (closed_meeting, 2, 0)
    assert [job.payload["batch"] for job in jobs] == [batch.pk, batch.pk]
    assert batch.estimate_seconds >= 1

    # The meeting's page and the outbox page show it in a polite live region, polled by htmx.
    for url in (f"/handlaggning/moten/{closed_meeting.pk}/", "/handlaggning/utskick/"):
        html = client.get(url).content.decode()
        assert 'aria-live="polite"' in html and f'id="letter-batch-{batch.pk}"' in html
        assert "0 av 2 brev klara" in html and "htmx.min.js" in html
    status = _status(client, batch)
    assert 'data-hx-trigger="every 2s"' in status
    assert "0 av 2 brev klara, cirka" in status  # the first estimate, before any letter

    assert outbox.run(jobs[0].pk) == "done"
    batch.refresh_from_db()
    assert batch.done == 1 and batch.finished_at is None
    status = _status(client, batch)
    assert "1 av 2 brev klara, cirka" in status and "data-hx-get" in status

    assert outbox.run(jobs[1].pk) == "done"
    batch.refresh_from_db()
    assert batch.done == 2 and batch.finished_at is not None
    status = _status(client, batch)
    assert "Alla 2 brev är klara." in status and "data-hx-get" not in status


def test_a_letter_job_run_again_after_a_worker_died_counts_once(closed_meeting):
    batch = LetterBatch.objects.get()
    first, _second = OutboxJob.objects.filter(kind="letter").order_by("pk")
    assert outbox.run(first.pk) == "done"
    # A worker killed after the letter was filed and before the job and the count were recorded:
    # the sweeper finds the job running with its lock free, and it runs again.
    LetterBatch.objects.filter(pk=batch.pk).update(done=0)
    OutboxJob.objects.filter(pk=first.pk).update(status="running")
    assert outbox.run(first.pk) == "done"
    assert LetterBatch.objects.get().done == 1
    assert outbox.run(first.pk) == "skipped"  # done: a third message changes nothing
    assert letter_batch_count(batch.pk) == 1 and LetterBatch.objects.get().done == 1


def test_a_failed_letter_stops_the_polling_and_says_so(client, closed_meeting):
    batch = LetterBatch.objects.get()
    first, second = OutboxJob.objects.filter(kind="letter").order_by("pk")
    assert outbox.run(first.pk) == "done"
    OutboxJob.objects.filter(pk=second.pk).update(status="failed", error="disk full")
    status = _status(client, batch)
    assert "1 av 2 brev klara, 1 misslyckades." in status and "data-hx-get" not in status


def test_the_command_queues_a_rounds_missing_letters_as_one_batch(track, decision_maker, capsys):
    meeting = DecisionMeeting.objects.create(
        round=track.round, date=dt.date(2030, 6, 12), status="closed"
    )
    decisions = [
        Decision.objects.create(
            application=factories.make_application(track=track),
            meeting=meeting,
            outcome="rejected",
            reasons="Nej",
        )
        for _ in range(2)
    ]
    call_command("render_letters", "--year", str(track.round.year), "--queue", "--english")
    batch = LetterBatch.objects.get()
    assert batch.object_ids == [d.pk for d in decisions] and batch.english
    assert batch.round == track.round and batch.meeting is None
    jobs = OutboxJob.objects.filter(kind="letter")
    assert {(j.payload["english"], j.payload["notify"]) for j in jobs} == {(True, False)}
    assert f"2 letters queued for {track.round.year} (batch {batch.pk})" in capsys.readouterr().out
