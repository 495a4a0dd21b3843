from django.urls import path

from . import views

app_name = "reviews"

urlpatterns = [
    path("applications/<int:pk>/", views.application_detail, name="application-detail"),
    path("applications/<int:pk>/actions/<slug:action>/", views.application_action, name="application-transition"),
    path("applications/<int:pk>/attachments/", views.attachment_upload, name="attachment-upload"),
    path("applications/<int:pk>/guidance/", views.guidance_add, name="guidance-add"),
    path("applications/<int:pk>/revocation/", views.revocation_notice, name="revocation-notice"),
    path("revocations/<int:pk>/statement/", views.revocation_statement, name="revocation-statement"),
    path("revocations/<int:pk>/close/", views.revocation_close, name="revocation-close"),
    path("objections/<int:pk>/answer/", views.objection_answer, name="objection-answer"),
    path("applications/<int:pk>/acceptance-records/", views.acceptance_record_add, name="acceptance-record-add"),
    path("candidates/new/", views.candidate_create, name="candidate-create"),
    path("publicities/", views.publicity_list, name="publicity-list"),
    path("publicities/new/", views.publicity_open, name="publicity-open"),
    path("publicities/<int:pk>/", views.publicity_detail, name="publicity-detail"),
    path("publicities/<int:pk>/close/", views.publicity_close, name="publicity-close"),
    path("publicities/<int:pk>/recognise/", views.publicity_recognise, name="publicity-recognise"),
    path("publicities/<int:pk>/objections/", views.objection_add, name="objection-add"),
    path("objections/<int:pk>/reply/", views.objection_reply, name="objection-reply"),
    path("bases/", views.base_list, name="base-list"),
    path("bases/export.xlsx", views.base_export, name="base-export"),
    path("bases/<int:pk>/", views.base_detail, name="base-detail"),
    path("bases/<int:pk>/upward/<int:item_pk>/", views.upward_outcome, name="upward-outcome"),
    path("bases/<int:pk>/yearly-reports/<int:year>/", views.yearly_report, name="yearly-report"),
    path("yearly-reports/", views.yearly_report_list, name="yearly-report-list"),
    path("yearly-reports/<int:pk>/review/", views.yearly_report_review, name="yearly-report-review"),
    path("yearly-reports/<int:pk>/revocation/", views.yearly_report_revocation, name="yearly-report-revocation"),
    path("bases/<int:pk>/support/", views.base_support_add, name="base-support-add"),
    path("bases/<int:pk>/services/", views.base_service_add, name="base-service-add"),
    path("bases/<int:pk>/liaison/", views.liaison_add, name="liaison-add"),
    path("bases/<int:pk>/liaison/end/", views.liaison_end, name="liaison-end"),
    path("workflow/", views.workflow_diagram, name="workflow"),
    path("notifications/", views.notification_list, name="notification-list"),
]
