"""Pages for taking a quiz and seeing its result (Vietnamese paths)."""

from django.urls import path

from quizzes import views

app_name = "quizzes"

urlpatterns = [
    path(
        "bai-kiem-tra/<uuid:attempt_id>/",
        views.attempt_take,
        name="attempt_take",
    ),
    path(
        "bai-kiem-tra/<uuid:attempt_id>/ket-qua/",
        views.attempt_result,
        name="attempt_result",
    ),
]
