import pytest
from django.contrib.auth.models import Group

from grants.models import Round, Track
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator():
    user = factories.make_user(email="admin@example.org", is_staff=True)
    user.groups.add(Group.objects.get(name="administrator"))
    return user


def test_administrator_sets_up_a_round_with_its_tracks(client, administrator):
    client.force_login(administrator)
    prefix = "tracks"
    data = {
        "year": 2031,
        "slug": "2031",
        "title": "Statsbidrag 2031",
        "title_en": "State grants 2031",
        "status": "draft",
        "opens_at_0": "2031-02-01",
        "opens_at_1": "00:00:00",
        "closes_at_0": "2031-03-31",
        "closes_at_1": "23:59:00",
        "grant_period_start": "2031-07-01",
        "grant_period_end": "2032-04-30",
        "last_use_date": "2032-04-30",
        "final_report_due": "2032-06-30",
        "case_number_prefix": "DELMOS",
        "last_case_sequence": 0,
        "instalments": 2,
        f"{prefix}-TOTAL_FORMS": 1,
        f"{prefix}-INITIAL_FORMS": 0,
        f"{prefix}-0-code": "ideella",
        f"{prefix}-0-name": "Ideella föreningar",
        f"{prefix}-0-name_en": "Associations",
        f"{prefix}-0-ordinance": "SFS 2018:119",
        f"{prefix}-0-eligible_types": ["ideell_forening", "stiftelse"],
        f"{prefix}-0-budget_cap": 25_000_000,
        f"{prefix}-0-question_set": "civil_society",
        f"{prefix}-0-max_years": 1,
        f"{prefix}-0-position": 1,
    }
    response = client.post("/admin/grants/round/add/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    round_ = Round.objects.get(slug="2031")
    track = Track.objects.get(round=round_)
    assert track.eligible_types == ["ideell_forening", "stiftelse"]
    assert track.budget_cap == 25_000_000


def test_admin_labels_are_swedish(client, administrator):
    client.force_login(administrator)
    html = client.get("/admin/grants/organisation/").content.decode()
    assert "organisationer" in html.lower()
