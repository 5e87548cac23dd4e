"""The writing desk: where writers and editors work, under /desk/."""

from django.urls import path

from broadsheet.desk import views

app_name = "desk"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
]
