"""Pages of the school layer."""

from django.contrib.auth import views as auth_views
from django.urls import path

from lms import views

app_name = "lms"

urlpatterns = [
    path("dang-nhap/", views.SignInView.as_view(), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("app/", views.home, name="home"),
    path("tro-giup/", views.help_page, name="help"),
]
