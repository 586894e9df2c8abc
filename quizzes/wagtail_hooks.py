"""Quizzes in the Wagtail admin: a snippet with drafts, review and preview."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import ObjectList
from wagtail.admin.ui.tables import Column, UpdatedAtColumn
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from quizzes.forms import QuizAdminForm
from quizzes.models import Quiz


class QuizViewSet(SnippetViewSet):
    model = Quiz
    icon = "tasks"
    menu_label = _("Quizzes")
    menu_name = "quizzes"
    menu_order = 210
    add_to_admin_menu = True
    list_display = [
        "title",
        Column("topic_code", label=_("topic")),
        Column("mode", label=_("mode"), accessor="get_mode_display"),
        Column("locale", label=_("language")),
        Column("question_count", label=_("questions")),
        UpdatedAtColumn(),
    ]
    list_filter = ["mode", "topic_code", "live"]
    search_fields = ["title", "topic_code"]
    ordering = ["title"]
    edit_handler = ObjectList(Quiz.panels, base_form_class=QuizAdminForm)

    def get_queryset(self, request):
        from django.db.models import Count

        return Quiz.objects.annotate(question_count=Count("questions"))


register_snippet(QuizViewSet)
