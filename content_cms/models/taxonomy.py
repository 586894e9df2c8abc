"""Age bands, topics and framework strands: small lists editors manage as snippets.

They carry a Vietnamese name and an English one side by side rather than being
translatable snippets: module pages in both languages point at the same rows, so a
filter such as "grades 3-5" means the same thing whatever language is shown.
"""

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel


class LocalizedNameMixin(models.Model):
    name = models.CharField(_("name (Vietnamese)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)

    class Meta:
        abstract = True

    @property
    def localized_name(self) -> str:
        """Return the name in the active language, Vietnamese when missing."""
        language = (get_language() or "vi").split("-")[0]
        if language == "en" and self.name_en:
            return self.name_en
        return self.name


class AgeBand(LocalizedNameMixin):
    """A band of school grades (or an adult audience) modules are written for."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    min_grade = models.PositiveSmallIntegerField(_("from grade"), null=True, blank=True)
    max_grade = models.PositiveSmallIntegerField(_("to grade"), null=True, blank=True)
    min_age = models.PositiveSmallIntegerField(_("from age"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("to age"), null=True, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    panels = [
        FieldPanel("code"),
        FieldRowPanel([FieldPanel("name"), FieldPanel("name_en")]),
        FieldRowPanel([FieldPanel("min_grade"), FieldPanel("max_grade")]),
        FieldRowPanel([FieldPanel("min_age"), FieldPanel("max_age")]),
        FieldPanel("sort_order"),
    ]

    class Meta:
        verbose_name = _("age band")
        verbose_name_plural = _("age bands")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.localized_name


class Topic(LocalizedNameMixin):
    """A theme of online safety, such as privacy or scams."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    description = models.TextField(_("description"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    panels = [
        FieldPanel("code"),
        FieldRowPanel([FieldPanel("name"), FieldPanel("name_en")]),
        FieldPanel("description"),
        FieldPanel("sort_order"),
    ]

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.localized_name


class Framework(models.TextChoices):
    MOET_DIGITAL = "moet_digital", _("MOET Circular 02/2025: digital competence")
    BE_INTERNET_AWESOME = "be_internet_awesome", _("Be Internet Awesome")
    COMMON_SENSE = "common_sense", _("Common Sense Digital Citizenship")
    CONNECTED_WORLD = "connected_world", _("Education for a Connected World")


class FrameworkStrand(LocalizedNameMixin):
    """A competence, pillar or strand of a curriculum framework modules map to."""

    framework = models.CharField(
        _("framework"), max_length=32, choices=Framework.choices
    )
    # The circular numbers its competences "4.2", so a code may hold dots.
    code = models.CharField(
        _("code"),
        max_length=60,
        validators=[
            RegexValidator(
                r"^[a-z0-9][a-z0-9.-]*$",
                _("Use lower-case letters, digits, dots and hyphens."),
            )
        ],
    )

    panels = [
        FieldRowPanel([FieldPanel("framework"), FieldPanel("code")]),
        FieldRowPanel([FieldPanel("name"), FieldPanel("name_en")]),
    ]

    class Meta:
        verbose_name = _("framework strand")
        verbose_name_plural = _("framework strands")
        ordering = ["framework", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "code"], name="framework_strand_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_framework_display()}: {self.localized_name}"

    @property
    def reference(self) -> str:
        """Return ``framework:code``, the form curriculum files use."""
        return f"{self.framework}:{self.code}"
