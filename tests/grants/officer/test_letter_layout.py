"""Decision (approved, partly approved, refused) and recovery letters laid out without a flaw in
Swedish and English with generated extremes: the longest organisation name the register allows
(with a long compound word), amounts near a billion kronor, a grant over five years and a round
paid in twelve instalments, long reasons. Every word's box is read back from the PDF
(tests/pdfcheck.py): inside the text area, overlapping no other."""

import datetime as dt

import pytest

from grants.models import Decision, Organisation
from grants.pdf_structure import structure_problems
from grants.services.decisions import (
    decision_record,
    meeting_add_applications,
    meeting_close,
    meeting_create,
)
from grants.services.payments import payment_mark_paid, payments_release_due
from grants.services.reports import recovery_claim_decide
from grants.tasks.officer import render_letter
from tests import factories
from tests.pdfcheck import layout_flaws, page_texts

from .conftest import submit

pytestmark = pytest.mark.django_db

LETTER_MARGINS = (20, 22, 22, 22)
LONG_WORD = "Integrationsutvecklingssamordningsförbundet"  # 43 letters, no break opportunity
LONGEST_NAME = (
    f"{LONG_WORD} för social hållbarhet, bostadsområdesutveckling och "
    "arbetsmarknadsinsatser i Stockholms, Uppsala, Västmanlands och Södermanlands län"
    " – ideell förening med ändamål att minska och motverka segregation"
)[: Organisation._meta.get_field("name").max_length]
LONG_REASONS = " ".join(
    [
        "Ansökan har prövats i konkurrens med andra ansökningar inom spåret och bedömts mot "
        "förordningens villkor, målgruppens behov och projektets förankring i bostadsområdena."
    ]
    * 6
)
BILLION = 987_654_321


def _letters(kind, obj):
    return {language: render_letter(kind, obj, language) for language in ("sv", "en")}


@pytest.fixture
def extremes(decision_maker, case_officer):
    """Four letters' objects: 12 instalments, 5 grant years, a refusal, and a recovery."""
    year = 2030
    round_ = factories.make_round(
        year=year,
        instalments=12,
        grant_period_start=dt.date(year + 1, 1, 1),
        grant_period_end=dt.date(year + 5, 12, 31),
        last_use_date=dt.date(year + 5, 12, 31),
        progress_report_due=dt.date(year + 1, 9, 30),
        final_report_due=dt.date(year + 6, 6, 30),
    )
    track = factories.make_track(
        round_=round_, budget_cap=10 * BILLION, multi_year=True, max_years=5
    )
    organisation = factories.make_organisation(
        name=LONGEST_NAME, street_address="Långa vägen 1234 B, lgh 1701", town="Upplands Väsby"
    )
    meeting = meeting_create(round_=round_, user=decision_maker, date=dt.date(year, 6, 12))
    plans = [
        ("approved", BILLION, None),  # twelve instalments
        ("approved", 5 * 150_000_000, {str(year + 1 + i): 150_000_000 for i in range(5)}),
        ("rejected", 0, None),
    ]
    applications = [
        submit(
            factories.make_application(
                track=track,
                organisation=organisation,
                requested_amount=1_234_567_890,
                project_title=LONGEST_NAME,
            ),
            assess=True,
        )
        for _ in plans
    ]
    meeting_add_applications(meeting=meeting, applications=applications, user=decision_maker)
    for application, (outcome, amount, per_year) in zip(applications, plans, strict=True):
        decision_record(
            meeting=meeting,
            application=application,
            user=decision_maker,
            outcome=outcome,
            amount=amount,
            amount_per_year=per_year,
            reasons=LONG_REASONS if outcome == "rejected" else "",
        )
    meeting_close(meeting=meeting, user=decision_maker)
    decisions = [Decision.objects.get(application=a) for a in applications]

    def recovery():
        """Pay the twelve-instalment grant's first part and claim it all back (the claim
        cancels the parts not paid, so it comes after the decision letters)."""
        grant = decisions[0].application.grant
        first = grant.payments.get(number=1)
        payments_release_due(today=first.due_date, grant=grant)  # its grant year has come
        payment_mark_paid(payment=grant.payments.get(number=1), user=case_officer)
        return recovery_claim_decide(
            grant=grant,
            user=case_officer,
            grounds="misuse",
            amount=grant.payments.get(number=1).amount,
            reason=LONG_REASONS,
        )

    return decisions, recovery


def test_letters_with_extreme_values_have_no_layout_flaws(extremes):
    (twelve, five_years, refusal), recovery = extremes
    assert twelve.application.grant.payments.count() == 12
    assert five_years.application.grant.payments.count() == 5
    letters = {
        "twelve instalments": _letters("decision", twelve),
        "five grant years": _letters("decision", five_years),
        "refusal": _letters("decision", refusal),
    }
    letters["recovery"] = _letters("recovery", recovery())
    for name, by_language in letters.items():
        for language, data in by_language.items():
            flaws = layout_flaws(data, margins_mm=LETTER_MARGINS)
            assert flaws == [], (name, language, [str(f) for f in flaws[:10]])
            assert structure_problems(data, max_tables=None) == [], (name, language)
            text = " ".join(" ".join(page_texts(data)).split())
            assert LONG_WORD in text, (name, language)
    sv = " ".join(" ".join(page_texts(letters["twelve instalments"]["sv"])).split())
    assert "987 654 321 kr" in sv and "82 304 535 kr" in sv and sv.count("82 304 526 kr") == 11
    en = " ".join(" ".join(page_texts(letters["five grant years"]["en"])).split())
    assert "SEK 750,000,000" in en and en.count("SEK 150,000,000") >= 10
