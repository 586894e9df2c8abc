"""Quiz definitions edited in Wagtail, and the immutable versions attempts pin.

A ``Quiz`` is a Wagtail snippet with drafts, revisions, locking, preview, a
moderation workflow and translations. Its ``Question`` rows (and their ``Choice``
rows) are cluster children, so a draft or a revision carries the whole quiz.
Publishing a quiz freezes its definition into a ``QuizVersion``: a JSON snapshot
that never changes again, so an attempt pinned to it is scored the same way forever,
whatever editors do to the quiz afterwards.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
)
from wagtail.models import (
    DraftStateMixin,
    LockableMixin,
    Orderable,
    PreviewableMixin,
    RevisionMixin,
    TranslatableMixin,
    WorkflowMixin,
)

from quizzes import validation
from quizzes.errors import QuizError


class QuizMode(models.TextChoices):
    PRACTICE = "practice", _("Practice: feedback after each question")
    CHECK = "check", _("Check: feedback at the end")


class QuestionType(models.TextChoices):
    SINGLE_CHOICE = validation.SINGLE_CHOICE, _("Single choice")
    MULTIPLE_SELECT = validation.MULTIPLE_SELECT, _("Multiple select")
    TRUE_FALSE = validation.TRUE_FALSE, _("True or false")
    ORDERING = validation.ORDERING, _("Ordering")
    SCENARIO_CHOICE = validation.SCENARIO_CHOICE, _("Scenario choice")


class Quiz(
    WorkflowMixin,
    DraftStateMixin,
    LockableMixin,
    RevisionMixin,
    PreviewableMixin,
    TranslatableMixin,
    ClusterableModel,
):
    """A quiz as editors see it: settings and an ordered list of questions.

    ``topic_code`` is a plain code (such as ``privacy``) rather than a foreign key:
    the quiz engine knows nothing of the content app that defines topics.
    ``curriculum_key`` ties the quiz to its curriculum file; ``curriculum_digest``
    lets the loader skip a file that has not changed.
    """

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("introduction"), blank=True)
    topic_code = models.SlugField(_("topic code"), max_length=40, blank=True)
    pass_mark_percent = models.PositiveSmallIntegerField(
        _("pass mark (%)"),
        default=70,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    attempts_allowed = models.PositiveSmallIntegerField(
        _("attempts allowed"), default=0, help_text=_("0 means unlimited.")
    )
    shuffle_questions = models.BooleanField(_("shuffle questions"), default=True)
    shuffle_choices = models.BooleanField(_("shuffle choices"), default=True)
    pool_size = models.PositiveSmallIntegerField(
        _("questions drawn"),
        default=0,
        help_text=_("Draw this many questions at random; 0 means all of them."),
    )
    mode = models.CharField(
        _("mode"), max_length=16, choices=QuizMode.choices, default=QuizMode.PRACTICE
    )
    curriculum_key = models.SlugField(
        _("curriculum key"), max_length=80, blank=True, editable=False
    )
    curriculum_digest = models.CharField(max_length=64, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    panels = [
        FieldPanel("title"),
        FieldPanel("description"),
        FieldPanel("topic_code"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("mode"), FieldPanel("pass_mark_percent")]),
                FieldRowPanel(
                    [FieldPanel("attempts_allowed"), FieldPanel("pool_size")]
                ),
                FieldRowPanel(
                    [FieldPanel("shuffle_questions"), FieldPanel("shuffle_choices")]
                ),
            ],
            heading=_("Settings"),
        ),
        InlinePanel("questions", heading=_("Questions"), label=_("Question")),
    ]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(
                fields=["curriculum_key", "locale"],
                condition=~models.Q(curriculum_key=""),
                name="quiz_curriculum_key_unique_per_locale",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        if self.pass_mark_percent is not None and self.pass_mark_percent > 100:
            raise ValidationError(
                {"pass_mark_percent": _("The pass mark is a percentage (0-100).")}
            )

    # Publishing freezes the definition. Both happen in one transaction: if the
    # definition breaks a rule, the publish is rolled back and QuizError explains why.
    def publish(self, revision, *args, **kwargs):
        from quizzes.services import quiz_version_publish

        with transaction.atomic():
            result = super().publish(revision, *args, **kwargs)
            quiz_version_publish(quiz=Quiz.objects.get(pk=self.pk))
        return result

    def get_preview_template(self, request, mode_name):
        return "quizzes/quiz_preview.html"

    def get_preview_context(self, request, mode_name):
        from quizzes.services import quiz_definition_build

        context = super().get_preview_context(request, mode_name)
        context["definition"] = quiz_definition_build(quiz=self)
        return context


class Question(Orderable, ClusterableModel):
    """One question of a quiz, with its choices (or items to put in order)."""

    quiz = ParentalKey(Quiz, on_delete=models.CASCADE, related_name="questions")
    question_type = models.CharField(
        _("type"),
        max_length=20,
        choices=QuestionType.choices,
        default=QuestionType.SINGLE_CHOICE,
    )
    scenario = models.TextField(
        _("scenario"), blank=True, help_text=_("A short story for scenario questions.")
    )
    prompt = models.TextField(_("question"))
    explanation = models.TextField(
        _("explanation"), blank=True, help_text=_("Why the right answer is right.")
    )
    difficulty = models.PositiveSmallIntegerField(
        _("difficulty"),
        default=1,
        choices=[(1, _("Easy")), (2, _("Medium")), (3, _("Hard"))],
    )
    topic_code = models.SlugField(_("topic code"), max_length=40, blank=True)

    panels = [
        FieldRowPanel([FieldPanel("question_type"), FieldPanel("difficulty")]),
        FieldPanel("scenario"),
        FieldPanel("prompt"),
        FieldPanel("explanation"),
        FieldPanel("topic_code"),
        InlinePanel("choices", heading=_("Choices"), label=_("Choice"), min_num=2),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.prompt[:80]


class Choice(Orderable):
    """An answer option with its own feedback; ordering items carry a position."""

    question = ParentalKey(Question, on_delete=models.CASCADE, related_name="choices")
    text = models.CharField(_("text"), max_length=500)
    is_correct = models.BooleanField(_("correct"), default=False)
    correct_position = models.PositiveSmallIntegerField(
        _("correct position"),
        null=True,
        blank=True,
        help_text=_("For ordering questions: 1 for the first step, 2 for the next..."),
    )
    feedback = models.TextField(
        _("feedback"), blank=True, help_text=_("Why this choice is right or wrong.")
    )

    panels = [
        FieldRowPanel([FieldPanel("text"), FieldPanel("is_correct")]),
        FieldPanel("correct_position"),
        FieldPanel("feedback"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("choice")
        verbose_name_plural = _("choices")

    def __str__(self) -> str:
        return self.text


class QuizVersion(models.Model):
    """A published quiz definition, frozen: attempts pin one and are scored on it.

    Rows are written once by ``quiz_version_publish`` and never updated; ``save``
    refuses to change an existing row.
    """

    quiz = models.ForeignKey(
        Quiz, on_delete=models.PROTECT, related_name="versions", verbose_name=_("quiz")
    )
    number = models.PositiveIntegerField(_("version"))
    published_at = models.DateTimeField(_("published at"), auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    snapshot = models.JSONField(_("definition"))
    digest = models.CharField(max_length=64, editable=False)

    class Meta:
        verbose_name = _("quiz version")
        verbose_name_plural = _("quiz versions")
        ordering = ["quiz", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["quiz", "number"], name="quiz_version_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.quiz} v{self.number}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise QuizError(_("A published quiz version cannot be changed."))
        super().save(*args, **kwargs)
