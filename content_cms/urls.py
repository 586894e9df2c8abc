"""Pages of the content app that are not Wagtail pages."""

from django.urls import path

from content_cms import views

app_name = "content_cms"

urlpatterns = [
    path("tim-kiem/", views.search, name="search"),
]
