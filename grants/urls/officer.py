from django.urls import path

from grants.views.officer import application, audit, dashboard, follow_up, meetings, queue

app_name = "officer"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("ko/", queue.queue, name="queue"),
    path("ko/atgard/", queue.queue_bulk, name="queue_bulk"),
    path("ko/export.csv", queue.queue_export_csv, name="queue_csv"),
    path("ko/export.xlsx", queue.queue_export_xlsx, name="queue_xlsx"),
    path("ansokan/<int:pk>/", application.application_detail, name="application"),
    path("ansokan/<int:pk>/bedomning/", application.assessment_save, name="assessment"),
    path("ansokan/<int:pk>/komplettering/", application.supplement_request, name="supplement"),
    path("ansokan/<int:pk>/jav/", application.conflict_declare, name="conflict"),
    path("ansokan/<int:pk>/kommentar/", application.comment_add, name="comment"),
    path(
        "ansokan/<int:pk>/bilaga/<int:attachment_pk>/",
        application.attachment_download,
        name="attachment",
    ),
    path("beslut/<int:pk>/brev.pdf", application.letter_download, name="letter"),
    path("omgang/<int:round_pk>/nytt-mote/", meetings.meeting_create, name="meeting_create"),
    path("omgang/<int:round_pk>/omfordelning/", dashboard.budget_reallocate, name="reallocate"),
    path("moten/<int:pk>/", meetings.meeting_detail, name="meeting"),
    path("moten/<int:pk>/beslut/<int:application_pk>/", meetings.decision_record, name="decision"),
    path(
        "moten/<int:pk>/ta-bort/<int:application_pk>/",
        meetings.agenda_remove,
        name="agenda_remove",
    ),
    path("moten/<int:pk>/stang/", meetings.meeting_close, name="meeting_close"),
    path("bidrag/<int:pk>/", follow_up.grant_detail, name="grant"),
    path("bidrag/<int:pk>/reskontra.csv", follow_up.grant_ledger_csv, name="grant_ledger_csv"),
    path("bidrag/<int:pk>/andringsbeslut/", follow_up.correction_decide, name="correction"),
    path("bidrag/<int:pk>/aterkrav/", follow_up.claim_decide, name="claim_decide"),
    path("aterkrav/<int:pk>/inbetalning/", follow_up.claim_entry, name="claim_entry"),
    path("uppfoljning/", follow_up.follow_up, name="follow_up"),
    path("utbetalningar/export.csv", follow_up.payments_export_csv, name="payments_csv"),
    path("utbetalningar/<int:pk>/betald/", follow_up.payment_mark_paid, name="payment_paid"),
    path("rapporter/<int:pk>/granskning/", follow_up.report_review, name="report_review"),
    path("aterkrav/<int:pk>/reglerat/", follow_up.claim_settle, name="claim_settle"),
    path("aterkrav/<int:pk>/brev.pdf", follow_up.claim_letter, name="claim_letter"),
    path("logg.csv", audit.event_log_export, name="event_log"),
]
