import pytest

pytestmark = pytest.mark.django_db


def test_dashboard_queue_and_application_render(client, case_officer, submitted):
    client.force_login(case_officer)
    assert client.get("/handlaggning/").status_code == 200
    assert client.get("/handlaggning/ko/").status_code == 200
    response = client.get(f"/handlaggning/ansokan/{submitted.pk}/")
    assert response.status_code == 200, response.content.decode()[:3000]
