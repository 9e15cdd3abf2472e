import datetime as dt

from grants.models import Application, Decision, DecisionMeeting
from tests import factories


def build_award_round():
    """A decided round with two tracks, two closed meetings and an open one."""
    round_ = factories.make_round(year=2031, slug="2031")
    municipal = factories.make_track(round_=round_, civil=False, code="kommuner", position=1)
    civil = factories.make_track(round_=round_, civil=True, code="ideella", position=2)
    first = DecisionMeeting.objects.create(
        round=round_, date=dt.date(2031, 6, 12), status=DecisionMeeting.Status.CLOSED
    )
    second = DecisionMeeting.objects.create(
        round=round_, date=dt.date(2031, 6, 25), status=DecisionMeeting.Status.CLOSED
    )
    later = DecisionMeeting.objects.create(round=round_, date=dt.date(2031, 9, 1))

    def grant(track, name, amount, meeting, **org):
        organisation = factories.make_organisation(
            name=name, org_type="kommun" if track is municipal else "ideell_forening", **org
        )
        application = factories.make_application(
            track=track,
            organisation=organisation,
            status=Application.Status.APPROVED,
            case_sequence=organisation.pk,
            case_number=f"DELMOS 2031/{organisation.pk}",
            project_title=f"Projekt {name}",
        )
        return factories.make_grant(application=application, amount=amount, meeting=meeting)

    grant(municipal, "Bollnäs kommun", 900_000, first)
    alby = grant(civil, "Föreningen Alby", 400_000, first)
    grant(civil, "Örebro föreningsråd", 250_000, first)
    grant(civil, "Ängby förening", 300_000, second)
    grant(civil, "Zeta förening", 100_000, later)  # open meeting: not final, not published
    Decision.objects.create(
        application=alby.application,
        meeting=second,
        outcome=Decision.Outcome.APPROVED,
        kind=Decision.Kind.SUPPLEMENTARY,
        amount=50_000,
    )
    return round_
