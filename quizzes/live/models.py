"""Live classroom sessions: a host runs a quiz on the projector, players join by PIN.

A ``LiveSession`` pins the ``QuizVersion`` it was started from and holds the whole
game state that matters (phase, current question, when it opened, when it closes),
so any ASGI worker can serve any message and a restart loses nothing. The server
owns the clock: ``question_opened_at`` and ``question_deadline`` are written here
by the server and an answer's time is the server's receive time minus the opening.

A ``LivePlayer`` is a seat: a signed-in pupil's seat is tied to their user; a
guest's seat is found again by a random resume token of which only the SHA-256
hash is stored. Nicknames of guests are generated from a word list (never typed).

A ``LiveAnswer`` is written once per player and question before it is
acknowledged; the device's ``client_id`` makes a repeat a no-op.

``context_key`` is opaque to the engine (like ``Attempt.context_key``): the layer
above may store, for example, the class a session was run for.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The ``Attempt.context_key`` of the attempts a live game records for its
# signed-in players is ``"live:<session id>"``. The attempt limit leaves them out
# (a class game does not use up a pupil's own tries); the school layer counts them
# for progress. The one definition: ``quizzes.live.answers`` and ``lms`` import it.
LIVE_CONTEXT_PREFIX = "live:"


class LivePhase(models.TextChoices):
    LOBBY = "lobby", _("Waiting for players")
    QUESTION = "question", _("Question open")
    PAUSED = "paused", _("Paused")
    RESULTS = "results", _("Showing results")
    ENDED = "ended", _("Ended")


class LiveScoring(models.TextChoices):
    SPEED = "speed", _("Points for right and fast answers (500-1000)")
    ACCURACY = "accuracy", _("One point for each right answer")
    TEAM = "team", _("Teams: the average points of each team")


class LiveLeaderboard(models.TextChoices):
    TOP5 = "top5", _("Top 5")
    FULL = "full", _("Everyone")
    HIDDEN = "hidden", _("Hidden (for young classes)")


class LiveSession(models.Model):
    """One live game of one quiz version, run by one host."""

    host = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="hosted_live_sessions",
        verbose_name=_("host"),
    )
    quiz = models.ForeignKey(
        "quizzes.Quiz",
        on_delete=models.PROTECT,
        related_name="live_sessions",
        verbose_name=_("quiz"),
    )
    version = models.ForeignKey(
        "quizzes.QuizVersion",
        on_delete=models.PROTECT,
        related_name="live_sessions",
        verbose_name=_("quiz version"),
    )
    pin = models.CharField(_("PIN"), max_length=6, db_index=True)
    context_key = models.CharField(_("context"), max_length=80, blank=True)
    scoring = models.CharField(_("scoring"), max_length=12, choices=LiveScoring.choices)
    leaderboard = models.CharField(
        _("leaderboard"), max_length=8, choices=LiveLeaderboard.choices
    )
    seconds_per_question = models.PositiveSmallIntegerField(
        _("seconds per question"),
        default=20,
        validators=[MinValueValidator(10), MaxValueValidator(60)],
    )
    team_names = models.JSONField(_("teams"), default=list, blank=True)
    question_ids = models.JSONField(_("questions"), default=list)
    phase = models.CharField(
        _("phase"), max_length=10, choices=LivePhase.choices, default=LivePhase.LOBBY
    )
    current_index = models.IntegerField(_("current question"), default=-1)
    question_opened_at = models.DateTimeField(null=True, blank=True)
    question_deadline = models.DateTimeField(null=True, blank=True)
    paused_remaining_ms = models.PositiveIntegerField(null=True, blank=True)
    skipped_indexes = models.JSONField(default=list, blank=True)
    # When each question was open to answers, as the server's clock saw it:
    # {"<index>": [[opened_ms, closed_ms or null], ...]} (epoch milliseconds; a
    # pause closes a window, a resume opens the next). An answer counts by when
    # it was received, checked against these, however late it is written.
    answer_windows = models.JSONField(default=dict, blank=True)
    # Incremented by every state change broadcast to the session's group; every
    # message a client gets carries it, so a client that sees a gap resyncs.
    # The last moment a server process was known to be running this game's
    # clock (a heartbeat from every process holding one of its sockets). A gap
    # longer than ``services.CLOCK_LOST_AFTER`` means the server was away (a
    # restart, a power cut): the question gets back the time it lost.
    clock_seen_at = models.DateTimeField(null=True, blank=True)
    sequence = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    attempts_recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("live session")
        verbose_name_plural = _("live sessions")
        ordering = ["-created_at"]
        permissions = [("host_live_quiz", _("Can host live quizzes"))]
        constraints = [
            models.UniqueConstraint(
                fields=["pin"],
                condition=~models.Q(phase="ended"),
                name="live_session_pin_unique_while_active",
            )
        ]

    def __str__(self) -> str:
        return f"{self.quiz} · {self.pin}"

    @property
    def group_name(self) -> str:
        return f"live-{self.pk}"

    @property
    def host_group_name(self) -> str:
        return f"live-{self.pk}-host"

    @property
    def is_active(self) -> bool:
        return self.phase != LivePhase.ENDED


class LivePlayer(models.Model):
    """A seat in a live session: a signed-in user's, or a guest's (by token)."""

    session = models.ForeignKey(
        LiveSession, on_delete=models.CASCADE, related_name="players"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="live_seats",
    )
    nickname = models.CharField(_("name"), max_length=120)
    team = models.CharField(_("team"), max_length=40, blank=True)
    resume_token_hash = models.CharField(max_length=64, unique=True)
    score = models.IntegerField(_("points"), default=0)
    correct_count = models.PositiveIntegerField(default=0)
    answered_count = models.PositiveIntegerField(default=0)
    is_removed = models.BooleanField(default=False)
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("live player")
        verbose_name_plural = _("live players")
        ordering = ["session", "joined_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "nickname"], name="live_player_nickname_unique"
            ),
            models.UniqueConstraint(
                fields=["session", "user"],
                condition=models.Q(user__isnull=False),
                name="live_player_one_seat_per_user",
            ),
        ]

    def __str__(self) -> str:
        return self.nickname


class LiveAnswer(models.Model):
    """One player's answer to one question of a session, written once."""

    session = models.ForeignKey(
        LiveSession, on_delete=models.CASCADE, related_name="answers"
    )
    player = models.ForeignKey(
        LivePlayer, on_delete=models.CASCADE, related_name="answers"
    )
    question_index = models.PositiveSmallIntegerField()
    question_id = models.CharField(max_length=40)
    client_id = models.UUIDField(unique=True)
    choice_ids = models.JSONField(default=list)
    is_correct = models.BooleanField(default=False)
    credit = models.FloatField(default=0)
    points = models.IntegerField(default=0)
    elapsed_ms = models.PositiveIntegerField()
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("live answer")
        verbose_name_plural = _("live answers")
        ordering = ["session", "question_index", "received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["player", "question_index"],
                name="live_answer_once_per_question",
            )
        ]
        indexes = [models.Index(fields=["session", "question_index"])]

    def __str__(self) -> str:
        return f"{self.player_id} · {self.question_index}"
