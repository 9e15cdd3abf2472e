from django.shortcuts import render

from grants.access import member_required, organisations_for_user


@member_required
def dashboard(request):
    """The applicant's start page: their organisations."""
    return render(
        request,
        "portal/dashboard.html",
        {"organisations": organisations_for_user(request.user).select_related("seat")},
    )
