"""The application form's helps, on the server side: amounts and dates as people write them,
capitalised choices, the task list's states, the error summary's links, the review page's links
to each field, the budget's totals and limits, and withdrawal only after submission."""

import datetime as dt
import re

import pytest

from grants.forms.portal import (
    AmountField,
    AttachmentForm,
    BudgetLineForm,
    OrganisationForm,
    SwedishDateField,
    parse_amount,
    parse_swedish_date,
)
from grants.selectors.portal_progress import field_anchor, linked_problems, problem_parts
from grants.services.submission import Problem
from tests import factories

pytestmark = pytest.mark.django_db


def _section(application, section):
    return f"/portal/ansokningar/{application.pk}/{section}/"


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("125000", 125_000),
        ("125 000", 125_000),
        ("125\u00a0000", 125_000),
        ("125.000", 125_000),
        ("1.250.000", 1_250_000),
        ("1 250 000 kr", 1_250_000),
        ("125 000:-", 125_000),
        ("125 000,00", 125_000),
        ("12,50", None),
        ("12.5", None),
        ("tolv", None),
        ("-5", None),
    ],
)
def test_amounts_are_read_as_people_write_them(text, amount):
    assert parse_amount(text) == amount


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("2027-02-01", dt.date(2027, 2, 1)),
        ("2027-2-1", dt.date(2027, 2, 1)),
        ("20270201", dt.date(2027, 2, 1)),
        ("1/2 2027", dt.date(2027, 2, 1)),
        ("1.2.2027", dt.date(2027, 2, 1)),
        ("1 februari 2027", dt.date(2027, 2, 1)),
        ("1 Feb 2027", dt.date(2027, 2, 1)),
        ("15 maj 2027", dt.date(2027, 5, 15)),
        ("31 februari 2027", None),
        ("1 brumaire 2027", None),
        ("2027-13-01", None),
        ("snart", None),
    ],
)
def test_dates_are_read_as_swedes_write_them(text, date):
    assert parse_swedish_date(text) == date


def test_the_fields_refuse_what_they_cannot_read_with_a_message_that_shows_the_format():
    field = SwedishDateField(required=False)
    assert field.clean("1 mars 2027") == dt.date(2027, 3, 1)
    assert "ÅÅÅÅ-MM-DD" in str(field.help_text) or "YYYY-MM-DD" in str(field.help_text)
    with pytest.raises(Exception, match="2027-02-01"):
        field.clean("31/2 2027")
    amount = AmountField(required=False)
    assert amount.clean("1 234 567") == 1_234_567
    assert amount.widget.format_value(1_234_567) == "1 234 567"
    assert 'inputmode="numeric"' in amount.widget.render("x", 1000)
    with pytest.raises(Exception, match="125 000"):
        amount.clean("12,5")


def test_types_and_categories_are_capitalised():
    types = dict(OrganisationForm().fields["org_type"].choices)
    categories = dict(BudgetLineForm().fields["category"].choices)
    assert str(types["ideell_forening"]) == "Ideell förening"
    assert str(categories["staff"]) == "Personal"
    assert str(categories["other"]) == "Övriga kostnader"
    assert str(dict(AttachmentForm().fields["kind"].choices)["statutes"]) == "Stadgar"


def test_problems_of_either_shape_lead_to_the_field(draft):
    assert problem_parts(Problem("project", "id_areas", "x")) == ("project", "id_areas", "x")
    assert problem_parts({"section": "project", "field": "areas", "message": "x"})[1] == "areas"
    assert problem_parts(("budget", "", "x")) == ("budget", "", "x")
    assert field_anchor("project", "areas") == field_anchor("project", "id_areas") == "id_areas"
    assert field_anchor("budget", "") == "budget-total"
    assert field_anchor("attachments", "") == "id_kind"
    [linked] = linked_problems(draft, [{"section": "funding", "field": "funder", "message": "m"}])
    assert linked.url == f"/portal/ansokningar/{draft.pk}/funding/#id_funder"


def test_the_review_page_links_every_missing_item_to_its_field_and_groups_them(
    client, applicant, draft
):
    client.force_login(applicant)
    html = client.get(f"/portal/ansokningar/{draft.pk}/granska/").content.decode()
    for section, anchor in [
        ("project", "id_project_title"),
        ("project", "id_areas"),
        ("project", "id_start_date"),
        ("effect", "id_follow_up"),
        ("budget", "id_form-0-category"),
        ("certifications", "id_legal_form_eligible_0"),
        ("funding", "id_other_state_grants_0"),
        ("attachments", "id_kind"),
    ]:
        assert f'href="/portal/ansokningar/{draft.pk}/{section}/#{anchor}"' in html, anchor
    # Every anchor exists on the page it leads to.
    for url, anchor in set(re.findall(r'href="(/portal/ansokningar/\d+/\w+/)#([\w-]+)"', html)):
        page = client.get(url).content.decode()
        assert f'id="{anchor}"' in page, (url, anchor)
    headings = re.findall(r'<h3 class="problems-section">([^<]+)</h3>', html)
    assert headings == [
        "Projekt",
        "Långsiktig effekt och uppföljning",
        "Budget",
        "Intyganden",
        "Annan finansiering",
        "Bilagor",
    ]


