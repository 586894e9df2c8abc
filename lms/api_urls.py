"""API routes of the school layer (and, through it, of the engines)."""

from django.urls import path

from lms.learning import apis as learning_apis
from lms.people import apis
from lms.reports import apis as report_apis

app_name = "lms-api"

urlpatterns = [
    path("me/", apis.MeApi.as_view(), name="me"),
    path("classes/", apis.ClassListApi.as_view(), name="class-list"),
    path("classes/<int:class_id>/", apis.ClassDetailApi.as_view(), name="class-detail"),
    path("schools/", apis.SchoolListApi.as_view(), name="school-list"),
    # The learning loop (lms/learning/apis.py).
    path(
        "my/assignments/",
        learning_apis.MyAssignmentListApi.as_view(),
        name="my-assignments",
    ),
    path("my/progress/", learning_apis.MyProgressListApi.as_view(), name="my-progress"),
    path("my/offline/", learning_apis.OfflineBundleApi.as_view(), name="my-offline"),
    path(
        "my/progress/<int:module_id>/sections/<int:index>/",
        learning_apis.MyProgressSectionApi.as_view(),
        name="my-progress-section",
    ),
    path(
        "classes/<int:class_id>/progress/",
        learning_apis.ClassProgressApi.as_view(),
        name="class-progress",
    ),
    path(
        "classes/<int:class_id>/assignments/",
        learning_apis.ClassAssignmentCreateApi.as_view(),
        name="class-assignments",
    ),
    path(
        "classes/<int:class_id>/teaching-sessions/",
        learning_apis.ClassTeachingSessionListApi.as_view(),
        name="class-teaching-sessions",
    ),
    # Programme reports for the ministry's systems (lms/reports/apis.py).
    path(
        "reports/units/<int:unit_id>/",
        report_apis.UnitReportApi.as_view(),
        name="report-unit",
    ),
    path(
        "reports/schools/<int:school_id>/",
        report_apis.SchoolReportApi.as_view(),
        name="report-school",
    ),
]
