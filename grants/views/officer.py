from django.shortcuts import render

from grants.access import staff_required
from grants.selectors import public as selectors


@staff_required
def dashboard(request):
    """The case officers' and decision makers' start page."""
    return render(request, "officer/dashboard.html", {"rounds": selectors.public_rounds()})
