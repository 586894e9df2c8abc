from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuizzesConfig(AppConfig):
    """Assessment engine: quiz definitions, versions, attempts, scoring, live play.

    Knows nothing of schools; refers to people only through AUTH_USER_MODEL.
    """

    name = "quizzes"
    verbose_name = _("Quizzes")
