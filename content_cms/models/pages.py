"""The page tree of the site, one tree per language (Vietnamese is the source).

    Root
    └── HomePage                      public
        ├── CatalogueIndexPage         pupils' modules, signed-in users only
        │   └── ModulePage (pupil)
        ├── ParentCornerIndexPage      public
        │   └── ModulePage (parent)
        ├── StaffCornerIndexPage       teachers and staff, signed-in users only
        │   └── ModulePage (teacher_staff)
        ├── GetHelpPage                public: 111, reporting in apps, who to tell
        └── PrivacyPage                public: privacy notice for children

English pages are translations (same ``translation_key``) made with
wagtail.contrib.simple_translation. Wagtail routes a request through the home page
of the active language; ``LocaleFallbackMixin`` falls back to the Vietnamese page
when a page has no English translation yet. Who may see a module is decided by its
audience (see ``content_cms.selectors``), whatever its place in the tree.
"""

from django.contrib.auth.views import redirect_to_login
from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Locale, Page
from wagtail.search import index

from content_cms.blocks import (
    RICH_TEXT_FEATURES,
    HelpContentBlock,
    LessonSectionBlock,
)


class Audience(models.TextChoices):
    PUPIL = "pupil", _("Pupils")
    PARENT = "parent", _("Parents and caregivers")
    TEACHER_STAFF = "teacher_staff", _("Teachers and staff")


class LocaleFallbackMixin:
    """Route to the Vietnamese page when this language has no such child yet."""

    def route(self, request, path_components):
        try:
            return super().route(request, path_components)
        except Http404:
            source = self.get_translation_or_none(Locale.get_default())
            if source is None or source.pk == self.pk:
                raise
            return source.specific.route(request, path_components)


class SignInRequiredMixin:
    """Send anonymous visitors to the sign-in page, then back here."""

    def serve(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return super().serve(request, *args, **kwargs)


class HomePage(LocaleFallbackMixin, Page):
    """The front page: what the site is, where to start, and how to get help."""

    intro = RichTextField(_("introduction"), blank=True, features=RICH_TEXT_FEATURES)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "content_cms.CatalogueIndexPage",
        "content_cms.ParentCornerIndexPage",
        "content_cms.StaffCornerIndexPage",
        "content_cms.GetHelpPage",
        "content_cms.PrivacyPage",
    ]
    template = "content_cms/home_page.html"

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        children = self.get_children().live().specific()
        context["sections"] = children
        return context


class ModuleIndexMixin(models.Model):
    """An index page listing the modules of one audience, newest content first."""

    intro = RichTextField(_("introduction"), blank=True, features=RICH_TEXT_FEATURES)
    listing_audience = Audience.PUPIL

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    subpage_types = ["content_cms.ModulePage"]
    parent_page_types = ["content_cms.HomePage"]
    template = "content_cms/module_index_page.html"

    class Meta:
        abstract = True

    def get_context(self, request, *args, **kwargs):
        from content_cms import selectors
        from content_cms.models.taxonomy import Topic

        context = super().get_context(request, *args, **kwargs)
        age_band = request.GET.get("age_band") or ""
        topic = request.GET.get("topic") or ""
        query = (request.GET.get("q") or "").strip()
        context["modules"] = selectors.module_list(
            user=request.user,
            audience=self.listing_audience,
            age_band_code=age_band,
            topic_code=topic,
            query=query,
        )
        # Only bands with a module this person may open: a pupil sees their own.
        context["age_bands"] = selectors.age_bands_listed(
            user=request.user, audience=self.listing_audience
        )
        context["topics"] = Topic.objects.all()
        context["selected_age_band"] = age_band
        context["selected_topic"] = topic
        context["query"] = query
        return context


class CatalogueIndexPage(
    SignInRequiredMixin, LocaleFallbackMixin, ModuleIndexMixin, Page
):
    """Pupils' modules, filtered by age band and topic (``?age_band=&topic=``)."""

    listing_audience = Audience.PUPIL

    template = "content_cms/module_index_page.html"

    class Meta:
        verbose_name = _("catalogue")

    def __str__(self) -> str:
        return self.title


class ParentCornerIndexPage(LocaleFallbackMixin, ModuleIndexMixin, Page):
    """Modules for parents and caregivers; public."""

    listing_audience = Audience.PARENT

    template = "content_cms/module_index_page.html"

    class Meta:
        verbose_name = _("parent corner")

    def __str__(self) -> str:
        return self.title


