"""Fault tests of the award-list rendering against a real worker and Redis (run by .ci/run)."""

import datetime as dt
import re
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from pypdf import PdfReader

from grants.models import Event, Publication, Round
from grants.outbox import enqueue
from grants.services.publications import publication_publish
from grants.tasks.publications import publication_render
from tests.grants.publications.data import build_award_round
from tests.worker.conftest import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _text(path) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(path).pages)
    return re.sub(r"\s+", " ", text.replace("\xa0", " "))


def _all_done(queryset):
    states = list(queryset.values_list("status", flat=True))
    assert "failed" not in states, list(queryset.values_list("error", flat=True))
    return states and all(state == "done" for state in states)


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_worker_renders_the_demo_lists_with_every_recipient_and_total(worker):
    worker.start()
    from grants.demo import load_demo

    load_demo()  # publishes the two historical versions; the worker renders them
    round_ = Round.objects.get(slug="2020")
    publications = Publication.objects.filter(round=round_)
    assert publications.count() == 6
    wait_for(lambda: _all_done(publications), timeout=180, what="the six lists")
    for publication in publications.filter(version=2).select_related("track"):
        swedish = _text(publication.pdf.path)
        english = _text(publication.pdf_en.path)
        for row in publication.rows:
            assert row["org_number"] in swedish and row["org_number"] in english
            assert re.sub(r"\s+", " ", row["organisation"]) in swedish
        total = f"{publication.total_amount:,}"
        assert f"Summa {total.replace(',', ' ')} kr" in swedish
        assert f"Total SEK {total}" in english
        for path, language in ((publication.pdf.path, "sv"), (publication.pdf_en.path, "en")):
            root = PdfReader(path).trailer["/Root"]
            assert "/StructTreeRoot" in root, "the PDF is tagged"
            assert root["/MarkInfo"]["/Marked"]
            assert root["/Lang"] == language
    totals = {
        (p.track.code if p.track_id else None): p.total_amount
        for p in publications.filter(version=2).select_related("track")
    }
    assert sorted(totals.values()) == [26_900_000, 54_800_000, 81_700_000]
    municipal_v2 = _text(publications.get(version=2, track__position=1).pdf.path)
    assert "Krokoms kommun" in municipal_v2
    assert "varav tilläggsbidrag 1 000 000 kr" in municipal_v2


def _big_publication(rows: int) -> Publication:
    """A list long enough to take the worker several seconds."""
    round_ = build_award_round()
    return Publication.objects.create(
        round=round_,
        track=None,
        version=1,
        as_of=dt.date(2031, 6, 25),
        rows=[
            {
                "case_number": f"DELMOS 2031/{i}",
                "track": "ideella",
                "organisation": f"Föreningen nummer {i}",
                "org_number": f"802{i:03d}-{i % 10000:04d}",
                "org_type": "ideell_forening",
                "municipality": "Bollnäs",
                "county": "Gävleborgs län",
                "title": f"Mötesplatser över bostadsområdesgränser, del {i}",
                "amount": 100_000,
                "supplementary": 0,
                "total": 100_000,
            }
            for i in range(rows)
        ],
        row_count=rows,
        total_amount=rows * 100_000,
        published_at=timezone.now(),
    )


def test_killing_the_worker_while_it_renders_still_completes_exactly_once(worker):
    publication = _big_publication(1500)
    worker.start()
    with transaction.atomic():
        enqueue("publication", payload={"publication": publication.pk}, round=publication.round)
    wait_for(
        lambda: Publication.objects.filter(pk=publication.pk, status="rendering").exists(),
        interval=0.05,
        what="rendering to start",
    )
    time.sleep(0.5)
    worker.kill()  # kill -9: worker, pool process and beat
    publication.refresh_from_db()
    assert publication.status == "rendering" and not publication.pdf
    worker.start()
    wait_for(
        lambda: _all_done(Publication.objects.filter(pk=publication.pk)),
        timeout=240,
        what="the sweeper to bring the job back",
    )
    publication.refresh_from_db()
    assert publication.attempts == 2
    assert Event.objects.filter(action="publication.rendered").count() == 1
    folder = Path(settings.MEDIA_ROOT) / "lists" / "2031"
    assert _files(folder) == ["alla-v1.en.pdf", "alla-v1.sv.pdf"]
    assert len(PdfReader(publication.pdf.path).pages) > 10
    # The message the killed worker never acknowledged may come back later: it is a no-op.
    assert publication_render(publication.pk) == "skipped"


def _restart_redis(broker_url: str):
    port = str(urlsplit(broker_url).port or 6379)
    subprocess.run(["redis-cli", "-p", port, "shutdown", "nosave"], check=False, timeout=30)
    wait_for(
        lambda: (
            subprocess.run(["redis-cli", "-p", port, "ping"], capture_output=True).returncode != 0
        ),
        what="Redis to stop",
    )
    subprocess.run(
        [
            "redis-server",
            "--daemonize",
            "yes",
            "--bind",
            "127.0.0.1",
            "--port",
            port,
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        check=True,
        timeout=30,
    )
    wait_for(
        lambda: (
            subprocess.run(["redis-cli", "-p", port, "ping"], capture_output=True).stdout
            == b"PONG\n"
        ),
        what="Redis to come back",
    )


def test_jobs_lost_with_a_redis_restart_are_brought_back_by_the_sweeper(
    worker, broker, broker_url, celery_producer
):
    round_ = build_award_round()
    publications = publication_publish(round_=round_, as_of=dt.date(2031, 6, 25), note="")
    assert broker.llen("celery") == 3  # queued, no worker yet
    _restart_redis(broker_url)
    celery_producer._pool = None
    celery_producer.amqp._producer_pool = None
    broker.connection_pool.reset()
    assert broker.llen("celery") == 0  # Redis kept nothing: the messages are gone
    assert {p.status for p in Publication.objects.all()} == {"pending"}
    worker.start()
    rows = Publication.objects.filter(pk__in=[p.pk for p in publications])
    wait_for(lambda: _all_done(rows), timeout=120, what="the sweeper to re-enqueue the lists")
    assert list(rows.values_list("attempts", flat=True)) == [1, 1, 1]
    assert Event.objects.filter(action="publication.rendered").count() == 3
    assert b"Outbox sweeper re-enqueued" in worker.log()


def test_two_quick_publishes_give_two_ordered_versions_with_the_right_contents(worker):
    round_ = build_award_round()
    worker.start()
    first = publication_publish(round_=round_, as_of=dt.date(2031, 6, 12), note="första")
    second = publication_publish(round_=round_, as_of=dt.date(2031, 6, 25), note="andra")
    assert [p.version for p in first] == [1, 1, 1]
    assert [p.version for p in second] == [2, 2, 2]
    wait_for(lambda: _all_done(Publication.objects.all()), timeout=120, what="six lists")
    civil_1, civil_2 = Publication.objects.filter(track__code="ideella").order_by("version")
    assert civil_1.published_at < civil_2.published_at
    text_1, text_2 = _text(civil_1.pdf.path), _text(civil_2.pdf.path)
    assert "Ängby förening" not in text_1 and "Ängby förening" in text_2
    assert "Summa 650 000 kr" in text_1 and "Summa 1 000 000 kr" in text_2
    assert "första" in text_1 and "andra" in text_2
    folder = Path(settings.MEDIA_ROOT) / "lists" / "2031"
    assert len(_files(folder)) == 12  # three lists, two versions, two languages
