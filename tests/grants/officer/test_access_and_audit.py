"""Every workspace URL: anonymous visitors go to the login page, applicants get 404, staff get in;
decision-maker and administrator URLs refuse the other roles. The audit log exports as CSV."""

import csv
import datetime as dt
import io

import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.urls import get_resolver, resolve

from grants import roles
from grants.models import (
    Attachment,
    DecisionMeeting,
    Event,
    LetterBatch,
    OutboxJob,
    RecoveryClaim,
    SavedFilter,
)
from tests import factories

from .conftest import submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def objects(track, decision_maker, case_officer):
    application = submit(factories.make_application(track=track), assess=True)
    attachment = Attachment.objects.create(
        application=application,
        file=ContentFile(b"x", name="x.pdf"),
        original_name="x.pdf",
        content_type="application/pdf",
        size=1,
    )
    meeting = DecisionMeeting.objects.create(round=track.round, date=dt.date(2030, 6, 12))
    meeting.agenda.add(application)
    grant = factories.make_grant(
        application=submit(factories.make_application(track=track), assess=True)
    )
    payment = grant.payments.create(number=1, due_date=dt.date(2030, 7, 1), amount=1)
    report = grant.reports.create(kind="final", due_date=dt.date(2031, 6, 30))
    decision = grant.application.decisions.get()
    decision.letter_pdf.save("d.pdf", ContentFile(b"%PDF"))
    claim = RecoveryClaim.objects.create(
        grant=grant, amount=1, paid_basis=1, reason="r", due_date=dt.date(2031, 9, 1)
    )
    claim.letter_pdf.save("c.pdf", ContentFile(b"%PDF"))
    # A saved filter is its owner's alone: the case officer's here, 404 for everyone else.
    saved = SavedFilter.objects.create(owner=case_officer, name="Mina", query="status=submitted")
    job = OutboxJob.objects.create(
        kind="email", status="failed", application=application, attempts=8, error="refused"
    )
    batch = LetterBatch.objects.create(meeting=meeting, total=1)

    return {
        "job": job.pk,
        "batch": batch.pk,
        "sf": saved.pk,
        "a": application.pk,
        "att": attachment.pk,
        "r": track.round.pk,
        "m": meeting.pk,
        "g": grant.pk,
        "p": payment.pk,
        "rep": report.pk,
        "c": claim.pk,
        "d": decision.pk,
    }


# (path template, method, who gets in: staff | officer | decider | admin)
URLS = [
    ("/handlaggning/", "get", "staff"),
    ("/handlaggning/ko/", "get", "staff"),
    ("/handlaggning/ko/export.csv", "get", "staff"),
    ("/handlaggning/ko/export.xlsx", "get", "staff"),
    ("/handlaggning/ko/atgard/", "post", "staff"),
    ("/handlaggning/ko/filter/", "post", "staff"),
    ("/handlaggning/ko/filter/{sf}/ta-bort/", "post", "officer"),
    ("/handlaggning/ansokan/{a}/", "get", "staff"),
    ("/handlaggning/ansokan/{a}/bedomning/", "post", "officer"),
    ("/handlaggning/ansokan/{a}/komplettering/", "post", "officer"),
    ("/handlaggning/ansokan/{a}/andra-bedomning/", "post", "officer"),
    ("/handlaggning/ansokan/{a}/jav/", "post", "staff"),
    ("/handlaggning/ansokan/{a}/kommentar/", "post", "staff"),
    ("/handlaggning/ansokan/{a}/bilaga/{att}/", "get", "staff"),
    ("/handlaggning/beslut/{d}/brev.pdf", "get", "staff"),
    ("/handlaggning/omgang/{r}/nytt-mote/", "get", "decider"),
    ("/handlaggning/omgang/{r}/omfordelning/", "get", "decider"),
    ("/handlaggning/moten/{m}/", "get", "staff"),
    ("/handlaggning/moten/{m}/beslut/{a}/", "post", "decider"),
    ("/handlaggning/moten/{m}/ta-bort/{a}/", "post", "staff"),
    ("/handlaggning/moten/{m}/jav/{a}/", "post", "decider"),
    ("/handlaggning/moten/{m}/stang/", "post", "decider"),
    ("/handlaggning/bidrag/{g}/", "get", "staff"),
    ("/handlaggning/bidrag/{g}/reskontra.csv", "get", "staff"),
    ("/handlaggning/bidrag/{g}/andringsbeslut/", "post", "decider"),
    ("/handlaggning/bidrag/{g}/aterkrav/", "post", "officer"),
    ("/handlaggning/aterkrav/{c}/inbetalning/", "post", "officer"),
    ("/handlaggning/uppfoljning/", "get", "staff"),
    ("/handlaggning/utbetalningar/export.csv", "get", "staff"),
    ("/handlaggning/arsredovisning/", "get", "staff"),
    ("/handlaggning/arsredovisning/export.csv", "get", "staff"),
    ("/handlaggning/arsredovisning/export.xlsx", "get", "staff"),
    ("/handlaggning/paminnelser/", "get", "staff"),
    ("/handlaggning/utbetalningar/{p}/betald/", "post", "officer"),
    ("/handlaggning/rapporter/{rep}/granskning/", "post", "officer"),
    ("/handlaggning/aterkrav/{c}/reglerat/", "post", "officer"),
    ("/handlaggning/aterkrav/{c}/brev.pdf", "get", "staff"),
    ("/handlaggning/utskick/", "get", "staff"),
    ("/handlaggning/utskick/{job}/forsok-igen/", "post", "staff"),
    ("/handlaggning/utskick/brev/{batch}/", "get", "staff"),
    ("/handlaggning/logg.csv", "get", "admin"),
]