class StaffCornerIndexPage(
    SignInRequiredMixin, LocaleFallbackMixin, ModuleIndexMixin, Page
):
    """Modules for teachers and child-protection staff."""

    listing_audience = Audience.TEACHER_STAFF

    template = "content_cms/module_index_page.html"

    class Meta:
        verbose_name = _("teacher and staff corner")

    def __str__(self) -> str:
        return self.title


class ModulePage(Page):
    """A module: lessons in order, then the quiz that closes it.

    ``age_bands``, ``topic`` and ``framework_strands`` are shared snippets (the
    same rows for every language). ``quiz`` points at the Vietnamese quiz; pages
    show its translation in the active language (``quiz.localized``).
    ``curriculum_key`` ties the page to its curriculum file.
    """

    summary = models.TextField(_("summary"))
    audience = models.CharField(
        _("audience"), max_length=20, choices=Audience.choices, default=Audience.PUPIL
    )
    age_bands = ParentalManyToManyField(
        "content_cms.AgeBand", verbose_name=_("age bands"), related_name="modules"
    )
    topic = models.ForeignKey(
        "content_cms.Topic",
        verbose_name=_("topic"),
        on_delete=models.PROTECT,
        null=True,
        related_name="modules",
    )
    learning_objectives = models.TextField(
        _("learning objectives"), blank=True, help_text=_("One objective per line.")
    )
    estimated_minutes = models.PositiveSmallIntegerField(
        _("estimated minutes"), default=20
    )
    cover_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("cover image"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    framework_strands = ParentalManyToManyField(
        "content_cms.FrameworkStrand",
        verbose_name=_("framework strands"),
        blank=True,
        related_name="modules",
    )
    lessons = StreamField(
        [("section", LessonSectionBlock())], verbose_name=_("lessons"), blank=True
    )
    quiz = models.ForeignKey(
        "quizzes.Quiz",
        verbose_name=_("quiz"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    curriculum_key = models.SlugField(max_length=80, blank=True, editable=False)
    curriculum_digest = models.CharField(max_length=64, blank=True, editable=False)

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        MultiFieldPanel(
            [
                FieldPanel("audience"),
                FieldPanel("age_bands"),
                FieldRowPanel([FieldPanel("topic"), FieldPanel("estimated_minutes")]),
                FieldPanel("framework_strands"),
            ],
            heading=_("Who and what"),
        ),
        FieldPanel("learning_objectives"),
        FieldPanel("cover_image"),
        FieldPanel("lessons"),
        FieldPanel("quiz"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("learning_objectives"),
        index.SearchField("lessons"),
        index.FilterField("audience"),
        index.FilterField("curriculum_key"),
    ]
    parent_page_types = [
        "content_cms.CatalogueIndexPage",
        "content_cms.ParentCornerIndexPage",
        "content_cms.StaffCornerIndexPage",
    ]
    subpage_types: list[str] = []
    template = "content_cms/module_page.html"

    class Meta:
        verbose_name = _("module")
        verbose_name_plural = _("modules")

    @property
    def objectives(self) -> list[str]:
        return [
            line.strip()
            for line in self.learning_objectives.splitlines()
            if line.strip()
        ]

    @property
    def is_public(self) -> bool:
        return self.audience == Audience.PARENT

    def serve(self, request, *args, **kwargs):
        from content_cms import selectors
        from content_cms.views import module_refused

        if not self.is_public and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if selectors.module_outside_age_band(module=self, user=request.user):
            return module_refused(
                request, selectors.module_age_band_refusal(module=self)
            )
        return super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        from content_cms import selectors

        context = super().get_context(request, *args, **kwargs)
        context["quiz_summary"] = selectors.module_quiz_summary(module=self)
        context["live_quiz"] = selectors.module_live_quiz(
            module=self, user=getattr(request, "user", None)
        )
        return context


class GetHelpPage(LocaleFallbackMixin, Page):
    """Where to get help now: 111, reporting inside apps, who to tell at school."""

    intro = RichTextField(_("introduction"), blank=True, features=RICH_TEXT_FEATURES)
    body = StreamField(HelpContentBlock(), verbose_name=_("content"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    parent_page_types = ["content_cms.HomePage"]
    subpage_types: list[str] = []
    template = "content_cms/get_help_page.html"

    class Meta:
        verbose_name = _("get help page")


class PrivacyPage(LocaleFallbackMixin, Page):
    """How the platform treats children's data, in words a child understands."""

    body = RichTextField(_("content"), features=RICH_TEXT_FEATURES)

    content_panels = [*Page.content_panels, FieldPanel("body")]
    parent_page_types = ["content_cms.HomePage"]
    subpage_types: list[str] = []
    template = "content_cms/privacy_page.html"

    class Meta:
        verbose_name = _("privacy page")
