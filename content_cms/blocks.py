"""StreamField blocks of lessons: text, media, scenarios, tips and class activities.

Every block that holds text a child reads renders a "read aloud" button (see
``common/static/common/read_aloud.js``); each block's ``api_value`` gives the plain
data the catalogue API and the curriculum exporter share.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock
from wagtail.rich_text import expand_db_html

# Few features on purpose: short paragraphs and lists read best on a phone and
# aloud.
RICH_TEXT_FEATURES = ["h3", "h4", "bold", "italic", "ol", "ul", "link"]


class ReadAloudRichTextBlock(blocks.RichTextBlock):
    """Paragraphs of lesson text."""

    def __init__(self, **kwargs):
        kwargs.setdefault("features", RICH_TEXT_FEATURES)
        super().__init__(**kwargs)

    def get_api_representation(self, value, context=None):
        return {"html": expand_db_html(value.source)}

    class Meta:
        icon = "pilcrow"
        label = _("Text")
        template = "content_cms/blocks/rich_text.html"


class ImageWithAltBlock(blocks.StructBlock):
    """A picture; its alternative text is required for screen-reader users."""

    image = ImageChooserBlock(label=_("image"))
    alt = blocks.CharBlock(
        label=_("alternative text"),
        max_length=250,
        help_text=_("Describe the picture for someone who cannot see it."),
    )
    caption = blocks.CharBlock(label=_("caption"), required=False, max_length=250)

    def get_api_representation(self, value, context=None):
        image = value.get("image")
        if image is None:
            url = None
        elif image.is_svg():
            url = image.file.url  # a drawing scales by itself, as on the page
        else:
            url = image.get_rendition("width-800").url
        return {"url": url, "alt": value.get("alt"), "caption": value.get("caption")}

    class Meta:
        icon = "image"
        label = _("Image")
        template = "content_cms/blocks/image.html"


class VideoBlock(blocks.StructBlock):
    """An embedded video with a caption and a transcript for those who cannot hear."""

    video = EmbedBlock(label=_("video address"))
    caption = blocks.CharBlock(label=_("caption"), required=False, max_length=250)
    transcript = blocks.TextBlock(label=_("transcript"), required=False)

    def get_api_representation(self, value, context=None):
        video = value.get("video")
        return {
            "url": getattr(video, "url", None) if video else None,
            "caption": value.get("caption"),
            "transcript": value.get("transcript"),
        }

    class Meta:
        icon = "media"
        label = _("Video")
        template = "content_cms/blocks/video.html"


class ScenarioChoiceBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("choice"), max_length=300)
    is_good_choice = blocks.BooleanBlock(label=_("good choice"), required=False)
    feedback = blocks.TextBlock(label=_("feedback"))


class ScenarioBlock(blocks.StructBlock):
    """A short story from a child's day and "what would you do?" with feedback."""

    story = blocks.TextBlock(label=_("story"))
    question = blocks.CharBlock(
        label=_("question"), max_length=200, default="Em sẽ làm gì?"
    )
    choices = blocks.ListBlock(ScenarioChoiceBlock(), min_num=2, label=_("choices"))

    def get_api_representation(self, value, context=None):
        return {
            "story": value.get("story"),
            "question": value.get("question"),
            "choices": [
                {
                    "text": choice.get("text"),
                    "is_good_choice": bool(choice.get("is_good_choice")),
                    "feedback": choice.get("feedback"),
                }
                for choice in value.get("choices") or []
            ],
        }

    class Meta:
        icon = "help"
        label = _("Scenario")
        template = "content_cms/blocks/scenario.html"


class TipBlock(blocks.StructBlock):
    """The one key message to remember."""

    message = blocks.TextBlock(label=_("key message"))

    class Meta:
        icon = "pick"
        label = _("Tip")
        template = "content_cms/blocks/tip.html"


class TrustedAdultCalloutBlock(blocks.StructBlock):
    """A reminder to talk to a trusted adult, with the 111 hotline."""

    message = blocks.TextBlock(
        label=_("message"),
        default="Nếu có điều gì làm em lo lắng, hãy nói với người lớn chăm sóc "
        "em, thầy cô hoặc một người lớn em tin tưởng. Em cũng có thể gọi 111, "
        "miễn phí, cả ngày lẫn đêm.",
    )
    show_hotline = blocks.BooleanBlock(
        label=_("show the 111 hotline"), required=False, default=True
    )

    class Meta:
        icon = "group"
        label = _("Trusted adult")
        template = "content_cms/blocks/trusted_adult.html"


