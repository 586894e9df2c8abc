"""API routes for taking quizzes (included under ``/api/``)."""

from django.urls import path

from quizzes import apis

app_name = "quizzes-api"

# Attempt ids are matched as plain strings so a malformed id reaches the selector
# and gets the API's JSON 404, not the HTML page of the URL resolver.
urlpatterns = [
    path("attempts/", apis.AttemptStartApi.as_view(), name="attempt-start"),
    path(
        "attempts/<str:attempt_id>/",
        apis.AttemptDetailApi.as_view(),
        name="attempt-detail",
    ),
    path(
        "attempts/<str:attempt_id>/answers/",
        apis.AttemptAnswerApi.as_view(),
        name="attempt-answer",
    ),
    path(
        "attempts/<str:attempt_id>/submit/",
        apis.AttemptSubmitApi.as_view(),
        name="attempt-submit",
    ),
    path(
        "attempts/<str:attempt_id>/review/",
        apis.AttemptReviewApi.as_view(),
        name="attempt-review",
    ),
    path("my/attempts/", apis.MyAttemptListApi.as_view(), name="my-attempts"),
]
