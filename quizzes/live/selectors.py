"""Reads of live sessions: what the host, the projector and each player see.

Players' devices never get correctness before the results of a question, and a
player's own rank is shown only near the top (``RANK_SHOWN_UP_TO``): below that
they see their points and what they gained, never that they are last.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db.models import Count, Prefetch, Sum
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from quizzes.errors import QuizNotFound
from quizzes.live.models import LiveLeaderboard, LivePhase, LivePlayer, LiveSession
from quizzes.live.services import (
    HOST_PERMISSION,
    LIVE_QUESTION_TYPES,
    live_questions,
)
from quizzes.models import LiveAnswer, Quiz

RANK_SHOWN_UP_TO = 10
TOP_COUNT = 5


def epoch_ms(moment: datetime | None = None) -> int:
    if moment is None:
        return int(time.time() * 1000)
    return int(moment.timestamp() * 1000)


def may_host_live(user) -> bool:
    """Return whether ``user`` may host live games (the one rule, for every page).

    Pages that offer "Play live" ask this, so the link shows exactly to those
    whom the live pages (``live_views._check_host``) let in.
    """
    return user is not None and user.has_perm(HOST_PERMISSION)


def quizzes_for_live(*, user, language_code: str):
    """Return published quizzes in ``language_code`` (else Vietnamese) to host."""
    if not may_host_live(user):
        return Quiz.objects.none()
    quizzes = Quiz.objects.filter(live=True, versions__isnull=False).distinct()
    in_language = quizzes.filter(locale__language_code=language_code)
    if in_language.exists():
        return in_language.order_by("title")
    return quizzes.filter(locale__language_code=settings.LANGUAGE_CODE).order_by(
        "title"
    )


@dataclass(frozen=True)
class LiveQuizChoice:
    """One quiz of the host's list; ``detail`` tells it from a quiz of the same
    title (its module and age band), ``note`` says if it concerns the host now
    (given to one of their classes)."""

    quiz: Quiz
    detail: str = ""
    note: str = ""


@dataclass(frozen=True)
class LiveQuizGroup:
    """A heading of the host's list and the quizzes under it."""

    title: str
    choices: list[LiveQuizChoice] = field(default_factory=list)
    note: str = ""


def live_quiz_groups(*, user, language_code: str) -> list[LiveQuizGroup]:
    """Return the quizzes ``user`` may host, grouped and ordered for them.

    The engine knows no classes, modules or age bands: the optional
    ``LIVE_QUIZ_GROUPS_PROVIDER`` (a dotted path to ``callable(*, user,
    quizzes) -> list[LiveQuizGroup]``) lets the layers above group the quizzes
    (by the host's classes' age band, given modules first) and say what each one
    is. It must list every quiz it is given once. Without it: one plain list.
    """
    quizzes = list(quizzes_for_live(user=user, language_code=language_code))
    if not quizzes:
        return []
    path = getattr(settings, "LIVE_QUIZ_GROUPS_PROVIDER", "")
    if path:
        return import_string(path)(user=user, quizzes=quizzes)
    return [LiveQuizGroup(title="", choices=[LiveQuizChoice(q) for q in quizzes])]


# The host's buttons that make sense in each phase; the control page shows only
# these (the others are hidden, not just disabled) and live_host.js follows the
# same table as the game moves on.
HOST_CONTROLS: dict[str, tuple[str, ...]] = {
    LivePhase.LOBBY: ("start", "end"),
    LivePhase.QUESTION: ("pause", "reveal", "skip", "end"),
    LivePhase.PAUSED: ("resume", "reveal", "skip", "end"),
    LivePhase.RESULTS: ("next", "end"),
    LivePhase.ENDED: (),
}
# After the last question's results, "next" ends the game and shows the final
# standings: it is the one button left, named for what it does.
LAST_RESULTS_CONTROLS: tuple[str, ...] = ("next",)


def live_host_controls(*, phase: str, index: int, count: int) -> tuple[str, ...]:
    """Return the commands the host may give now, in the order of the toolbar."""
    if phase == LivePhase.RESULTS and index >= count - 1:
        return LAST_RESULTS_CONTROLS
    return HOST_CONTROLS.get(phase, ())


