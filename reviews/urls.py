from django.urls import path

from . import views

app_name = "reviews"

urlpatterns = [
    path("applications/<int:pk>/actions/<slug:action>/", views.application_transition_view, name="application-transition"),
]
