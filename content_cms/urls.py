"""Pages of the content app that are not Wagtail pages."""

from django.urls import path

from content_cms import views

app_name = "content_cms"

urlpatterns = [
    path("tim-kiem/", views.search, name="search"),
    path(
        "tai-lieu/<int:page_id>/huong-dan-to-chuc.pdf",
        views.session_guide_pdf,
        name="session_guide_pdf",
    ),
    path(
        "tai-lieu/<int:page_id>/to-roi.pdf",
        views.take_home_pdf,
        name="take_home_pdf",
    ),
    path(
        "bai-hoc/<slug:slug>/phieu-hoc-tap.pdf",
        views.module_worksheet,
        name="module_worksheet",
    ),
]
