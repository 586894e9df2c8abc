"""Pages of the content app that are not Wagtail pages."""

from django.urls import path

from content_cms import views

app_name = "content_cms"

urlpatterns = [
    path("tim-kiem/", views.search, name="search"),
    path(
        "bai-hoc/<slug:slug>/phieu-hoc-tap.pdf",
        views.module_worksheet,
        name="module_worksheet",
    ),
]
