from django.shortcuts import render

from grants import selectors
from grants.access import staff_required


@staff_required
def dashboard(request):
    """The case officers' and decision makers' start page."""
    return render(request, "officer/dashboard.html", {"rounds": selectors.public_rounds()})
