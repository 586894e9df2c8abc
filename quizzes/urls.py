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

# Live classroom games (quizzes/live/views.py): /choi/ is the PIN form players see.
from quizzes.live import views as live_views  # noqa: E402

urlpatterns += [
    path("choi/", live_views.live_join, name="live_join"),
    path("choi/tao/", live_views.live_quiz_list, name="live_quiz_list"),
    path("choi/tao/<int:quiz_id>/", live_views.live_session_new, name="live_new"),
    path(
        "choi/dieu-khien/<int:session_id>/",
        live_views.live_control,
        name="live_control",
    ),
    path(
        "choi/trinh-chieu/<int:session_id>/",
        live_views.live_projector,
        name="live_projector",
    ),
    path(
        "choi/bao-cao/<int:session_id>/",
        live_views.live_report_page,
        name="live_report",
    ),
    path(
        "choi/bao-cao/<int:session_id>/xlsx/",
        live_views.live_report_xlsx,
        name="live_report_xlsx",
    ),
    path("choi/<str:pin>/", live_views.live_play, name="live_play"),
]
