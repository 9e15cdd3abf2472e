"""The submission rules live in one service (grants.services.submission): the review page lists
its problems, linked to their fields, and the submission refuses on the same problems."""

import pytest

from grants.forms.portal import field_anchor
from grants.services import ServiceError, submission
from grants.services.portal import application_submit
from grants.services.submission import Problem, submission_problems
from tests.grants.portal.conftest import complete


def test_problems_name_sections_and_fields_by_their_data_names_not_html(draft):
    problems = submission_problems(draft)
    fields = {(p.section, p.field) for p in problems}
    assert ("project", "project_title") in fields
    assert ("certifications", "legal_form_eligible") in fields
    assert ("funding", "other_state_grants") in fields
    assert ("budget", "lines") in fields
    assert not [p for p in problems if p.field.startswith("id_") or p.field.endswith("_0")]


def test_the_view_maps_a_field_to_its_html_id():
    assert field_anchor("project", "project_title") == "id_project_title"
    assert field_anchor("certifications", "tax_debts") == "id_tax_debts_0"  # a radio group
    assert field_anchor("certifications", "tax_debts_details") == "id_tax_debts_details"
    assert field_anchor("funding", "other_state_grants") == "id_other_state_grants_0"
    assert field_anchor("budget", "lines") == "id_form-0-category"
    assert field_anchor("attachments", "") == ""


def test_a_complete_application_has_no_problems(draft, applicant):
    assert submission_problems(complete(draft, applicant)) == []


def test_a_rule_added_to_the_service_shows_on_the_review_page_and_stops_the_submission(
    client, applicant, draft, monkeypatch
):
    draft = complete(draft, applicant)
    rules = submission.submission_problems

    def stricter(application, *, now=None):
        extra = Problem("effect", "follow_up", "Say who follows the work up.")
        return [*rules(application, now=now), extra]

    monkeypatch.setattr(submission, "submission_problems", stricter)
    client.force_login(applicant)
    html = client.get(f"/portal/ansokningar/{draft.pk}/granska/").content.decode()
    assert f'href="/portal/ansokningar/{draft.pk}/effect/#id_follow_up"' in html
    assert "Say who follows the work up." in html
    assert "Skicka in ansökan" not in html
    with pytest.raises(ServiceError) as refused:
        application_submit(application=draft, user=applicant, expected_version=draft.version)
    assert refused.value.code == "incomplete"
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.case_number is None
