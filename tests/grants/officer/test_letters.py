"""Decision letters an officer would sign, rendered from the decision by the one letter task."""

import shutil
import subprocess

import pytest
from django.core.management import call_command
from django.utils import translation

from grants.models import Decision, Event, RecoveryClaim, User
from grants.pdf_structure import structure_problems
from grants.tasks.officer import letter_render, render_letter
from grants.templatetags.delmos import format_sek
from tests.pdfcheck import layout_flaws, page_texts

pytestmark = pytest.mark.django_db

LETTER_MARGINS = (20, 22, 22, 22)


def text_of(data: bytes) -> str:
    return " ".join(" ".join(page_texts(data)).split())


def check(data: bytes) -> None:
    assert layout_flaws(data, margins_mm=LETTER_MARGINS) == []
    assert structure_problems(data, max_tables=None) == []


@pytest.fixture
def halsingland(demo):
    return Decision.objects.select_related(
        "application__organisation", "application__round", "application__track", "meeting"
    ).get(
        application__organisation__name="Hälsinglands utbildningsförbund",
        application__round__year=2020,
    )


def test_the_halsingland_2020_letter_is_a_complete_official_letter(
    halsingland, tmp_path, mailoutbox, capsys, django_capture_on_commit_callbacks
):
    """One test, as the 2020 demonstration data takes a while to load."""
    import pdfua

    with translation.override("en"):  # a worker's active language must not leak into the letter
        swedish = render_letter("decision", halsingland)
    check(swedish)
    path = tmp_path / "letter.pdf"
    path.write_bytes(swedish)
    assert pdfua.validate(str(path)).findings == ()
    text = text_of(swedish)
    for part in (
        "Delegationen mot segregation (Delmos)",  # the agency
        "registrator@delmos.example",
        "Diarienummer: DELMOS 2020/218",  # case number
        "Datum: 2020-06-12",  # date of the decision
        "Hälsinglands utbildningsförbund",
        "222007-9194",
        "Beslut: er ansökan beviljas delvis",  # partly approved: 800 000 of 1 200 000 kr
        "Delmos beviljar organisationen 800 000 kr",
        "Ni sökte 1 200 000 kr",
        "Skäl",  # reasons
        "Belopp per bidragsår",
        "2020 800 000 kr",  # amount per grant year
        "1 2020-07-15 utan rekvisition",  # instalments with dates
        "2 2020-12-15 efter godkänd lägesrapport",
        "400 000 kr",
        "Villkor",
        "Lägesrapport 2020-09-30",  # report due dates
        "Slutrapport 2021-06-15",
        "Så rekvirerar ni utbetalning",
        "förordningen (2018:118)",  # appeal, as the ordinance says
        "får detta beslut inte överklagas",
        "Kontakt",
        "Beslutet har fattats av",
        "Bertil Beslutsfattare",  # the decision maker
        "Föredragande",
        "Hanna Handläggare",  # the presenting officer
        "sida 2 av 2",
    ):
        assert part in text, part

    english = text_of(render_letter("decision", halsingland, "en"))
    for part in (
        "Decision: your application is partly approved",
        "SEK 800,000",
        "You applied for SEK 1,200,000",
        "this decision may not be appealed",
        "page 2 of 2",
    ):
        assert part in english, part

    # A refusal: reasons, no amounts, the appeal clause.
    refusal = Decision.objects.filter(application__round__year=2020, outcome="rejected").first()
    data = render_letter("decision", refusal)
    check(data)
    text = text_of(data)
    assert "Beslut: er ansökan avslås" in text and "Skäl" in text
    assert "Belopp per bidragsår" not in text and "Överklagande" in text

    # The one letter task files the Swedish letter and, on request, an English copy.
    member = User.objects.get(email="sokande@demo.delmos.example")
    member.language = "en"
    member.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        assert letter_render(kind="decision", object_id=halsingland.pk) is True
    halsingland.refresh_from_db()
    assert halsingland.letter_pdf and halsingland.letter_pdf_en
    assert "partly approved" in text_of(halsingland.letter_pdf_en.open("rb").read())
    assert "beviljas delvis" in text_of(halsingland.letter_pdf.open("rb").read())
    sent = Event.objects.get(action="decision.letter_sent", application=halsingland.application)
    assert sent.data["english"] is True
    assert [m.to for m in mailoutbox] == [[member.email]]
    assert letter_render(kind="decision", object_id=halsingland.pk) is False

    # The command renders the missing letters of the 2020 decisions, and sends no mail.
    mailoutbox.clear()
    call_command("render_letters", "--year", "2020", "--limit", "1", "--english")
    rendered = Decision.objects.exclude(letter_pdf="").filter(meeting__round__year=2020)
    assert rendered.count() == 2 and all(d.letter_pdf_en for d in rendered)
    assert "1 letters rendered for 2020" in capsys.readouterr().out
    assert mailoutbox == []


