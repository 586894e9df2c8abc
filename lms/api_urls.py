"""API routes of the school layer (and, through it, of the engines)."""

from django.urls import path

from lms import apis

app_name = "lms-api"

urlpatterns = [
    path("me/", apis.MeApi.as_view(), name="me"),
    path("classes/", apis.ClassListApi.as_view(), name="class-list"),
    path("classes/<int:class_id>/", apis.ClassDetailApi.as_view(), name="class-detail"),
    path("schools/", apis.SchoolListApi.as_view(), name="school-list"),
]