def live_session_by_pin(*, pin: str) -> LiveSession | None:
    """Return the active session with this PIN, or None."""
    pin = (pin or "").strip()
    if len(pin) != 6 or not pin.isdigit():
        return None
    return LiveSession.objects.filter(pin=pin).exclude(phase=LivePhase.ENDED).first()


def live_session_for_host(*, user, session_id) -> LiveSession:
    """Return the session if ``user`` hosts it; anyone else: ``QuizNotFound``."""
    session = (
        LiveSession.objects.select_related("version", "quiz")
        .filter(pk=session_id, host_id=getattr(user, "pk", None))
        .first()
    )
    if session is None or not user.has_perm(HOST_PERMISSION):
        raise QuizNotFound(_("This live game was not found."))
    return session


def live_question_public(*, session: LiveSession, index: int) -> dict | None:
    """Return question ``index`` without its answers, for every screen."""
    if not 0 <= index < len(session.question_ids):
        return None
    question = live_questions(session)[index]
    return {
        "index": index,
        "count": len(session.question_ids),
        "id": str(question["id"]),
        "type": question["type"],
        "scenario": question.get("scenario", ""),
        "prompt": question["prompt"],
        "choices": [
            {"id": str(choice["id"]), "text": choice["text"]}
            for choice in question["choices"]
        ],
    }


def remaining_ms(session: LiveSession, now: datetime | None = None) -> int:
    now = now or timezone.now()
    if session.phase == LivePhase.PAUSED:
        return session.paused_remaining_ms or 0
    if session.phase != LivePhase.QUESTION or session.question_deadline is None:
        return 0
    return max(0, int((session.question_deadline - now).total_seconds() * 1000))


def live_aggregate(*, session: LiveSession) -> dict:
    """Return how many have answered the current question, and the spread."""
    index = session.current_index
    rows = LiveAnswer.objects.filter(session=session, question_index=index)
    distribution: dict[str, int] = {}
    for choice_ids in rows.values_list("choice_ids", flat=True):
        for choice_id in choice_ids:
            distribution[str(choice_id)] = distribution.get(str(choice_id), 0) + 1
    return {
        "type": "aggregate",
        "index": index,
        "answered": sum(distribution.values()),
        "players": session.players.filter(is_removed=False).count(),
        "distribution": distribution,
    }


def live_roster(*, session: LiveSession) -> list[dict]:
    return [
        {"id": pk, "nickname": nickname, "team": team}
        for pk, nickname, team in session.players.filter(is_removed=False)
        .order_by("joined_at", "pk")
        .values_list("pk", "nickname", "team")
    ]


def live_team_scores(*, session: LiveSession) -> list[dict]:
    """Return each team's average points (bigger teams have no advantage)."""
    rows = (
        session.players.filter(is_removed=False)
        .exclude(team="")
        .values("team")
        .annotate(total=Sum("score"), players=Count("pk"))
    )
    teams = {
        name: {"team": name, "score": 0, "players": 0} for name in session.team_names
    }
    for row in rows:
        teams[row["team"]] = {
            "team": row["team"],
            "score": round((row["total"] or 0) / row["players"]),
            "players": row["players"],
        }
    return sorted(teams.values(), key=lambda team: -team["score"])


def _standings(session: LiveSession) -> list[tuple]:
    """Return ``(player_id, nickname, team, score, rank)`` best first.

    Equal scores share a rank (1, 2, 2, 4).
    """
    rows = list(
        session.players.filter(is_removed=False)
        .order_by("-score", "joined_at", "pk")
        .values_list("pk", "nickname", "team", "score")
    )
    ranked, previous, rank = [], None, 0
    for position, (pk, nickname, team, score) in enumerate(rows, start=1):
        if score != previous:
            rank, previous = position, score
        ranked.append((pk, nickname, team, score, rank))
    return ranked


def _leaderboard(session: LiveSession, ranked: list[tuple]) -> list[dict]:
    if session.leaderboard == LiveLeaderboard.HIDDEN:
        return []
    shown = (
        ranked[:TOP_COUNT] if session.leaderboard == LiveLeaderboard.TOP5 else ranked
    )
    return [
        {"rank": rank, "nickname": nickname, "team": team, "score": score}
        for _pk, nickname, team, score, rank in shown
    ]


