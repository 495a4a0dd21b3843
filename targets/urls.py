from django.urls import path

from . import views

app_name = "targets"

urlpatterns = [
    path("statistics/", views.dashboard, name="dashboard"),
    path("statistics/charts/<slug:name>.svg", views.chart, name="chart"),
    path("statistics/annex1.xlsx", views.annex_export, name="annex-export"),
    path("statistics/counties/<int:pk>/summary.xlsx", views.county_summary_export, name="county-summary-export"),
    path("targets/", views.target_edit, name="target-edit"),
    path("targets/import/", views.target_import, name="target-import"),
    path("targets/template.xlsx", views.target_template, name="target-template"),
    path("standard-enterprises/", views.enterprise_list, name="enterprise-list"),
    path("standard-enterprises/<int:pk>/remove/", views.enterprise_remove, name="enterprise-remove"),
]
