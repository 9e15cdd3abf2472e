import datetime as dt
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from pypdf import PdfReader

from grants.models import Event, OutboxJob, Publication
from grants.outbox import outbox_sweep
from grants.services import ServiceError
from grants.services.publications import publication_publish, publication_retry
from grants.tasks import publications as tasks

pytestmark = pytest.mark.django_db

JUNE_25 = dt.date(2031, 6, 25)


def _text(field) -> str:
    reader = PdfReader(field.path)
    return "\n".join(page.extract_text() for page in reader.pages).replace("\xa0", " ")


@pytest.fixture
def civil_list(award_round, django_capture_on_commit_callbacks):
    civil = award_round.tracks.get(code="ideella")
    with django_capture_on_commit_callbacks(execute=True):
        (publication,) = publication_publish(
            round_=award_round, track=civil, as_of=JUNE_25, note="uppdaterad 25 juni"
        )
    publication.refresh_from_db()
    return publication


def test_publishing_renders_tagged_swedish_and_english_pdfs_with_every_recipient(civil_list):
    assert civil_list.status == Publication.Status.DONE
    assert civil_list.attempts == 1 and civil_list.error == ""
    assert civil_list.pdf.name == "lists/2031/ideella-v1.sv.pdf"
    assert civil_list.pdf_en.name == "lists/2031/ideella-v1.en.pdf"
    swedish, english = _text(civil_list.pdf), _text(civil_list.pdf_en)
    for name in ("Föreningen Alby", "Ängby förening", "Örebro föreningsråd"):
        assert name in swedish and name in english
    assert "Zeta förening" not in swedish
    assert "1 000 000 kr" in swedish and "SEK 1,000,000" in english
    assert "varav tilläggsbidrag 50 000 kr" in swedish
    assert "sida 1 av 1" in swedish and "page 1 of 1" in english
    assert "uppdaterad 25 juni" in swedish
    for field, language in ((civil_list.pdf, "sv"), (civil_list.pdf_en, "en")):
        root = PdfReader(field.path).trailer["/Root"]
        assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
        assert root["/Lang"] == language
        assert "2031" in PdfReader(field.path).metadata["/Title"]


def test_rendered_event_records_the_file_hashes(civil_list):
    import hashlib

    event = Event.objects.get(action="publication.rendered")
    files = event.data["files"]
    assert (
        files["sv"]["sha256"] == hashlib.sha256(Path(civil_list.pdf.path).read_bytes()).hexdigest()
    )
    assert files["en"]["name"] == civil_list.pdf_en.name


def test_running_the_task_again_leaves_a_done_publication_alone(civil_list):
    before = Path(civil_list.pdf.path).read_bytes()
    assert tasks.publication_render(civil_list.pk) == "skipped"
    civil_list.refresh_from_db()
    assert civil_list.attempts == 1
    assert Path(civil_list.pdf.path).read_bytes() == before
    assert Event.objects.filter(action="publication.rendered").count() == 1
    folder = Path(settings.MEDIA_ROOT) / "lists" / "2031"
    assert sorted(p.name for p in folder.iterdir()) == ["ideella-v1.en.pdf", "ideella-v1.sv.pdf"]


def test_a_row_left_in_rendering_is_rendered_again_into_the_same_files(civil_list):
    Publication.objects.filter(pk=civil_list.pk).update(status="rendering")
    assert tasks.publication_render(civil_list.pk) == "done"
    civil_list.refresh_from_db()
    assert civil_list.status == "done" and civil_list.attempts == 2
    folder = Path(settings.MEDIA_ROOT) / "lists" / "2031"
    assert len(list(folder.iterdir())) == 2  # replaced, no temporary or extra file left


