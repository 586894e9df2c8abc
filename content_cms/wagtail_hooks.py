"""Content snippets in the Wagtail admin, grouped under one menu item."""

from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from content_cms.models import AgeBand, FrameworkStrand, Topic


class AgeBandViewSet(SnippetViewSet):
    model = AgeBand
    icon = "group"
    menu_label = _("Age bands")
    list_display = ["code", "name", "name_en", "min_grade", "max_grade", "sort_order"]
    search_fields = ["code", "name", "name_en"]
    ordering = ["sort_order"]


class TopicViewSet(SnippetViewSet):
    model = Topic
    icon = "tag"
    menu_label = _("Topics")
    list_display = ["code", "name", "name_en", "sort_order"]
    search_fields = ["code", "name", "name_en"]
    ordering = ["sort_order"]


class FrameworkStrandViewSet(SnippetViewSet):
    model = FrameworkStrand
    icon = "list-ul"
    menu_label = _("Framework strands")
    list_display = ["framework", "code", "name", "name_en"]
    list_filter = ["framework"]
    search_fields = ["code", "name", "name_en"]
    ordering = ["framework", "code"]


class CurriculumViewSetGroup(SnippetViewSetGroup):
    items = (AgeBandViewSet, TopicViewSet, FrameworkStrandViewSet)
    menu_icon = "folder-open-inverse"
    menu_label = _("Curriculum")
    menu_name = "curriculum"
    menu_order = 220


register_snippet(CurriculumViewSetGroup)


@hooks.register("insert_editor_js")
def editor_submit_waits_for_background_save():
    """The editor's submit waits for a background save on its way (see the script)."""
    script = static("content_cms/editor-submit.js")
    return format_html('<script src="{}"></script>', script)