def live_results(*, session: LiveSession) -> dict:
    """Return the results of the current question and the standings.

    ``standings`` maps each player id to ``[score, rank, points gained, right]``
    (right is None when they did not answer); the player consumer keeps only its
    own entry, so no device ever receives the others' scores.
    """
    index = session.current_index
    question = (
        live_questions(session)[index]
        if 0 <= index < len(session.question_ids)
        else None
    )
    ranked = _standings(session)
    aggregate = live_aggregate(session=session)
    return {
        "type": "results" if session.phase != LivePhase.ENDED else "ended",
        "index": index,
        "count": len(session.question_ids),
        "skipped": index in (session.skipped_indexes or []),
        "correct_choice_ids": [
            str(choice["id"])
            for choice in (question or {}).get("choices", [])
            if choice.get("is_correct")
        ],
        "explanation": (question or {}).get("explanation", ""),
        "distribution": aggregate["distribution"],
        "answered": aggregate["answered"],
        "players": aggregate["players"],
        "leaderboard": _leaderboard(session, ranked),
        "teams": live_team_scores(session=session) if session.team_names else [],
        "standings": live_standings(session=session, index=index, ranked=ranked),
    }


def live_standings(
    *, session: LiveSession, index: int, ranked: list[tuple] | None = None
) -> dict[str, list]:
    """Return each player's ``[score, rank, points gained, right]`` after a question.

    Keyed by the player id as text; right is None when they did not answer
    question ``index``.
    """
    answers = {
        player_id: (points, correct)
        for player_id, points, correct in LiveAnswer.objects.filter(
            session=session, question_index=index
        ).values_list("player_id", "points", "is_correct")
    }
    if ranked is None:
        ranked = _standings(session)
    return {
        str(pk): [
            score,
            rank,
            answers.get(pk, (0, None))[0],
            answers.get(pk, (0, None))[1],
        ]
        for pk, _nickname, _team, score, rank in ranked
    }


def personal_results(*, results: dict, player_id: int, leaderboard: str) -> dict:
    """Turn a results broadcast into what one player may see."""
    message = {k: v for k, v in results.items() if k != "standings"}
    mine = results.get("standings", {}).get(str(player_id))
    if mine is not None:
        score, rank, gained, correct = mine
        message["you"] = {
            "score": score,
            "gained": gained,
            "correct": correct,
            "rank": rank
            if leaderboard != LiveLeaderboard.HIDDEN and rank <= RANK_SHOWN_UP_TO
            else None,
        }
    return message


def _question_message(session: LiveSession, now: datetime) -> dict:
    return {
        "type": "question",
        "phase": session.phase,
        "question": live_question_public(session=session, index=session.current_index),
        "remaining_ms": remaining_ms(session, now),
        "duration_ms": session.seconds_per_question * 1000,
        "sent_at": epoch_ms(),
        "opened_at": epoch_ms(session.question_opened_at),
    }


def live_event_for(*, session: LiveSession, now: datetime | None = None) -> dict:
    """Return the broadcast that tells every screen about the current phase."""
    now = now or timezone.now()
    if session.phase in {LivePhase.QUESTION, LivePhase.PAUSED}:
        message = _question_message(session, now)
    elif session.phase in {LivePhase.RESULTS, LivePhase.ENDED}:
        message = live_results(session=session)
    else:
        message = {"type": "lobby"}
    message["phase"] = session.phase
    message["seq"] = session.sequence
    return message


def live_state(
    *, session_id: int, player_id: int | None = None, host: bool = False
) -> dict:
    """Return the full state of a session for a ``sync`` (after a gap or reconnect)."""
    now = timezone.now()
    session = LiveSession.objects.select_related("version", "quiz").get(pk=session_id)
    current = live_event_for(session=session, now=now)
    state = {
        "type": "sync",
        "seq": session.sequence,
        "phase": session.phase,
        "title": session.version.snapshot["quiz"]["title"],
        "pin": session.pin,
        "scoring": session.scoring,
        "leaderboard": session.leaderboard,
        "team_names": session.team_names,
        "question_count": len(session.question_ids),
        "current": current,
    }
    if player_id is not None:
        player = LivePlayer.objects.get(pk=player_id)
        answered = LiveAnswer.objects.filter(
            player_id=player_id, question_index=session.current_index
        ).exists()
        state["you"] = {
            "id": player.pk,
            "nickname": player.nickname,
            "team": player.team,
            "score": player.score,
            "answered_current": answered,
        }
        if current.get("type") in {"results", "ended"}:
            state["current"] = personal_results(
                results=current, player_id=player_id, leaderboard=session.leaderboard
            )
    elif current.get("type") in {"results", "ended"}:
        current.pop("standings", None)
    if host:
        state["players"] = live_roster(session=session)
        state["aggregate"] = live_aggregate(session=session)
    return state


