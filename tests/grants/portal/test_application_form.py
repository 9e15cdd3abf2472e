import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from grants.models import Application, Attachment, Event
from grants.services import submission
from tests import factories
from tests.grants.portal.conftest import PDF_BYTES

pytestmark = pytest.mark.django_db


def _section(application, section):
    return f"/portal/ansokningar/{application.pk}/{section}/"


def _project(year, **extra):
    data = {
        "project_title": "Läxhjälp i Bollnäs",
        "project_summary": "Sammanfattning",
        "purpose_and_plan": "Planen",
        "target_groups": "Unga",
        "areas": ["2183"],
        "area_details": "",
        "start_date": f"{year}-02-01",
        "end_date": f"{year}-12-31",
    }
    data.update(extra)
    return data


# -- eligibility ---------------------------------------------------------------------------------


def test_an_association_may_apply_to_the_civil_track_and_is_told_why_not_the_municipal_one(
    client, applicant, organisation, civil_track, municipal_track
):
    client.force_login(applicant)
    html = client.get(f"/portal/organisationer/{organisation.pk}/").content.decode()
    assert f"/ansok/{civil_track.pk}/" in html
    assert f"/ansok/{municipal_track.pk}/" not in html
    assert "din organisation är en ideell förening" in html


def test_a_municipality_off_the_tracks_list_is_told_so(client, applicant, open_round):
    track = factories.make_track(round_=open_round, civil=False)
    track.eligible_kommuner.set([factories.kommun("Malmö")])
    org = factories.make_organisation(org_type="kommun", members=[applicant])
    client.force_login(applicant)
    html = client.get(f"/portal/organisationer/{org.pk}/").content.decode()
    assert "Bollnäs är inte en av dem" in html
    response = client.post(f"/portal/organisationer/{org.pk}/ansok/{track.pk}/")
    assert response.status_code == 302
    assert not Application.objects.filter(organisation=org).exists()


def test_closed_rounds_are_not_offered(client, applicant, organisation):
    closed = factories.make_track(round_=factories.make_round(year=2020))
    client.force_login(applicant)
    html = client.get(f"/portal/organisationer/{organisation.pk}/").content.decode()
    assert f"/ansok/{closed.pk}/" not in html
    response = client.post(f"/portal/organisationer/{organisation.pk}/ansok/{closed.pk}/")
    assert response.status_code == 404


def test_starting_an_application_creates_one_draft_and_a_second_click_reuses_it(
    client, applicant, organisation, civil_track
):
    client.force_login(applicant)
    url = f"/portal/organisationer/{organisation.pk}/ansok/{civil_track.pk}/"
    first = client.post(url)
    second = client.post(url)
    application = Application.objects.get(organisation=organisation)
    assert first["Location"] == _section(application, "project")
    assert second["Location"] == f"/portal/ansokningar/{application.pk}/"
    assert application.status == "draft" and application.created_by == applicant


# -- saving sections -----------------------------------------------------------------------------


def test_a_section_saves_with_the_button_and_raises_the_version(client, applicant, draft):
    client.force_login(applicant)
    year = draft.round.grant_period_start.year
    response = client.post(
        _section(draft, "project"), {**_project(year), "version": draft.version, "then": "next"}
    )
    assert response["Location"] == _section(draft, "partners")
    draft.refresh_from_db()
    assert draft.project_title == "Läxhjälp i Bollnäs" and draft.version == 2
    assert list(draft.areas.values_list("name", flat=True)) == ["Bollnäs"]
    # Leaving and coming back (another day, another device) shows what was saved.
    client.logout()
    client.force_login(applicant)
    html = client.get(_section(draft, "project")).content.decode()
    assert 'value="Läxhjälp i Bollnäs"' in html and f'value="{year}-02-01"' in html


