"""Quiz definitions edited in Wagtail, and the immutable versions attempts pin.

A ``Quiz`` is a Wagtail snippet with drafts, revisions, locking, preview, a
moderation workflow and translations. Its ``Question`` rows (and their ``Choice``
rows) are cluster children, so a draft or a revision carries the whole quiz.
Publishing a quiz freezes its definition into a ``QuizVersion``: a JSON snapshot
that never changes again, so an attempt pinned to it is scored the same way forever,
whatever editors do to the quiz afterwards.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
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


class AttemptStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", pgettext_lazy("quiz attempt", "In progress")
    SUBMITTED = "submitted", pgettext_lazy("quiz attempt", "Submitted")
    # Started for a phone's offline copy, then set aside for a newer version
    # before anything reached the server (``services.attempt_start_latest``). Kept,
    # not deleted: another phone may still hold it with answers waiting to be
    # sent; they are accepted, and it is taken up again if its successor is
    # untouched.
    REPLACED = "replaced", pgettext_lazy("quiz attempt", "Replaced by a newer version")


class Attempt(models.Model):
    """One pupil taking one quiz once, pinned to the version it started on.

    ``version`` never changes, so editing the quiz never changes this attempt or
    its score. ``question_ids`` and ``choice_orders`` record the draw (question
    order, and each question's choice order as shown), so any process on any
    device shows the same attempt. ``context_key`` is opaque to the quiz engine:
    the layer above says where the attempt belongs (``"module:42"``). At most one
    attempt per user, quiz and context is in progress (a partial unique
    constraint), which makes two simultaneous starts resume the same attempt.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="quiz_attempts",
        verbose_name=_("user"),
    )
    quiz = models.ForeignKey(
        Quiz, on_delete=models.PROTECT, related_name="attempts", verbose_name=_("quiz")
    )
    version = models.ForeignKey(
        QuizVersion,
        on_delete=models.PROTECT,
        related_name="attempts",
        verbose_name=_("quiz version"),
    )
    context_key = models.CharField(
        _("context"), max_length=80, blank=True, default="", db_index=True
    )
    return_url = models.CharField(_("return address"), max_length=500, blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=AttemptStatus.choices,
        default=AttemptStatus.IN_PROGRESS,
    )
    seed = models.CharField(max_length=32, editable=False)
    question_ids = models.JSONField(_("questions drawn"), default=list)
    choice_orders = models.JSONField(default=dict, editable=False)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    points = models.FloatField(_("points"), null=True, blank=True)
    max_points = models.PositiveIntegerField(_("maximum points"), null=True, blank=True)
    percent = models.DecimalField(
        _("score (%)"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    passed = models.BooleanField(_("passed"), null=True, blank=True)
    time_spent_seconds = models.PositiveIntegerField(
        _("time spent (seconds)"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("quiz attempt")
        verbose_name_plural = _("quiz attempts")
        ordering = ["-started_at"]
        permissions = [("take_quiz", _("Can take quizzes"))]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "quiz", "context_key"],
                condition=models.Q(status="in_progress"),
                name="attempt_one_in_progress_per_context",
            )
        ]
        indexes = [models.Index(fields=["user", "quiz", "status"])]

    def __str__(self) -> str:
        return f"{self.quiz} · {self.user} · {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def is_submitted(self) -> bool:
        return self.status == AttemptStatus.SUBMITTED

    @property
    def mode(self) -> str:
        return self.version.snapshot["settings"]["mode"]

    @property
    def pass_mark_percent(self) -> int:
        return self.version.snapshot["settings"]["pass_mark_percent"]


class Answer(models.Model):
    """One response sent by a pupil's device, written once.

    The device names each answer with ``client_id``; sending it again (a retry, a
    double click, a queue flushed after reconnecting) is a no-op. Changing an
    answer sends a new row; the one with the highest ``sequence`` (assigned by
    the server, per attempt) counts. The score is stored beside the response so
    feedback and review never need to score again.
    """

    attempt = models.ForeignKey(
        Attempt, on_delete=models.CASCADE, related_name="answers"
    )
    question_id = models.CharField(_("question"), max_length=40)
    client_id = models.UUIDField(_("answer id"), unique=True)
    response = models.JSONField(_("response"))
    credit = models.FloatField(_("credit"))
    is_correct = models.BooleanField(_("correct"))
    sequence = models.PositiveIntegerField(_("sequence"))
    answered_at = models.DateTimeField(_("answered at"), default=timezone.now)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["attempt", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "sequence"], name="answer_sequence_unique"
            )
        ]
        indexes = [models.Index(fields=["attempt", "question_id", "sequence"])]

    def __str__(self) -> str:
        return f"{self.attempt_id} · {self.question_id} · #{self.sequence}"


# Live classroom sessions live in their own module; importing them here registers
# them with the app (quizzes/live/models.py).
from quizzes.live.models import (  # noqa: E402, F401
    LiveAnswer,
    LiveLeaderboard,
    LivePhase,
    LivePlayer,
    LiveScoring,
    LiveSession,
)
