from django.urls import path

from . import views

app_name = "bases"

urlpatterns = [
    path("applications/", views.application_list, name="application-list"),
    path("applications/export.xlsx", views.application_export, name="application-export"),
    path("applications/new/", views.application_create, name="application-create"),
    path("applications/<int:pk>/edit/", views.application_edit, name="application-edit"),
    path("applications/<int:pk>/form.pdf", views.application_print, name="application-print"),
    path("forms/<slug:base_type>.pdf", views.form_blank, name="form-blank"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment-download"),
    path("attachments/<int:pk>/delete/", views.attachment_delete, name="attachment-delete"),
    path("county-rules/", views.county_rules_list, name="county-rules-list"),
    path("county-rules/<int:county_id>/<int:year>/", views.county_rules_detail, name="county-rules-detail"),
    path("county-rules/<int:county_id>/<int:year>/edit/", views.county_rules_edit, name="county-rules-edit"),
    path("organisations/", views.organisation_list, name="organisation-list"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation-detail"),
]