class DiscussionPromptBlock(blocks.StructBlock):
    """A question for the class to talk about, with notes for the teacher."""

    prompt = blocks.TextBlock(label=_("question for discussion"))
    teacher_notes = blocks.TextBlock(label=_("notes for the teacher"), required=False)

    class Meta:
        icon = "openquote"
        label = _("Discussion")
        template = "content_cms/blocks/discussion.html"


class WorksheetBlock(blocks.StructBlock):
    """A printable worksheet to download."""

    document = DocumentChooserBlock(label=_("document"))
    description = blocks.TextBlock(label=_("description"))

    def get_api_representation(self, value, context=None):
        document = value.get("document")
        return {
            "url": document.url if document else None,
            "title": document.title if document else None,
            "description": value.get("description"),
        }

    class Meta:
        icon = "doc-full"
        label = _("Worksheet")
        template = "content_cms/blocks/worksheet.html"


class TeacherScriptStepBlock(blocks.StructBlock):
    kind = blocks.ChoiceBlock(
        label=_("kind"),
        choices=[("say", _("Say")), ("ask", _("Ask")), ("do", _("Do"))],
    )
    text = blocks.TextBlock(label=_("text"))


class TeacherScriptBlock(blocks.StructBlock):
    """What the teacher says, asks and does in a section, and how long it takes.

    For a teacher-led lesson on the projector. Pupils never see it (the page
    hides it when ``hide_teacher_notes`` is set, as for the discussion notes).
    """

    minutes = blocks.IntegerBlock(label=_("minutes"), min_value=1, max_value=60)
    steps = blocks.ListBlock(TeacherScriptStepBlock(), label=_("steps"))

    class Meta:
        icon = "user"
        label = _("Teacher's script")
        template = "content_cms/blocks/teacher_script.html"


class DoDontBlock(blocks.StructBlock):
    """Two columns of cards: what to do and what not to do."""

    do = blocks.ListBlock(blocks.CharBlock(max_length=200), label=_("do"))
    dont = blocks.ListBlock(blocks.CharBlock(max_length=200), label=_("don't"))

    class Meta:
        icon = "tasks"
        label = _("Do and don't cards")
        template = "content_cms/blocks/do_dont.html"


class PrintableTaskBlock(blocks.StructBlock):
    kind = blocks.ChoiceBlock(
        label=_("kind"),
        choices=[
            ("faces", _("circle the happy or the sad face")),
            ("tick", _("tick the right boxes")),
            ("draw", _("draw in a box")),
        ],
    )
    text = blocks.TextBlock(label=_("instruction"))
    image = ImageChooserBlock(label=_("picture"), required=False)
    options = blocks.ListBlock(
        blocks.CharBlock(max_length=200), label=_("boxes to tick"), default=[]
    )


class PrintableWorksheetBlock(blocks.StructBlock):
    """A worksheet printed from the lesson itself (PDF at the module's address).

    The PDF is drawn on request (``content_cms.worksheets``), in the page's
    language, so a change to the lesson changes the sheet.
    """

    title = blocks.CharBlock(label=_("title"), max_length=200)
    intro = blocks.TextBlock(label=_("instructions"))
    tasks = blocks.ListBlock(PrintableTaskBlock(), label=_("tasks"))

    class Meta:
        icon = "doc-full"
        label = _("Printable worksheet")
        template = "content_cms/blocks/printable_worksheet.html"


class LessonContentBlock(blocks.StreamBlock):
    text = ReadAloudRichTextBlock()
    image = ImageWithAltBlock()
    video = VideoBlock()
    scenario = ScenarioBlock()
    tip = TipBlock()
    trusted_adult = TrustedAdultCalloutBlock()
    discussion = DiscussionPromptBlock()
    worksheet = WorksheetBlock()
    teacher_script = TeacherScriptBlock()
    do_dont = DoDontBlock()
    printable_worksheet = PrintableWorksheetBlock()


class LessonSectionBlock(blocks.StructBlock):
    """One lesson of a module: a heading and its content."""

    title = blocks.CharBlock(label=_("heading"), max_length=200)
    content = LessonContentBlock(label=_("content"))

    class Meta:
        icon = "list-ol"
        label = _("Lesson section")
        template = "content_cms/blocks/lesson_section.html"


class AppReportBlock(blocks.StructBlock):
    """How to block and report someone in one app."""

    app = blocks.CharBlock(label=_("app"), max_length=60)
    steps = blocks.ListBlock(blocks.CharBlock(max_length=300), label=_("steps"))

    class Meta:
        icon = "warning"
        label = _("How to report in an app")
        template = "content_cms/blocks/app_report.html"


class HelpContentBlock(blocks.StreamBlock):
    text = ReadAloudRichTextBlock()
    app_report = AppReportBlock()
    tip = TipBlock()
    trusted_adult = TrustedAdultCalloutBlock()
