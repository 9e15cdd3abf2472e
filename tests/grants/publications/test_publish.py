import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from grants.models import Event, Publication
from grants.selectors.publications import (
    award_rows,
    publication_diff,
    publish_preview,
    version_diff,
)
from grants.services import ServiceError
from grants.services.publications import publication_publish

pytestmark = pytest.mark.django_db

JUNE_12, JUNE_25 = dt.date(2031, 6, 12), dt.date(2031, 6, 25)


def test_publishing_a_round_makes_one_version_per_track_and_a_combined_one(
    award_round, decision_maker
):
    created = publication_publish(
        round_=award_round, as_of=JUNE_25, note="första", user=decision_maker
    )
    scopes = [(p.track.code if p.track_id else None, p.version) for p in created]
    assert scopes == [("kommuner", 1), ("ideella", 1), (None, 1)]
    assert [(p.row_count, p.total_amount) for p in created] == [
        (1, 900_000),
        (3, 1_000_000),
        (4, 1_900_000),
    ]
    assert all(p.status == Publication.Status.PENDING and p.note == "första" for p in created)
    assert all(p.published_by == decision_maker for p in created)
    events = Event.objects.filter(action="publication.published")
    assert events.count() == 3
    assert {e.actor for e in events} == {decision_maker}


def test_rows_hold_the_decisions_of_closed_meetings_up_to_the_date(award_round):
    civil = award_round.tracks.get(code="ideella")
    on_12 = award_rows(round_=award_round, track=civil, as_of=JUNE_12)
    assert [(r["organisation"], r["amount"], r["supplementary"]) for r in on_12] == [
        ("Föreningen Alby", 400_000, 0),
        ("Örebro föreningsråd", 250_000, 0),
    ]
    on_25 = award_rows(round_=award_round, track=civil, as_of=dt.date(2031, 12, 31))
    # Swedish order (… z, å, ä, ö); the open meeting's grant to Zeta is not final yet.
    assert [(r["organisation"], r["total"]) for r in on_25] == [
        ("Föreningen Alby", 450_000),
        ("Ängby förening", 300_000),
        ("Örebro föreningsråd", 250_000),
    ]
    alby = on_25[0]
    assert (alby["amount"], alby["supplementary"]) == (400_000, 50_000)
    assert alby["org_type"] == "ideell_forening"
    assert alby["municipality"] == "Bollnäs" and alby["county"] == "Gävleborgs län"
    assert alby["title"] == "Projekt Föreningen Alby"


def test_award_rows_take_a_fixed_number_of_queries(award_round, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        rows = award_rows(round_=award_round, track=None, as_of=JUNE_25)
    assert len(rows) == 4


def test_each_publish_adds_a_version_and_the_diff_shows_what_changed(award_round):
    civil = award_round.tracks.get(code="ideella")
    publication_publish(round_=award_round, track=civil, as_of=JUNE_12, note="")
    (second,) = publication_publish(
        round_=award_round, track=civil, as_of=JUNE_25, note="uppdaterad"
    )
    assert second.version == 2
    assert Publication.objects.filter(track=civil).count() == 2
    assert Publication.objects.filter(track__isnull=True).count() == 0
    previous, diff = publication_diff(second)
    assert previous.version == 1
    assert [r["organisation"] for r in diff.added] == ["Ängby förening"]
    assert [(c.row["organisation"], c.before, c.after) for c in diff.changed] == [
        ("Föreningen Alby", 400_000, 450_000)
    ]
    assert diff.removed == []


def test_version_diff_finds_removed_recipients():
    row = {"case_number": "A", "organisation": "A", "total": 1}
    diff = version_diff([row], [])
    assert diff.removed == [row] and not diff.added and not diff.changed
    assert version_diff([row], [row]).is_empty


def test_the_first_version_has_no_diff(award_round):
    (first,) = publication_publish(
        round_=award_round, track=award_round.tracks.get(code="kommuner"), as_of=JUNE_12
    )
    assert publication_diff(first) == (None, None)


def test_same_rows_give_the_same_content_hash(award_round):
    civil = award_round.tracks.get(code="ideella")
    (a,) = publication_publish(round_=award_round, track=civil, as_of=JUNE_12)
    assert publication_publish(round_=award_round, track=civil, as_of=JUNE_12) == []
    (b,) = publication_publish(round_=award_round, track=civil, as_of=JUNE_12, new_version=True)
    (c,) = publication_publish(round_=award_round, track=civil, as_of=JUNE_25)
    assert a.content_hash == b.content_hash != c.content_hash
    assert len(a.content_hash) == 64


def test_a_track_of_another_round_is_refused(award_round):
    from tests import factories

    other = factories.make_track()
    with pytest.raises(ServiceError):
        publication_publish(round_=award_round, track=other, as_of=JUNE_12)
    assert not Publication.objects.exists()


def test_rendering_is_enqueued_only_after_commit(award_round, django_capture_on_commit_callbacks):
    civil = award_round.tracks.get(code="ideella")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        (publication,) = publication_publish(round_=award_round, track=civil, as_of=JUNE_12)
    assert len(callbacks) == 1
    publication.refresh_from_db()
    assert publication.status == Publication.Status.PENDING and not publication.pdf


def test_command_publishes_a_track_as_of_a_date(award_round, capsys):
    call_command(
        "publish_award_lists", "2031", "--track", "ideella", "--as-of", "2031-06-12", "--note", "x"
    )
    (publication,) = Publication.objects.all()
    assert (publication.track.code, publication.as_of, publication.note) == (
        "ideella",
        JUNE_12,
        "x",
    )
    assert publication.row_count == 2
    assert "2 recipients" in capsys.readouterr().out


def test_command_publishes_every_list_of_the_round(award_round):
    call_command("publish_award_lists", "2031", "--as-of", "2031-06-25", "--note", "")
    assert Publication.objects.count() == 3


def test_command_refuses_an_unknown_track(award_round):
    with pytest.raises(CommandError, match="No track 'nope'"):
        call_command("publish_award_lists", "2031", "--track", "nope", "--note", "x")


def test_a_double_clicked_publish_makes_one_version_and_says_so(
    client, award_round, decision_maker
):
    client.force_login(decision_maker)
    as_of = dt.date(2031, 6, 25)

    def confirmed(**extra):
        preview = publish_preview(round_=award_round, track=None, as_of=as_of)
        return {
            "round": award_round.pk,
            "track": "",
            "as_of": as_of.isoformat(),
            "note": "",
            "confirm": preview.fingerprint,
            **extra,
        }

    data = confirmed()
    first = client.post("/handlaggning/publiceringar/", data, follow=True)
    second = client.post("/handlaggning/publiceringar/", data, follow=True)
    assert first.status_code == 200 and second.status_code in (200, 409)
    assert Publication.objects.count() == 3  # one version per track and the combined list
    # Confirming the same lists again publishes nothing new, and says so.
    again = client.post("/handlaggning/publiceringar/", confirmed(), follow=True)
    assert "ingen ny version skapades" in again.content.decode()
    assert Publication.objects.count() == 3
    client.post("/handlaggning/publiceringar/", confirmed(new_version="on"))
    assert Publication.objects.count() == 6
