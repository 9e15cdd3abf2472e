"""The workspace's start page and the budget reallocation between tracks."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from grants.access import decision_maker_required, staff_required
from grants.forms import officer as forms
from grants.selectors import officer as selectors
from grants.services import ServiceError
from grants.services import decisions as decision_services


@staff_required
def dashboard(request):
    """Start page: the rounds, and for the chosen one the status table and the budget ledger."""
    rounds = list(selectors.staff_rounds())
    chosen = next((r for r in rounds if str(r.pk) == request.GET.get("round")), None)
    chosen = chosen or next(iter(rounds), None)
    context = {"rounds": rounds, "round": chosen}
    if chosen:
        context["counts"] = selectors.status_counts(round_=chosen)
        context["ledger"] = selectors.budget_ledger(round_=chosen)
        context["meetings"] = selectors.meetings_for_round(chosen)
    return render(request, "officer/dashboard.html", context)


@decision_maker_required
def budget_reallocate(request, round_pk):
    round_ = selectors.round_or_404(round_pk)
    form = forms.ReallocationForm(request.POST or None, round_=round_)
    if request.method == "POST" and form.is_valid():
        try:
            decision_services.budget_reallocate(user=request.user, **form.cleaned_data)
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The budget reallocation is recorded."))
            return redirect(reverse("officer:dashboard") + f"?round={round_.pk}")
    return render(
        request,
        "officer/reallocation_form.html",
        {"form": form, "round": round_, "ledger": selectors.budget_ledger(round_=round_)},
    )