def _officer_url_names():
    names = set()
    for entry in get_resolver().url_patterns:
        for sub in getattr(entry, "url_patterns", []):
            if getattr(sub, "namespace", None) == "officer":
                names |= {p.name for p in sub.url_patterns}
    return names


def test_every_workspace_url_is_in_the_access_table(objects):
    """A new workspace URL without a line in URLS fails here, so its access is always tested."""
    listed = {resolve(path.format(**objects)).url_name for path, _method, _audience in URLS}
    assert _officer_url_names() - listed == set()


@pytest.mark.parametrize("path,method,audience", URLS)
def test_anonymous_visitors_are_sent_to_log_in(client, objects, path, method, audience):
    response = getattr(client, method)(path.format(**objects))
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/logga-in/?next=")


@pytest.mark.parametrize("path,method,audience", URLS)
def test_applicants_get_404(client, objects, applicant, organisation, path, method, audience):
    client.force_login(applicant)
    assert getattr(client, method)(path.format(**objects)).status_code == 404


@pytest.mark.parametrize("path,method,audience", URLS)
def test_each_role_gets_in_only_where_it_belongs(
    client, objects, case_officer, decision_maker, path, method, audience
):
    admin = factories.make_user(email="admin@example.org", groups=[roles.ADMINISTRATOR])
    allowed = {
        "staff": {case_officer, decision_maker},
        "officer": {case_officer},
        "decider": {decision_maker},
        "admin": {admin},
    }[audience]
    for user in (case_officer, decision_maker, admin):
        client.force_login(user)
        status = getattr(client, method)(path.format(**objects)).status_code
        if user in allowed:
            assert status != 404, (user, status)
        else:
            assert status == 404, (user, status)


def test_administrator_exports_the_event_log(client, case_officer, submitted):
    client.force_login(case_officer)
    client.post(f"/handlaggning/ansokan/{submitted.pk}/kommentar/", {"text": "Hej"})
    admin = factories.make_user(email="admin@example.org")
    admin.groups.add(Group.objects.get(name=roles.ADMINISTRATOR))
    client.force_login(admin)
    response = client.get("/handlaggning/logg.csv")
    rows = list(
        csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
    )
    assert [r["action"] for r in rows] == ["application.submitted", "comment.added"]
    assert rows[1]["actor"] == case_officer.email
    assert rows[1]["application"] == submitted.case_number
    assert len(rows) == Event.objects.count()


def test_events_cannot_be_deleted(submitted):
    event = Event.objects.first()
    with pytest.raises(ValueError):
        event.delete()


@pytest.mark.parametrize(
    "path,filename",
    [
        ("/handlaggning/beslut/{d}/brev.pdf", "beslut-{d}.pdf"),
        ("/handlaggning/aterkrav/{c}/brev.pdf", "aterkrav-{c}.pdf"),
    ],
)
def test_letters_open_in_the_browser_and_are_never_cached_by_others(
    client, objects, case_officer, path, filename
):
    client.force_login(case_officer)
    response = client.get(path.format(**objects))
    assert b"".join(response.streaming_content) == b"%PDF"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="{filename.format(**objects)}"'
    assert response["Cache-Control"] == "private, no-store"
