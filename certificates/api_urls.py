"""API routes of the certificates app, under /api/certificates/."""

from django.urls import path

from certificates import apis

app_name = "certificates-api"

urlpatterns = [
    path("mine/", apis.CertificateMineApi.as_view(), name="mine"),
    path("verify/<str:code>/", apis.CertificateVerifyApi.as_view(), name="verify"),
]
