"""Writes of players' seats in a live game: joining, choosing a team, erasure.

A signed-in user always gets the seat tied to their account; a guest gets a
generated nickname and a resume token, of which only the hash is stored
(``token_hash``). The seat always comes from the socket's own ``hello``, never
from a message. In team mode the school layer may place signed-in pupils in the
host's team named after their class (``LIVE_TEAM_LABEL_PROVIDER``); everyone
else picks a team. On erasure a user's seats keep their points and answers and
lose only the name (``live_seats_anonymise``).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from quizzes.errors import QuizError, QuizPermissionDenied
from quizzes.live.models import LivePhase, LivePlayer, LiveScoring, LiveSession
from quizzes.live.nicknames import nickname_candidates
from quizzes.live.services import wrong_phase_error


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Seat:
    """A player's seat; ``token`` is returned once, to a new guest only."""

    player: LivePlayer
    token: str | None
    created: bool


def _team_key(name: str) -> str:
    return " ".join(str(name).split()).casefold()


def _team_from_provider(*, user, session: LiveSession) -> str:
    """Ask the optional ``LIVE_TEAM_LABEL_PROVIDER`` hook for a user's team.

    The hook (a dotted path to ``callable(*, user, session) -> str | None``) lets
    the school layer put pupils in teams by class without the engine knowing
    what a class is. The label counts only when it is one of the host's team
    names (spaces and case aside: "5a" finds "5A"); otherwise the player picks a
    team like a guest, so nobody lands in a team the host did not make.
    """
    path = getattr(settings, "LIVE_TEAM_LABEL_PROVIDER", "")
    if not path or user is None or not session.team_names:
        return ""
    label = _team_key(import_string(path)(user=user, session=session) or "")
    if not label:
        return ""
    return next((name for name in session.team_names if _team_key(name) == label), "")


def _insert_player(*, session: LiveSession, user, names: list[str]) -> LivePlayer:
    token_holder = secrets.token_urlsafe(24)
    team = ""
    if session.scoring == LiveScoring.TEAM:
        team = _team_from_provider(user=user, session=session)
    for nickname in names:
        player = LivePlayer(
            session=session,
            user=user,
            nickname=nickname,
            team=team,
            resume_token_hash=token_hash(token_holder),
        )
        try:
            with transaction.atomic():
                player.save(force_insert=True)
        except IntegrityError:
            if user is not None:
                existing = LivePlayer.objects.filter(session=session, user=user).first()
                if existing is not None:
                    return existing
            continue
        player._plain_token = token_holder
        return player
    raise QuizError(_("Please try again."), code="live_join")  # pragma: no cover


def _user_names(user) -> list[str]:
    base = (str(user) or _("Player"))[:100]
    return [base] + [f"{base} {number}" for number in range(2, 200)]


@transaction.atomic
def live_player_join(
    *, session: LiveSession, user=None, resume_token: str = ""
) -> Seat:
    """Seat a player in ``session``: their own seat again, or a new one.

    A signed-in user always gets the seat tied to their account (a token is
    ignored). A guest with a valid resume token of this session gets that seat
    back; any other guest gets a new seat with a generated nickname and a new
    token, of which only the hash is stored. A removed player cannot come back.
    """
    if not session.is_active:
        raise QuizError(_("This game has ended."), code="live_ended")
    if user is not None and not user.is_authenticated:
        user = None
    if user is not None:
        player = LivePlayer.objects.filter(session=session, user=user).first()
        created = player is None
        if created:
            player = _insert_player(session=session, user=user, names=_user_names(user))
        if player.is_removed:
            raise QuizPermissionDenied(_("The host has taken you out of this game."))
        return Seat(player=player, token=None, created=created)
    if resume_token:
        player = LivePlayer.objects.filter(
            session=session,
            user__isnull=True,
            resume_token_hash=token_hash(str(resume_token)[:200]),
        ).first()
        if player is not None:
            if player.is_removed:
                raise QuizPermissionDenied(
                    _("The host has taken you out of this game.")
                )
            return Seat(player=player, token=None, created=False)

    def taken_of(names: list[str]) -> set[str]:
        return set(
            LivePlayer.objects.filter(session=session, nickname__in=names).values_list(
                "nickname", flat=True
            )
        )

    player = _insert_player(
        session=session, user=None, names=nickname_candidates(taken_of=taken_of)
    )
    return Seat(player=player, token=player._plain_token, created=True)


@transaction.atomic
def live_player_choose_team(*, player_id: int, team: str) -> LivePlayer:
    """Put a player in one of the host's teams (in the lobby, or when unset)."""
    player = (
        LivePlayer.objects.select_for_update()
        .select_related("session")
        .get(pk=player_id)
    )
    session = player.session
    if session.scoring != LiveScoring.TEAM or team not in session.team_names:
        raise QuizError(_("Please choose one of the teams."), code="live_team")
    if session.phase != LivePhase.LOBBY and player.team:
        raise wrong_phase_error()
    player.team = team
    player.save(update_fields=["team"])
    return player


@transaction.atomic
def live_seats_anonymise(*, user, nickname: str) -> int:
    """Replace ``user``'s name in every live game they played with ``nickname``.

    For erasure (``lms.safeguarding.data_rights`` calls it with its tombstone
    name). The seats
    keep their points, teams and answers, so past games' reports and team
    averages count the same; only the name goes. A second erased player of the
    same game becomes "<nickname> 2" (names are unique per game). Returns how
    many seats were renamed; running it again renames nothing.
    """
    base = " ".join(nickname.split())[:100]
    names = [base] + [f"{base} {number}" for number in range(2, 1000)]
    renamed = 0
    for seat in LivePlayer.objects.select_for_update().filter(user_id=user.pk):
        if seat.nickname in names:
            continue  # already a tombstone
        for name in names:
            seat.nickname = name
            try:
                with transaction.atomic():
                    seat.save(update_fields=["nickname"])
            except IntegrityError:
                continue
            renamed += 1
            break
        else:  # pragma: no cover - a thousand erased players in one game
            raise QuizError(_("Please try again."), code="live_erase")
    return renamed