def test_a_failing_render_records_the_error_and_a_retry_renders_it(
    award_round, monkeypatch, django_capture_on_commit_callbacks, decision_maker
):
    def broken(publication, language, **kwargs):
        raise ValueError("template exploded")

    monkeypatch.setattr(tasks, "render_publication_pdf", broken)
    civil = award_round.tracks.get(code="ideella")
    with django_capture_on_commit_callbacks(execute=True):
        (publication,) = publication_publish(round_=award_round, track=civil, as_of=JUNE_25)
    publication.refresh_from_db()
    assert publication.status == Publication.Status.FAILED
    assert "template exploded" in publication.error
    assert not publication.pdf
    assert Event.objects.filter(action="publication.failed").count() == 1
    # The failure is final until someone retries: running the task again does nothing.
    assert tasks.publication_render(publication.pk) == "skipped"

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        publication_retry(publication=publication, user=decision_maker)
    publication.refresh_from_db()
    assert publication.status == Publication.Status.DONE and publication.error == ""
    assert Event.objects.filter(action="publication.retried", actor=decision_maker).exists()
    with pytest.raises(ServiceError):
        publication_retry(publication=publication, user=decision_maker)


def test_a_transient_error_in_eager_mode_fails_the_row_with_the_error(award_round, monkeypatch):
    def full_disk(name, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(tasks, "write_atomically", full_disk)
    civil = award_round.tracks.get(code="ideella")
    (publication,) = publication_publish(round_=award_round, track=civil, as_of=JUNE_25)
    assert tasks.publication_render(publication.pk) == "failed"
    publication.refresh_from_db()
    assert "No space left" in publication.error


def test_atomic_write_leaves_no_partial_file(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    digest = tasks.write_atomically("lists/x/a.pdf", b"%PDF-1.7 data")
    assert (tmp_path / "lists/x/a.pdf").read_bytes() == b"%PDF-1.7 data"
    assert len(digest) == 64
    assert [p.name for p in (tmp_path / "lists/x").iterdir()] == ["a.pdf"]


def test_sweeper_requeues_pending_rows_after_the_grace_period(award_round):
    civil = award_round.tracks.get(code="ideella")
    (publication,) = publication_publish(round_=award_round, track=civil, as_of=JUNE_25)
    assert outbox_sweep.delay().get() == []  # just published: its message is on its way
    (job,) = OutboxJob.objects.filter(kind="publication")
    with time_machine.travel(publication.published_at + dt.timedelta(minutes=5)):
        assert outbox_sweep.delay().get() == [job.pk]
    publication.refresh_from_db()
    assert publication.status == Publication.Status.DONE


def test_sweeper_requeues_rows_stuck_in_rendering(award_round):
    civil = award_round.tracks.get(code="ideella")
    (publication,) = publication_publish(round_=award_round, track=civil, as_of=JUNE_25)
    Publication.objects.filter(pk=publication.pk).update(
        status="rendering", started_at=publication.published_at
    )
    (job,) = OutboxJob.objects.filter(kind="publication")
    with time_machine.travel(publication.published_at + dt.timedelta(hours=1)):
        assert outbox_sweep.delay().get() == [job.pk]
    publication.refresh_from_db()
    assert publication.status == Publication.Status.DONE


def test_page_counter_is_translated():
    assert tasks.page_counter_css("sv") == '"sida " counter(page) " av " counter(pages) ""'
    assert tasks.page_counter_css("en") == '"page " counter(page) " of " counter(pages) ""'


def test_the_task_records_its_progress_and_the_publish_page_shows_it(
    civil_list, award_round, client, decision_maker
):
    assert civil_list.progress["languages_done"] == ["sv", "en"]
    assert civil_list.progress["estimate_seconds"] >= 1
    # A second list being rendered: its estimate comes from the first one's time per row.
    civil = award_round.tracks.get(code="ideella")
    (publication,) = publication_publish(
        round_=award_round, track=civil, as_of=JUNE_25, new_version=True
    )
    claimed = tasks._claim(publication.pk)
    elapsed = (civil_list.finished_at - civil_list.started_at).total_seconds()
    expected = max(1, round(elapsed / civil_list.row_count * publication.row_count))
    assert claimed.progress["estimate_seconds"] == expected
    tasks._progress(publication.pk, languages_done=["sv"], estimate_seconds=3600)
    client.force_login(decision_maker)
    html = client.get(f"/handlaggning/publiceringar/{publication.pk}/status/").content.decode()
    assert "1 av 2 PDF:er klara" in html and "s kvar" in html
    assert 'data-hx-trigger="every 2s"' in html  # polled while rendering
    page = client.get("/handlaggning/publiceringar/").content.decode()
    assert 'aria-live="polite"' in page
