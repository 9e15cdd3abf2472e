"""Decision letters an officer would sign, rendered from the decision by the one letter task."""

import pytest
from django.core.management import call_command
from django.utils import translation

from grants.models import Decision, Event, User
from grants.pdf_structure import structure_problems
from grants.tasks.officer import letter_render, render_letter
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
    assert Event.objects.get(action="decision.letter_sent").data["english"] is True
    assert [m.to for m in mailoutbox] == [[member.email]]
    assert letter_render(kind="decision", object_id=halsingland.pk) is False

    # The command renders the missing letters of the 2020 decisions, and sends no mail.
    mailoutbox.clear()
    call_command("render_letters", "--year", "2020", "--limit", "1", "--english")
    rendered = Decision.objects.exclude(letter_pdf="")
    assert rendered.count() == 2 and all(d.letter_pdf_en for d in rendered)
    assert "1 letters rendered for 2020" in capsys.readouterr().out
    assert mailoutbox == []
