from django.urls import path, re_path

from . import api, views

app_name = "portal"

urlpatterns = [
    path("public/bases/", views.base_list, name="base-list"),
    re_path(r"^public/bases/download\.(?P<fmt>csv|xlsx)$", views.base_download, name="base-download"),
    path("public/bases/<uuid:public_id>/", views.base_detail, name="base-detail"),
    path("public/publicities/", views.publicity_list, name="publicity-list"),
    path("public/publicities/<int:pk>/", views.publicity_detail, name="publicity-detail"),
    path("public/publicities/<int:pk>/objections/", views.objection_file, name="objection-file"),
    path("public/objections/", views.objection_lookup, name="objection-lookup"),
    path("public/progress/", views.progress_lookup, name="progress-lookup"),
    path("api/v1/bases/", api.base_list, name="api-bases"),
    path("api/v1/schema/", api.schema, name="api-schema"),
    path("api/v1/docs/", api.docs, name="api-docs"),
]
