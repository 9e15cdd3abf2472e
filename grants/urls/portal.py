from django.urls import path

from grants.views import portal

app_name = "portal"

urlpatterns = [
    path("", portal.dashboard, name="dashboard"),
    path("organisationer/ny/", portal.organisation_create, name="organisation_create"),
    path("organisationer/<int:pk>/", portal.organisation_detail, name="organisation"),
    path("organisationer/<int:pk>/bjud-in/", portal.organisation_invite, name="invite"),
    path(
        "organisationer/<int:pk>/medlemmar/<int:membership_pk>/ta-bort/",
        portal.member_remove,
        name="member_remove",
    ),
    path(
        "organisationer/<int:pk>/ansok/<int:track_pk>/",
        portal.application_start,
        name="application_start",
    ),
    path("inbjudan/<str:token>/", portal.invitation_accept, name="invitation_accept"),
    path("ansokningar/<int:pk>/", portal.application_detail, name="application"),
    path("ansokningar/<int:pk>/granska/", portal.application_review, name="application_review"),
    path("ansokningar/<int:pk>/skicka-in/", portal.application_submit, name="application_submit"),
    path("ansokningar/<int:pk>/kvitto/", portal.receipt_download, name="receipt"),
    path(
        "ansokningar/<int:pk>/bilagor/<int:attachment_pk>/",
        portal.attachment_download,
        name="attachment",
    ),
    path(
        "ansokningar/<int:pk>/bilagor/<int:attachment_pk>/ta-bort/",
        portal.attachment_delete,
        name="attachment_delete",
    ),
    path(
        "ansokningar/<int:pk>/komplettering/<int:supplement_pk>/",
        portal.supplement_answer,
        name="supplement_answer",
    ),
    path(
        "ansokningar/<int:pk>/beslut/<int:decision_pk>/brev/",
        portal.letter_download,
        name="letter",
    ),
    path("ansokningar/<int:pk>/rapport/<str:kind>/", portal.report_submit, name="report"),
    path("ansokningar/<int:pk>/reskontra.csv", portal.grant_ledger_csv, name="ledger_csv"),
    path("ansokningar/<int:pk>/aterta/", portal.application_withdraw, name="application_withdraw"),
    path(
        "ansokningar/<int:pk>/<slug:section>/",
        portal.application_section,
        name="application_section",
    ),
]