def pdftotext(data: bytes, tmp_path) -> str:
    """The letter's text as poppler's pdftotext reads it, white space made single."""
    path = tmp_path / "letter.pdf"
    path.write_bytes(data)
    result = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
    return " ".join(result.stdout.decode().replace("\xa0", " ").split())


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_the_filed_letters_read_as_official_letters_with_the_right_figures(demo, tmp_path):
    """Hälsinglands utbildningsförbund's 2020 letter as the letter task files it (Swedish, and
    the English copy), a refusal and a recovery letter, read with pdftotext: every part of an
    official letter, with the decision's own figures."""
    decision = Decision.objects.get(
        application__organisation__name="Hälsinglands utbildningsförbund",
        application__round__year=2020,
    )
    assert letter_render(kind="decision", object_id=decision.pk, notify=False, english=True)
    decision.refresh_from_db()
    swedish = pdftotext(decision.letter_pdf.open("rb").read(), tmp_path)
    english = pdftotext(decision.letter_pdf_en.open("rb").read(), tmp_path)
    parts = [
        # the agency, the date and case number, the addressee with its postal address
        "Delegationen mot segregation (Delmos) Box 000, 211 00 Malmö registrator@delmos.example",
        "Datum: 2020-06-12 Diarienummer: DELMOS 2020/218",
        "Hälsinglands utbildningsförbund Storgatan 40 734 32 Bollnäs "
        "Organisationsnummer: 222007-9194",
        # the decision, with its reasons
        "Beslut: er ansökan beviljas delvis",
        "Beslut Delmos beviljar organisationen 800 000 kr. Ni sökte 1 200 000 kr. Skäl Projektet",
        # the amount per grant year, and per instalment with its date and condition
        "Belopp per bidragsår Bidragsår Belopp 2020 800 000 kr",
        "1 2020-07-15 utan rekvisition, efter detta beslut 400 000 kr",
        "2 2020-12-15 efter godkänd lägesrapport 400 000 kr",
        "Så rekvirerar ni utbetalning",
        "Villkor • Bidraget får bara användas för det projekt",
        "Rapporter Rapport Förfaller Lägesrapport 2020-09-30 Slutrapport 2021-06-15",
        # the appeal clause of the ordinance the decision is made under
        "Överklagande Enligt förordningen (2018:118) om statsbidrag till kommuner och regioner "
        "för att minska och motverka segregation får detta beslut inte överklagas.",
        "Kontakt Frågor om beslutet: Hanna Handläggare, handlaggare@demo.delmos.example. "
        "Ange diarienummer DELMOS 2020/218.",
        "Beslutet har fattats av Bertil Beslutsfattare Föredragande Hanna Handläggare",
    ]
    for part in parts:
        assert part in swedish, part
    assert "English copy" not in swedish
    for part in (
        "Date: 2020-06-12 Case number: DELMOS 2020/218",
        "Storgatan 40 734 32 Bollnäs",
        "This English copy is a translation for information: the decision is the Swedish letter.",
        "Delmos grants the organisation SEK 800,000. You applied for SEK 1,200,000.",
        "1 2020-07-15 without a request, after this decision SEK 400,000",
        "Progress report 2020-09-30 Final report 2021-06-15",
        "Under the Ordinance (2018:118) on state grants to municipalities and regions",
        "this decision may not be appealed",
        "This decision was made by Bertil Beslutsfattare Presented by Hanna Handläggare",
    ):
        assert part in english, part

    refusal = Decision.objects.filter(application__round__year=2020, outcome="rejected").first()
    text = pdftotext(render_letter("decision", refusal), tmp_path)
    organisation = refusal.application.organisation
    for part in (
        f"{organisation.name} {organisation.street_address} {organisation.postcode} "
        f"{organisation.town}",
        "Beslut: er ansökan avslås",
        f"Beslut Delmos avslår ansökan. Skäl {refusal.reasons}",
        "Överklagande Enligt förordningen (2018:119)",
        "Beslutet har fattats av Bertil Beslutsfattare Föredragande Hanna Handläggare",
    ):
        assert part in text, part
    assert "Belopp per bidragsår" not in text and "Utbetalning" not in text

    claim = RecoveryClaim.objects.filter(grounds="unused").order_by("pk").first()
    text = pdftotext(render_letter("recovery", claim), tmp_path)
    grant = claim.grant
    for part in (
        f"Diarienummer: {grant.application.case_number}",
        f"{grant.application.organisation.street_address}",
        "Beslut: återkrav av bidrag",
        f"Delmos kräver tillbaka {format_sek(claim.amount)}. Betala beloppet senast "
        f"{claim.due_date:%Y-%m-%d}.",
        f"Beviljat {format_sek(grant.amount_total)} Utbetalt {format_sek(claim.paid_basis)}",
        f"Återkrävt {format_sek(claim.amount)}",
        "Så betalar ni Betala till Delmos bankgiro 000-0000",
        "Överklagande Enligt förordningen",
        "Beslutet har fattats av",
    ):
        assert part.replace("\xa0", " ") in text, part
    # The heading above the amounts names their table once (no visible duplicate caption).
    assert text.count("Så har beloppet beräknats") == 1
