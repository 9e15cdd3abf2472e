"""The database's own triggers (grants/dbtriggers.py, made sure of after every migrate) change the
public data version whenever data the public pages show changes, whichever way it was written,
and only then."""

import pytest
from django.utils import timezone

from grants.models import Application, Grant, Organisation, Publication, Round
from grants.selectors.public import public_data_fingerprint
from tests import factories

pytestmark = pytest.mark.django_db


def changes(write) -> bool:
    before = public_data_fingerprint()
    write()
    return public_data_fingerprint() != before


def test_the_version_exists_after_migrating():
    assert public_data_fingerprint() is not None


def test_writes_that_change_public_pages_change_the_version():
    [grant] = factories.make_public_grants(1)
    application = grant.application
    organisation = application.organisation
    assert changes(lambda: Grant.objects.filter(pk=grant.pk).update(amount_total=123))
    assert changes(lambda: grant.beneficiary_kommuner.add(factories.kommun("Gävle")))
    assert changes(lambda: Organisation.objects.filter(pk=organisation.pk).update(name="Nytt"))
    assert changes(lambda: Round.objects.filter(pk=application.round_id).update(title="Ny"))
    assert changes(lambda: Application.objects.filter(pk=application.pk).update(status="withdrawn"))
    assert changes(
        lambda: Publication.objects.create(
            round=application.round, version=1, as_of="2020-06-12", published_at=timezone.now()
        )
    )
    assert changes(lambda: grant.beneficiary_kommuner.clear())


def test_typing_a_draft_or_registering_an_organisation_keeps_the_version():
    track = factories.make_track(round_=factories.make_round(year=2027, status="open"))
    draft = factories.make_application(track=track)
    assert not changes(
        lambda: Application.objects.filter(pk=draft.pk).update(project_title="Utkast 2")
    )
    assert not changes(lambda: factories.make_organisation())


def test_every_change_gives_a_new_value_even_within_one_transaction():
    [grant] = factories.make_public_grants(1)
    seen = {public_data_fingerprint()}
    for amount in range(5):
        Grant.objects.filter(pk=grant.pk).update(amount_total=amount)
        seen.add(public_data_fingerprint())
    assert len(seen) == 6
