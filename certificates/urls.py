"""Pages of the certificates app (Vietnamese paths, like the rest of the site)."""

from django.urls import path

from certificates import views

app_name = "certificates"

urlpatterns = [
    path("chung-nhan/kiem-tra/", views.verify, name="verify"),
    path("chung-nhan/kiem-tra/<str:code>/", views.verify_code, name="verify_code"),
    path("chung-nhan/cua-em/", views.my_certificates, name="mine"),
    path(
        "chung-nhan/<int:certificate_id>/tai-ve/",
        views.certificate_download,
        name="download",
    ),
    path(
        "chung-nhan/<int:certificate_id>/thu-hoi/",
        views.certificate_revoke,
        name="revoke",
    ),
    path(
        "chung-nhan/<int:certificate_id>/cap-lai/",
        views.certificate_reissue,
        name="reissue",
    ),
    path("chung-nhan/lop/<int:class_id>/", views.class_certificates, name="class"),
    path(
        "chung-nhan/lop/<int:class_id>/tai-ca-lop/",
        views.class_bundle_create,
        name="class_bundle",
    ),
    path("chung-nhan/goi/<int:bundle_id>/", views.bundle_detail, name="bundle"),
    path(
        "chung-nhan/goi/<int:bundle_id>/trang-thai/",
        views.bundle_status,
        name="bundle_status",
    ),
    path("chung-nhan/goi/<int:bundle_id>/tep/", views.bundle_file, name="bundle_file"),
]
