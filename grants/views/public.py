from django.shortcuts import render

from grants.selectors import public as selectors


def home(request):
    """The front door: the latest decided round's headline figures, computed from the database."""
    round_ = selectors.featured_round()
    figures = selectors.round_headline_figures(round_=round_) if round_ else None
    return render(
        request,
        "public/home.html",
        {"round": round_, "figures": figures, "rounds": selectors.public_rounds()},
    )