def live_report(*, session: LiveSession) -> dict:
    """Return the post-game report: per question and per player."""
    questions = live_questions(session)
    answers = list(
        LiveAnswer.objects.filter(session=session).values(
            "player_id",
            "question_index",
            "choice_ids",
            "is_correct",
            "points",
            "elapsed_ms",
        )
    )
    players = list(
        session.players.order_by("-score", "nickname").values(
            "pk",
            "nickname",
            "team",
            "score",
            "correct_count",
            "answered_count",
            "is_removed",
            "user_id",
        )
    )
    by_question = []
    for index, question in enumerate(questions):
        rows = [a for a in answers if a["question_index"] == index]
        counts: dict[str, int] = {}
        for row in rows:
            for choice_id in row["choice_ids"]:
                counts[str(choice_id)] = counts.get(str(choice_id), 0) + 1
        right = sum(1 for row in rows if row["is_correct"])
        by_question.append(
            {
                "number": index + 1,
                "prompt": question["prompt"],
                "answered": len(rows),
                "correct": right,
                "correct_percent": round(100 * right / len(rows)) if rows else 0,
                "average_seconds": round(
                    sum(row["elapsed_ms"] for row in rows) / len(rows) / 1000, 1
                )
                if rows
                else None,
                "skipped": index in (session.skipped_indexes or []),
                "choices": [
                    {
                        "text": choice["text"],
                        "is_correct": bool(choice.get("is_correct")),
                        "count": counts.get(str(choice["id"]), 0),
                    }
                    for choice in question["choices"]
                ],
            }
        )
    return {
        "session": session,
        "title": session.version.snapshot["quiz"]["title"],
        "question_count": len(questions),
        "left_out": sum(
            1
            for q in session.version.snapshot["questions"]
            if q["type"] not in LIVE_QUESTION_TYPES
        ),
        "questions": by_question,
        "players": players,
        "teams": live_team_scores(session=session) if session.team_names else [],
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def live_games_played_by(*, user) -> list[dict]:
    """Return every live game ``user`` had a seat in, with their own answers.

    For a person's data export (the school layer registers it in
    ``lms.safeguarding.data_rights``): per game the quiz, when it was played, the seat
    (nickname, team, points, joined time) and, per question index, the chosen
    choice ids with their texts (``chosen``, from the session's pinned version,
    so what the pupil saw; an id the snapshot lacks is shown as the id), whether
    they were right, the points and when the server got the answer. Guests'
    seats are tied to no account and are not included.
    """
    seats = (
        LivePlayer.objects.filter(user_id=user.pk)
        .select_related("session__version")
        .prefetch_related(
            Prefetch("answers", queryset=LiveAnswer.objects.order_by("question_index"))
        )
        .order_by("joined_at", "pk")
    )
    games = []
    for seat in seats:
        session = seat.session
        snapshot = session.version.snapshot
        prompts = {str(q["id"]): q["prompt"] for q in snapshot["questions"]}
        texts = {
            str(q["id"]): {str(c["id"]): c["text"] for c in q.get("choices", [])}
            for q in snapshot["questions"]
        }
        games.append(
            {
                "session": session.pk,
                "quiz": snapshot["quiz"]["title"],
                "played_at": _iso(session.created_at),
                "nickname": seat.nickname,
                "team": seat.team,
                "score": seat.score,
                "right_answers": seat.correct_count,
                "answered": seat.answered_count,
                "removed_by_host": seat.is_removed,
                "joined_at": _iso(seat.joined_at),
                "answers": [
                    {
                        "question_index": answer.question_index,
                        "question": prompts.get(answer.question_id, ""),
                        "choice_ids": list(answer.choice_ids),
                        "chosen": [
                            texts.get(answer.question_id, {}).get(str(i), str(i))
                            for i in answer.choice_ids
                        ],
                        "correct": answer.is_correct,
                        "points": answer.points,
                        "answered_at": _iso(answer.received_at),
                    }
                    for answer in seat.answers.all()
                ],
            }
        )
    return games
