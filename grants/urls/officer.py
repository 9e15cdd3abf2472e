from django.urls import path

from grants.views import officer

app_name = "officer"

urlpatterns = [
    path("", officer.dashboard, name="dashboard"),
    path("ko/", officer.queue, name="queue"),
    path("ko/atgard/", officer.queue_bulk, name="queue_bulk"),
    path("ko/export.csv", officer.queue_export_csv, name="queue_csv"),
    path("ko/export.xlsx", officer.queue_export_xlsx, name="queue_xlsx"),
    path("ansokan/<int:pk>/", officer.application_detail, name="application"),
    path("ansokan/<int:pk>/bedomning/", officer.assessment_save, name="assessment"),
    path("ansokan/<int:pk>/komplettering/", officer.supplement_request, name="supplement"),
    path("ansokan/<int:pk>/jav/", officer.conflict_declare, name="conflict"),
    path("ansokan/<int:pk>/kommentar/", officer.comment_add, name="comment"),
    path(
        "ansokan/<int:pk>/bilaga/<int:attachment_pk>/",
        officer.attachment_download,
        name="attachment",
    ),
    path("beslut/<int:pk>/brev.pdf", officer.letter_download, name="letter"),
    path("omgang/<int:round_pk>/nytt-mote/", officer.meeting_create, name="meeting_create"),
    path("omgang/<int:round_pk>/omfordelning/", officer.budget_reallocate, name="reallocate"),
    path("moten/<int:pk>/", officer.meeting_detail, name="meeting"),
    path("moten/<int:pk>/beslut/<int:application_pk>/", officer.decision_record, name="decision"),
    path("moten/<int:pk>/stang/", officer.meeting_close, name="meeting_close"),
    path("bidrag/<int:pk>/", officer.grant_detail, name="grant"),
    path("uppfoljning/", officer.follow_up, name="follow_up"),
    path("utbetalningar/export.csv", officer.payments_export_csv, name="payments_csv"),
    path("utbetalningar/<int:pk>/betald/", officer.payment_mark_paid, name="payment_paid"),
    path("rapporter/<int:pk>/granskning/", officer.report_review, name="report_review"),
    path("aterkrav/<int:pk>/reglerat/", officer.claim_settle, name="claim_settle"),
    path("aterkrav/<int:pk>/brev.pdf", officer.claim_letter, name="claim_letter"),
    path("logg.csv", officer.event_log_export, name="event_log"),
]