def test_autosave_with_htmx_answers_a_status_and_the_new_version(client, applicant, draft):
    client.force_login(applicant)
    response = client.post(
        _section(draft, "effect"),
        {"collaboration": "Tillsammans", "long_term_effect": "", "follow_up": "", "version": 1},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Sparades automatiskt" in html
    assert 'id="version-input" value="2" data-hx-swap-oob="true"' in html
    draft.refresh_from_db()
    assert draft.collaboration == "Tillsammans"


def test_a_stale_copy_gets_a_conflict_showing_both_versions_and_overwrites_nothing(
    client, applicant, draft
):
    client.force_login(applicant)
    data = {"collaboration": "Från flik A", "long_term_effect": "", "follow_up": ""}
    client.post(_section(draft, "effect"), {**data, "version": 1})
    # The second tab still has version 1.
    response = client.post(
        _section(draft, "effect"), {**data, "collaboration": "Från flik B", "version": 1}
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert "Två versioner av avsnittet" in html
    assert "Från flik A" in html  # the saved version
    assert "Från flik B" in html  # yours, still in the form
    assert 'name="version" id="version-input" value="2"' in html
    draft.refresh_from_db()
    assert draft.collaboration == "Från flik A" and draft.version == 2
    # Saving again from the conflict page replaces it deliberately.
    client.post(_section(draft, "effect"), {**data, "collaboration": "Från flik B", "version": 2})
    draft.refresh_from_db()
    assert draft.collaboration == "Från flik B"


def test_a_stale_autosave_says_so_and_saves_nothing(client, applicant, draft):
    client.force_login(applicant)
    data = {"collaboration": "Ny", "long_term_effect": "", "follow_up": ""}
    client.post(_section(draft, "effect"), {**data, "version": 1})
    response = client.post(
        _section(draft, "effect"),
        {**data, "collaboration": "Gammal", "version": 1},
        HTTP_HX_REQUEST="true",
    )
    assert "någon annan har sparat" in response.content.decode()
    draft.refresh_from_db()
    assert draft.collaboration == "Ny"


def test_a_validation_error_keeps_everything_typed(client, applicant, draft):
    client.force_login(applicant)
    year = draft.round.grant_period_start.year
    response = client.post(
        _section(draft, "project"),
        {**_project(year, end_date=f"{year}-01-15"), "purpose_and_plan": "Lång text", "version": 1},
        follow=True,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Slutdatumet ligger före startdatumet." in html
    assert 'value="Läxhjälp i Bollnäs"' in html and "Lång text" in html
    assert f'value="{year}-01-15"' in html
    draft.refresh_from_db()
    # Saved all the same: the valid fields as data, the whole section as typed.
    assert draft.version == 2 and draft.project_title == "Läxhjälp i Bollnäs"
    assert draft.purpose_and_plan == "Lång text" and draft.end_date is None
    assert draft.draft_input["project"]["errors"] == ["end_date"]


def test_an_invalid_date_does_not_lose_a_new_paragraph_and_stops_submission(
    client, applicant, draft
):
    client.force_login(applicant)
    year = draft.round.grant_period_start.year
    client.post(_section(draft, "project"), {**_project(year), "version": 1})
    plan = "Planen\n\nEtt nytt stycke om sommarlovet."
    response = client.post(
        _section(draft, "project"),
        {**_project(year, end_date="31 juni"), "purpose_and_plan": plan, "version": 2},
        HTTP_HX_REQUEST="true",
    )
    assert "som du skrev" in response.content.decode()
    assert response["Delmos-Saved"] == "3"
    draft.refresh_from_db()
    assert draft.purpose_and_plan == plan
    assert draft.end_date == dt.date(year, 12, 31)  # the last valid value stays in the data
    # Coming back shows what was typed, with the error beside the field.
    html = client.get(_section(draft, "project")).content.decode()
    assert 'value="31 juni"' in html and "Ett nytt stycke om sommarlovet." in html
    assert "Skriv datumet som ÅÅÅÅ-MM-DD" in html
    assert any(p.field == "end_date" for p in submission.submission_problems(draft))
    # A valid save of the section clears it.
    client.post(_section(draft, "project"), {**_project(year), "version": 3})
    draft.refresh_from_db()
    assert draft.draft_input == {}
    assert not any(p.field == "end_date" for p in submission.submission_problems(draft))


def test_an_invalid_partner_row_is_kept_as_typed_and_the_saved_rows_stay(client, applicant, draft):
    client.force_login(applicant)
    management = {"form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "0"}
    row = {"form-0-name": "Bollnäs kommun", "form-0-role": "Lokaler"}
    good = factories.org_number("2")
    client.post(
        _section(draft, "partners"), {**management, **row, "form-0-org_number": good, "version": 1}
    )
    client.post(
        _section(draft, "partners"),
        {
            **management,
            **row,
            "form-0-org_number": "212000-2412",
            "form-0-role": "Ny roll",
            "version": 2,
        },
    )
    draft.refresh_from_db()
    assert list(draft.partners.values_list("role", flat=True)) == ["Lokaler"]
    assert draft.draft_input["partners"]["errors"] == ["form-0-org_number"]
    html = client.get(_section(draft, "partners")).content.decode()
    assert "Ny roll" in html and "Kontrollsiffran stämmer inte" in html


def test_partners_are_saved_and_a_wrong_organisation_number_is_explained(client, applicant, draft):
    client.force_login(applicant)
    management = {"form-TOTAL_FORMS": "2", "form-INITIAL_FORMS": "0", "version": 1}
    rows = {
        "form-0-name": "Bollnäs kommun",
        "form-0-org_number": "212000-2411",
        "form-0-role": "Lokaler",
        "form-1-name": "",
        "form-1-org_number": "",
        "form-1-role": "",
    }
    response = client.post(
        _section(draft, "partners"),
        {**management, **rows, "form-0-org_number": "212000-2412"},
        follow=True,
    )
    assert "Kontrollsiffran stämmer inte" in response.content.decode()
    assert "Bollnäs kommun" in response.content.decode()
    response = client.post(
        _section(draft, "partners"),
        {**management, **rows, "form-0-org_number": factories.org_number("2"), "version": 2},
    )
    assert response.status_code == 302
    assert list(draft.partners.values_list("name", flat=True)) == ["Bollnäs kommun"]


def test_budget_lines_give_the_requested_amount_per_year(client, applicant, draft):
    client.force_login(applicant)
    year = draft.round.grant_period_start.year
    data = {"form-TOTAL_FORMS": "3", "form-INITIAL_FORMS": "0", "version": 1}
    for i, (category, y, amount) in enumerate(
        [("staff", year, 300_000), ("travel", year + 1, 50_000), ("", "", "")]
    ):
        data |= {
            f"form-{i}-category": category,
            f"form-{i}-year": y,
            f"form-{i}-description": "",
            f"form-{i}-amount": amount,
        }
    response = client.post(_section(draft, "budget"), data)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.requested_amount == 350_000
    assert draft.requested_per_year == {str(year): 300_000, str(year + 1): 50_000}
    assert draft.budget_lines.count() == 2


def test_certification_yes_opens_its_follow_up_and_the_check_asks_for_it(client, applicant, draft):
    client.force_login(applicant)
    html = client.get(_section(draft, "certifications")).content.decode()
    assert 'class="question has-follow-up"' in html and "Beskriv skulderna" in html
    answers = {
        "legal_form_eligible": "yes",
        "non_profit_in_sweden": "yes",
        "active_two_years": "yes",
        "respects_democracy": "yes",
        "tax_debts": "yes",
        "tax_debts_details": "",
        "in_liquidation": "no",
        "state_aid": "no",
        "local_roots": "no",
        "version": 1,
    }
    client.post(_section(draft, "certifications"), answers)
    draft.refresh_from_db()
    assert draft.answers["certifications"]["tax_debts"] == "yes"
    html = client.get(f"/portal/ansokningar/{draft.pk}/granska/").content.decode()
    assert "Du svarade ja: fyll i ”Beskriv skulderna och hur de ska betalas”." in html
    assert f"/portal/ansokningar/{draft.pk}/certifications/#id_tax_debts_details" in html


def test_a_municipal_application_asks_for_the_statutory_task_statement(
    client, applicant, municipal_track
):
    org = factories.make_organisation(org_type="kommun", members=[applicant])
    application = factories.make_application(track=municipal_track, organisation=org)
    client.force_login(applicant)
    assert client.get(_section(application, "certifications")).status_code == 404
    html = client.get(f"/portal/ansokningar/{application.pk}/granska/").content.decode()
    assert "Intyga att arbetet inte är en lagstadgad uppgift." in html


# -- attachments ---------------------------------------------------------------------------------


def _upload(client, application, name, content, kind="statutes"):
    return client.post(
        _section(application, "attachments"),
        {"kind": kind, "file": SimpleUploadedFile(name, content)},
    )


def test_a_pdf_is_attached_into_private_storage_and_downloadable_by_members(
    client, applicant, draft, settings
):
    client.force_login(applicant)
    response = _upload(client, draft, "stadgar.pdf", PDF_BYTES)
    assert response.status_code == 302
    attachment = Attachment.objects.get(application=draft)
    assert attachment.content_type == "application/pdf"
    assert attachment.file.path.startswith(str(settings.PRIVATE_MEDIA_ROOT))
    response = client.get(f"/portal/ansokningar/{draft.pk}/bilagor/{attachment.pk}/")
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_a_file_whose_content_is_not_what_its_name_says_is_refused(client, applicant, draft):
    client.force_login(applicant)
    response = _upload(client, draft, "stadgar.pdf", b"MZ\x90\x00 an executable")
    assert response.status_code == 400
    assert "Bara PDF-, DOCX-, XLSX-, ODT-, PNG- och JPG-filer" in response.content.decode()
    response = _upload(client, draft, "bild.pdf", b"\x89PNG\r\n\x1a\n" + b"0" * 20)
    assert "Filens namn säger PDF men innehållet är PNG" in response.content.decode()
    assert not Attachment.objects.exists()


def test_a_docx_is_recognised_from_its_contents(client, applicant, draft):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    client.force_login(applicant)
    response = _upload(client, draft, "brev.docx", buffer.getvalue(), kind="letter_of_intent")
    assert response.status_code == 302
    assert Attachment.objects.get().content_type.endswith("wordprocessingml.document")


def test_a_file_over_10_mb_is_refused_and_the_draft_is_untouched(
    client, applicant, draft, settings
):
    settings.ATTACHMENT_MAX_BYTES = 1024
    draft.project_title = "Behålls"
    draft.save()
    client.force_login(applicant)
    response = _upload(client, draft, "stor.pdf", PDF_BYTES + b"0" * 2000)
    assert response.status_code == 400
    assert "högst 0 MB" in response.content.decode() or "högst" in response.content.decode()
    draft.refresh_from_db()
    assert draft.project_title == "Behålls" and not draft.attachments.exists()


# -- check, preview, submission -----------------------------------------------------------------


def test_the_check_lists_every_missing_item_with_a_link(client, applicant, draft):
    client.force_login(applicant)
    html = client.get(f"/portal/ansokningar/{draft.pk}/granska/").content.decode()
    assert "saker saknas innan ni kan skicka in" in html
    assert f'href="/portal/ansokningar/{draft.pk}/project/#id_project_title"' in html
    assert "Bifoga organisationens stadgar." in html
    assert "Skicka in ansökan" not in html


def test_a_complete_application_shows_a_read_only_preview_and_the_submit_button(
    client, applicant, draft
):
    from tests.grants.portal.conftest import complete

    complete(draft, applicant)
    client.force_login(applicant)
    html = client.get(f"/portal/ansokningar/{draft.pk}/granska/").content.decode()
    assert "Ansökan är komplett" in html and "Skicka in ansökan" in html
    assert "Verksamma i Bollnäs sedan 1990." in html
    assert "<textarea" not in html


def test_submission_gives_a_case_number_snapshot_receipt_and_pdf(
    client, applicant, draft, mailoutbox, django_capture_on_commit_callbacks
):
    from tests.grants.portal.conftest import complete

    draft = complete(draft, applicant)
    client.force_login(applicant)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/portal/ansokningar/{draft.pk}/skicka-in/", {"version": draft.version}
        )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "submitted"
    assert draft.case_number == f"DELMOS {draft.round.year}/1"
    assert draft.snapshot["project_title"] == "Mötesplatser i Bollnäs"
    assert draft.snapshot["answers"]["certifications"]["local_roots"] == "yes"
    assert len(mailoutbox) == 1 and draft.case_number in mailoutbox[0].subject
    assert draft.receipt_pdf.name.endswith(".pdf")
    with draft.receipt_pdf.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"
    html = client.get(f"/portal/ansokningar/{draft.pk}/", follow=True).content.decode()
    assert draft.case_number in html and "Ansökan skickades in." in html
    pdf = client.get(f"/portal/ansokningar/{draft.pk}/kvitto/")
    assert pdf["Content-Type"] == "application/pdf"


def test_a_double_submit_submits_once(client, applicant, draft, django_capture_on_commit_callbacks):
    from tests.grants.portal.conftest import complete

    draft = complete(draft, applicant)
    client.force_login(applicant)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            client.post(f"/portal/ansokningar/{draft.pk}/skicka-in/", {"version": draft.version})
    draft.refresh_from_db()
    assert draft.case_sequence == 1 and draft.round.last_case_sequence == 1
    assert Event.objects.filter(application=draft, action="application.submitted").count() == 1


def test_an_incomplete_application_cannot_be_submitted(client, applicant, draft):
    client.force_login(applicant)
    response = client.post(
        f"/portal/ansokningar/{draft.pk}/skicka-in/", {"version": 1}, follow=True
    )
    assert "Ansökan är inte komplett" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.case_number is None


def test_nothing_can_be_changed_after_submission(client, applicant, draft):
    from grants.services import ServiceError
    from grants.services.portal import application_save_section, application_submit
    from tests.grants.portal.conftest import complete

    draft = complete(draft, applicant)
    application_submit(application=draft, user=applicant, expected_version=None)
    client.force_login(applicant)
    response = client.post(_section(draft, "effect"), {"collaboration": "Ändrat", "version": 99})
    assert response.status_code == 302
    with pytest.raises(ServiceError):
        application_save_section(
            application=draft,
            section="effect",
            data={"collaboration": "x"},
            user=applicant,
            expected_version=None,
        )
    draft.refresh_from_db()
    assert draft.collaboration == "Med kommunen."


def test_the_form_page_uses_few_queries(client, applicant, draft, django_assert_max_num_queries):
    client.force_login(applicant)
    with django_assert_max_num_queries(12):
        client.get(_section(draft, "project"))
    with django_assert_max_num_queries(14):
        client.get(f"/portal/ansokningar/{draft.pk}/granska/")


def test_the_application_pages_have_one_h1(client, applicant, draft):
    client.force_login(applicant)
    for section in (
        "project",
        "partners",
        "effect",
        "budget",
        "certifications",
        "funding",
        "attachments",
    ):
        html = client.get(_section(draft, section)).content.decode()
        assert len(re.findall(r"<h1", html)) == 1, section


def test_a_pages_own_autosave_in_flight_is_not_a_conflict_but_another_tabs_is(
    client, applicant, draft
):
    client.force_login(applicant)
    data = {"collaboration": "A", "long_term_effect": "", "follow_up": ""}
    # Tab A autosaves (version 1 → 2), then its Save button posts the version it still had.
    client.post(
        _section(draft, "effect"), {**data, "version": 1, "editor": "tab-a"}, HTTP_HX_REQUEST="true"
    )
    response = client.post(
        _section(draft, "effect"), {**data, "collaboration": "A2", "version": 1, "editor": "tab-a"}
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.collaboration == "A2" and draft.version == 3
    # Tab B, loaded at version 1, is stale: tab A saved since.
    response = client.post(
        _section(draft, "effect"), {**data, "collaboration": "B", "version": 1, "editor": "tab-b"}
    )
    assert response.status_code == 409
    draft.refresh_from_db()
    assert draft.collaboration == "A2"


def test_returning_to_a_draft_resumes_at_the_section_saved_last(client, applicant, draft):
    client.force_login(applicant)
    client.post(
        _section(draft, "effect"),
        {"collaboration": "x", "long_term_effect": "", "follow_up": "", "version": 1},
    )
    html = client.get(f"/portal/ansokningar/{draft.pk}/").content.decode()
    assert f'href="/portal/ansokningar/{draft.pk}/effect/">Fortsätt fylla i' in html


def test_a_multi_year_project_may_last_at_most_the_tracks_years(applicant, draft):
    from grants.services.submission import submission_problems

    year = draft.round.grant_period_start.year
    draft.start_date = dt.date(year, 1, 1)
    draft.end_date = dt.date(year + 1, 12, 31)
    draft.save()
    assert not [p for p in submission_problems(draft) if p.field == "end_date"]
    draft.round.grant_period_end = dt.date(year + 3, 12, 31)
    draft.round.save()
    draft.end_date = dt.date(year + 2, 6, 30)
    draft.save()
    assert "högst 2 år" in " ".join(
        str(p.message) for p in submission_problems(draft) if p.field == "end_date"
    )


def test_a_save_of_another_section_meanwhile_is_no_conflict(client, applicant, draft):
    client.force_login(applicant)
    data = {"collaboration": "Effekt", "long_term_effect": "", "follow_up": ""}
    client.post(_section(draft, "effect"), {**data, "version": 1, "editor": "tab-a"})
    # A page of the funding section, loaded at version 1, saves after that.
    response = client.post(
        _section(draft, "funding"),
        {"other_state_grants": "no", "version": 1, "editor": "tab-b"},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.answers["funding"]["other_state_grants"] == "no"
    assert draft.collaboration == "Effekt"


def test_a_late_autosave_never_overwrites_a_newer_save_of_the_same_page(client, applicant, draft):
    client.force_login(applicant)
    data = {"long_term_effect": "", "follow_up": ""}
    # The Save button's request overtakes the autosave sent just before it.
    client.post(
        _section(draft, "effect"),
        {**data, "collaboration": "Hela texten", "version": 1, "editor": "tab-a"},
    )
    response = client.post(
        _section(draft, "effect"),
        {**data, "collaboration": "Hela", "version": 1, "editor": "tab-a"},
        HTTP_HX_REQUEST="true",
    )
    assert "Inte sparat" in response.content.decode()
    draft.refresh_from_db()
    assert draft.collaboration == "Hela texten"
