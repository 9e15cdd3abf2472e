"""The officer reads every answer of a submitted application as the applicant saw the question:
the labels and choices of the portal's own forms, the answers in words, in the officer's language."""

import datetime as dt
import html
import re

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from grants.forms import portal as portal_forms
from grants.selectors.portal import SECTION_TITLES, sections_for
from grants.services.portal import application_save_section, attachment_add
from grants.services.submission import submission_problems
from regions.models import Kommun
from tests import factories

from .conftest import submit

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _swedish_after_each_test():
    yield
    translation.activate(settings.LANGUAGE_CODE)


def _post(form_class, data, **kwargs):
    """The cleaned data of one of the portal's own forms, as a save from the portal stores it."""
    form = form_class(data=data, **kwargs)
    assert form.is_valid(), form.errors
    return form.cleaned_data


def _formset(formset_class, rows, **kwargs):
    data = {"form-TOTAL_FORMS": str(len(rows)), "form-INITIAL_FORMS": "0"}
    for i, row in enumerate(rows):
        data.update({f"form-{i}-{k}": v for k, v in row.items()})
    formset = formset_class(data=data, **kwargs)
    assert formset.is_valid(), formset.errors
    return [f.cleaned_data for f in formset.forms if f.cleaned_data]


def _complete(application, user):
    """Fill every section through the portal's forms, every follow-up question answered."""
    year = application.round.grant_period_start.year
    bollnas = Kommun.objects.get(name="Bollnäs")
    sections = {
        "project": _post(
            portal_forms.ProjectForm,
            {
                "project_title": "Mötesplatser i Bollnäs",
                "project_summary": "Läxhjälp och föreningsliv.",
                "purpose_and_plan": "Planen i korthet.",
                "target_groups": "Unga i Bollnäs.",
                "areas": [bollnas.pk],
                "area_details": "Centrum",
                "start_date": f"{year}-02-01",
                "end_date": f"{year}-11-30",
            },
        ),
        "partners": _formset(
            portal_forms.PartnerFormSet,
            [{"name": "Bollnäs kommun", "org_number": "", "role": "Lokaler."}],
        ),
        "effect": _post(
            portal_forms.EffectForm,
            {
                "collaboration": "Med kommunen.",
                "long_term_effect": "Varaktigt.",
                "follow_up": "Enkäter.",
            },
        ),
        "budget": _formset(
            portal_forms.BudgetFormSet,
            [{"category": "staff", "description": "Projektledare", "amount": "300000"}],
        ),
        "funding": _post(
            portal_forms.FundingForm,
            {
                "other_state_grants": "yes",
                "funder": "Allmänna arvsfonden",
                "funding_purpose": "Läger.",
                "funding_amount": "50000",
                "funding_decision_date": f"{year}-01-15",
                "co_funding": "Egen insats.",
            },
        ),
    }
    if application.track.question_set == "civil_society":
        answers = {
            key: expected or "yes" for key, _l, expected in portal_forms.CERTIFICATION_QUESTIONS
        }
        for detail, _label in portal_forms.CERTIFICATION_FOLLOW_UPS.values():
            answers[detail] = f"Förklaring till {detail.split('_')[0]}."
        answers["in_liquidation"] = "no"  # its follow-up stays hidden
        sections["certifications"] = _post(portal_forms.CertificationsForm, answers)
    else:
        sections["statement"] = _post(
            portal_forms.StatementForm,
            {"not_statutory_task": "on", "statement": "Utöver skolans uppdrag."},
        )
    for section, data in sections.items():
        application = application_save_section(
            application=application, section=section, data=data, user=user, expected_version=None
        )
    attachment_add(
        application=application,
        upload=SimpleUploadedFile("stadgar.pdf", PDF_BYTES),
        kind="statutes",
        content_type="application/pdf",
        user=user,
    )
    application.refresh_from_db()
    return application


def _answers_text(response) -> str:
    """The visible text of the page's answers section."""
    page = response.content.decode()
    section = re.search(
        r'<section id="answers".*?</section>\s*<section id="eligibility"', page, re.S
    )
    assert section, "the answers section is missing"
    return html.unescape(re.sub(r"<[^>]+>", " ", section.group(0)))


FORMS = [
    portal_forms.ProjectForm,
    portal_forms.PartnerForm,
    portal_forms.EffectForm,
    portal_forms.BudgetLineForm,
    portal_forms.CertificationsForm,
    portal_forms.StatementForm,
    portal_forms.FundingForm,
]


@pytest.mark.parametrize("civil", [True, False], ids=["civil_society", "municipal"])
@pytest.mark.parametrize("language", ["sv", "en"])
def test_every_answer_of_every_section_reads_as_the_applicant_saw_it(
    client, case_officer, applicant, civil, language
):
    track = factories.make_track(round_=factories.make_round(), civil=civil)
    now = timezone.now()
    round_ = track.round
    round_.opens_at, round_.closes_at = now - dt.timedelta(days=1), now + dt.timedelta(days=9)
    round_.grant_period_start, round_.grant_period_end = (
        dt.date(now.year + 1, 1, 1),
        dt.date(now.year + 1, 12, 31),
    )
    round_.save()
    org_type = "ideell_forening" if civil else "kommun"
    organisation = factories.make_organisation(org_type=org_type)
    application = _complete(
        factories.make_application(track=track, organisation=organisation, project_title=""),
        applicant,
    )
    assert submission_problems(application) == []
    application = submit(application)
    client.force_login(case_officer)
    prefix = "" if language == "sv" else "/en"
    response = client.get(f"{prefix}/handlaggning/ansokan/{application.pk}/")
    assert response.status_code == 200
    text = _answers_text(response)

    # No Python repr of a dict or a list, no raw field name, no unanswered question.
    assert not re.search(r"\{'|'\}|\['|'\]|\[\]|\{\}", text), text
    names = {name for form in FORMS for name in form().fields} | {"certifications", "funding"}
    if language == "sv":
        leaked = {name for name in names if re.search(rf"\b{re.escape(name)}\b", text)}
    else:  # English labels may use a plain word like "areas"; field names with "_" never
        leaked = {name for name in names if "_" in name and name in text}
    assert not leaked, leaked

    with translation.override(language):
        for key in sections_for(track):
            assert str(SECTION_TITLES[key]) in text
        labels = [str(f.label) for f in portal_forms.FundingForm().fields.values()]
        if civil:
            labels += [str(label) for _k, label, _e in portal_forms.CERTIFICATION_QUESTIONS]
            labels += [
                str(label)
                for key, (_d, label) in portal_forms.CERTIFICATION_FOLLOW_UPS.items()
                if key != "in_liquidation"
            ]
            yes, no = str(portal_forms.YES_NO[0][1]), str(portal_forms.YES_NO[1][1])
            assert yes in text and no in text, text
        else:
            labels += [str(f.label) for f in portal_forms.StatementForm().fields.values()]
        labels += [str(f.label) for f in portal_forms.ProjectForm().fields.values()]
        labels += [str(f.label) for f in portal_forms.EffectForm().fields.values()]
        for label in labels:
            assert label in text, label
    for answer in ("Allmänna arvsfonden", "Läger.", "Egen insats.", "Bollnäs kommun", "Enkäter."):
        assert answer in text
    assert re.search(r"50\D?000", text)  # the amount, as money in the language's format
    if civil:
        assert "Förklaring till tax." in text
    else:
        assert "Utöver skolans uppdrag." in text