def test_the_task_list_follows_the_saves(client, applicant, draft):
    client.force_login(applicant)
    url = _section(draft, "effect")

    def state(html, key):
        match = re.search(rf'id="task-state-{key}">([^<]+)', html)
        return match.group(1)

    html = client.get(url).content.decode()
    assert state(html, "effect") == "Ej påbörjat"
    assert 'aria-describedby="task-state-effect"' in html
    client.post(url, {"version": draft.version, "collaboration": "Med skolan.", "then": "stay"})
    html = client.get(url).content.decode()
    assert state(html, "effect") == "Påbörjat"
    assert "2 saker saknas" in html
    draft.refresh_from_db()
    data = {
        "version": draft.version,
        "collaboration": "Med skolan.",
        "long_term_effect": "Varaktigt.",
        "follow_up": "Enkäter.",
    }
    # An autosave answers with the save status and the task list swapped in out of band.
    response = client.post(url, data, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'id="task-list" data-hx-swap-oob="true"' in html
    assert state(html, "effect") == "Klart"
    # A section that fails to save shows it.
    project = client.post(
        _section(draft, "project"),
        {"version": 0, "start_date": "31 februari 2027", "then": "stay"},
        follow=True,
    ).content.decode()
    assert state(project, "project") == "Har fel"


def test_the_error_summary_links_each_field_of_a_form_and_of_a_formset(client, applicant, draft):
    client.force_login(applicant)
    html = client.post(
        _section(draft, "funding"),
        {"version": draft.version, "other_state_grants": "yes", "funding_amount": "tolv"},
        follow=True,
    ).content.decode()
    summary = html[
        html.index('class="error-summary"') : html.index("</ul>", html.index("error-summary-list"))
    ]
    assert 'href="#id_funding_amount"' in summary
    assert "Belopp (kr): Skriv beloppet i hela kr" in summary
    year = draft.round.grant_period_start.year
    html = client.post(
        _section(draft, "budget"),
        {
            "version": draft.version,
            "form-TOTAL_FORMS": "2",
            "form-INITIAL_FORMS": "0",
            "form-0-category": "staff",
            "form-0-year": str(year),
            "form-0-amount": "300 000",
            "form-1-category": "",
            "form-1-year": str(year),
            "form-1-amount": "12,5",
        },
        follow=True,
    ).content.decode()
    assert 'href="#id_form-1-amount"' in html
    assert "Budgetrad 2, Belopp (kr): Skriv beloppet i hela kr" in html
    # What was typed is kept, and its totals are shown before it can be saved.
    assert 'value="300 000"' in html
    assert re.search(r"data-total>300\s000\skr<", html)
    assert re.search(rf'data-year-total="{year}">300\s000\skr<', html)


def test_the_budget_names_the_tracks_limits(client, applicant, draft):
    client.force_login(applicant)
    year = draft.round.grant_period_start.year
    client.post(
        _section(draft, "budget"),
        {
            "version": draft.version,
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "0",
            "form-0-category": "staff",
            "form-0-year": str(year),
            "form-0-amount": "2.500.000",
            "then": "stay",
        },
    )
    draft.refresh_from_db()
    assert draft.requested_amount == 2_500_000
    html = client.get(_section(draft, "budget")).content.decode()
    assert re.search(r"Spåret ger högst 2\s000\s000\skr per ansökan", html)
    assert re.search(r"data-budget-warning\s*>[^<]*2\s500\s000\skr[^<]*2\s000\s000\skr", html)
    assert f"Bidragsåren är {year}–{year + 1}." in html
    preview = client.get(f"/portal/ansokningar/{draft.pk}/granska/").content.decode()
    assert f"<dt>{year}: Personal</dt>" in preview


def test_a_draft_offers_no_withdrawal_and_refuses_one(client, applicant, draft):
    client.force_login(applicant)
    html = client.get(f"/portal/ansokningar/{draft.pk}/").content.decode()
    assert "Återta ansökan" not in html
    response = client.post(f"/portal/ansokningar/{draft.pk}/aterta/", {"confirm": "yes"})
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert "inget att återta" in client.get(response["Location"]).content.decode()


def test_the_date_fields_say_the_format_and_the_counters_have_their_limit(client, applicant, draft):
    client.force_login(applicant)
    html = client.get(_section(draft, "project")).content.decode()
    start = re.search(r"<input[^>]*name=\"start_date\"[^>]*>", html).group(0)
    assert 'type="text"' in start and 'aria-describedby="id_start_date_helptext"' in start
    assert 'id="id_start_date_helptext">Skriv det som ÅÅÅÅ-MM-DD' in html
    assert re.search(r'<input[^>]*name="project_title"[^>]*maxlength="200"', html)
    assert "Senast sparad" in html


def test_the_municipality_choice_survives_an_error(client, applicant, draft):
    client.force_login(applicant)
    html = client.post(
        _section(draft, "project"),
        {"version": draft.version, "areas": ["2183", "2182"], "start_date": "snart"},
        follow=True,
    ).content.decode()
    assert re.search(r'<input[^>]*value="2183"[^>]*checked', html)
    assert re.search(r'<input[^>]*value="2182"[^>]*checked', html)
    # The county with the choices is open, with its count; the others are closed.
    assert re.search(
        r'<details class="area-county" data-county open>\s*<summary><span class="area-county-name">Gävleborgs län</span> <span class="area-county-count">\(2 valda\)',
        html,
    )
    assert html.count("data-county open") == 1
    # Saved with the section all the same (issue 10: drafts keep what was typed).
    assert sorted(draft.areas.values_list("code", flat=True)) == ["2182", "2183"]


def test_another_organisations_draft_still_answers_404(client, other_applicant, draft):
    client.force_login(other_applicant)
    assert client.get(_section(draft, "budget")).status_code == 404
    factories.make_application(track=draft.track)  # unrelated drafts change nothing
    assert client.get(f"/portal/ansokningar/{draft.pk}/granska/").status_code == 404
