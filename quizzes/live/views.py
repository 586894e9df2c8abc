"""Pages of live games: join by PIN, play, host (create, control, projector), report.

Thin: each view validates, calls one service or selector and renders. The game
itself runs over websockets (``live_consumers.py``) driven by ``live_player.js``
and ``live_host.js``.
"""

import io

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from quizzes.errors import QuizError, QuizNotFound
from quizzes.live import answers as live_answers
from quizzes.live import report as live_report
from quizzes.live import selectors as live_selectors
from quizzes.live import services as live_services
from quizzes.live.models import LiveLeaderboard, LivePhase, LiveScoring


def _messages_for_player() -> dict:
    """Texts live_player.js shows, translated here (no JS catalogue)."""
    return {
        "connecting": _("Connecting…"),
        "reconnecting": _("Connection lost. Reconnecting…"),
        "waitingStart": _("You are in! Wait for your teacher to start."),
        "answered": _("Answered, waiting for the next question…"),
        "timeUp": _("Time is up!"),
        "correct": _("Right! +%(points)s points"),
        "wrong": _("Not this time. You will get the next one!"),
        "noAnswer": _("No answer this time. Be ready for the next one!"),
        "score": _("Your points: %(score)s"),
        "rank": _("You are number %(rank)s. Great work!"),
        "keepGoing": _("Keep going, you are doing well!"),
        "ended": _("The game is over. Thank you for playing!"),
        "removed": _("The host has taken you out of this game."),
        "question": _("Question %(number)s of %(count)s"),
        "paused": _("Paused. Wait a moment."),
        "chooseTeam": _("Choose your team"),
        "team": _("Team: %(team)s"),
        "seconds": _("%(seconds)s s"),
    }


def _messages_for_host() -> dict:
    return {
        "answered": _("%(answered)s/%(players)s answered"),
        "players": _("%(count)s players"),
        "question": _("Question %(number)s of %(count)s"),
        "paused": _("Paused"),
        "ended": _("The game is over."),
        "remove": _("Remove %(name)s"),
        "correct": _("Right answer"),
        "finalised": _("Results saved for %(count)s signed-in pupils."),
        "reconnecting": _("Connection lost. Reconnecting…"),
        "noLeaderboard": _("Well played, everyone!"),
        "seconds": _("%(seconds)s s"),
        "next": _("Next question"),
        "finish": _("Show the final results"),
    }


def live_join(request):
    """Show the PIN form; a valid PIN (typed or from the QR code) goes to the game."""
    pin = (request.GET.get("pin") or "").strip()
    error = ""
    if pin:
        if live_selectors.live_session_by_pin(pin=pin) is not None:
            return redirect("quizzes:live_play", pin=pin)
        error = _("We could not find a game with this PIN. Check the numbers.")
    return render(
        request, "quizzes/live/join.html", {"pin": pin, "error": error}, status=200
    )


def live_play(request, pin):
    """The player's screen; the socket does the rest (guests welcome)."""
    session = live_selectors.live_session_by_pin(pin=pin)
    if session is None:
        return redirect(f"{reverse('quizzes:live_join')}?pin={pin}")
    return render(
        request,
        "quizzes/live/play.html",
        {
            "pin": pin,
            "session": session,
            "locale": session.version.snapshot["quiz"].get("locale") or "vi",
            "client_state": {
                "pin": pin,
                "socketPath": f"/ws/choi/{pin}/",
                "joinUrl": reverse("quizzes:live_join"),
            },
            "messages_for_js": _messages_for_player(),
        },
    )


def _check_host(request) -> None:
    if not live_selectors.may_host_live(request.user):
        raise Http404(_("This page was not found."))


@login_required
def live_quiz_list(request):
    """List published quizzes in the user's language, each with a "play live",
    grouped for the host (``live_selectors.live_quiz_groups``)."""
    _check_host(request)
    groups = live_selectors.live_quiz_groups(
        user=request.user, language_code=get_language() or "vi"
    )
    return render(request, "quizzes/live/quiz_list.html", {"quiz_groups": groups})


class LiveSessionForm(forms.Form):
    scoring = forms.ChoiceField(
        label=gettext_lazy("Scoring"),
        choices=LiveScoring.choices,
        initial=LiveScoring.SPEED,
        widget=forms.RadioSelect,
    )
    leaderboard = forms.ChoiceField(
        label=gettext_lazy("Leaderboard"),
        choices=LiveLeaderboard.choices,
        initial=LiveLeaderboard.TOP5,
        widget=forms.RadioSelect,
    )
    seconds_per_question = forms.IntegerField(
        label=gettext_lazy("Seconds per question"),
        min_value=10,
        max_value=60,
        initial=20,
    )
    team_names = forms.CharField(
        label=gettext_lazy("Team names (team mode), one per line, 2 to 6"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        initial=gettext_lazy("Red team\nBlue team\nGreen team\nYellow team"),
    )


@login_required
def live_session_new(request, quiz_id):
    """Choose the settings and open the lobby of a new live game."""
    _check_host(request)
    quiz = get_object_or_404(
        live_selectors.quizzes_for_live(
            user=request.user, language_code=get_language() or "vi"
        ).model.objects.filter(live=True),
        pk=quiz_id,
    )
    form = LiveSessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            session = live_services.live_session_create(
                host=request.user,
                quiz=quiz,
                scoring=form.cleaned_data["scoring"],
                leaderboard=form.cleaned_data["leaderboard"],
                seconds_per_question=form.cleaned_data["seconds_per_question"],
                team_names=form.cleaned_data["team_names"].splitlines(),
            )
        except QuizError as error:
            form.add_error(None, str(error))
        else:
            return redirect("quizzes:live_control", session_id=session.pk)
    return render(request, "quizzes/live/new.html", {"quiz": quiz, "form": form})


def _host_session(request, session_id):
    try:
        return live_selectors.live_session_for_host(
            user=request.user, session_id=session_id
        )
    except QuizNotFound as error:
        raise Http404(str(error)) from error


HOST_BUTTONS = (
    ("start", "primary"),
    ("next", "primary"),
    ("pause", ""),
    ("resume", ""),
    ("reveal", ""),
    ("skip", ""),
    ("end", "danger"),
)


def _host_buttons(session) -> list[dict]:
    """The control toolbar as it first shows: only what makes sense now."""
    shown = live_selectors.live_host_controls(
        phase=session.phase,
        index=session.current_index,
        count=len(session.question_ids),
    )
    labels = {
        "start": _("Start"),
        "next": _("Next question"),
        "pause": _("Pause"),
        "resume": _("Resume"),
        "reveal": _("Show results"),
        "skip": _("Skip question"),
        "end": _("End the game"),
    }
    last = shown == live_selectors.LAST_RESULTS_CONTROLS
    buttons = []
    for command, style in HOST_BUTTONS:
        label = labels[command]
        if command == "next" and last:
            label = _("Show the final results")
        buttons.append(
            {
                "command": command,
                "style": style,
                "label": label,
                "hidden": command not in shown,
            }
        )
    return buttons


def _host_context(request, session, view: str) -> dict:
    join_url = request.build_absolute_uri(
        f"{reverse('quizzes:live_join')}?pin={session.pin}"
    )
    return {
        "buttons": _host_buttons(session),
        "session": session,
        "title": session.version.snapshot["quiz"]["title"],
        "join_url": join_url,
        "qr_svg": live_report.qr_svg(join_url),
        "client_state": {
            "view": view,
            "socketPath": f"/ws/choi/{session.pk}/dieu-khien/"
            + ("?view=projector" if view == "projector" else ""),
            "reportUrl": reverse("quizzes:live_report", args=[session.pk]),
            "controls": live_selectors.HOST_CONTROLS,
            "lastControls": live_selectors.LAST_RESULTS_CONTROLS,
        },
        "messages_for_js": _messages_for_host(),
    }


@login_required
def live_control(request, session_id):
    """The host's controls: lobby, start, next, pause, results, remove, end."""
    session = _host_session(request, session_id)
    return render(
        request,
        "quizzes/live/control.html",
        _host_context(request, session, "control"),
    )


@login_required
def live_projector(request, session_id):
    """The big screen: PIN and QR, timer, question, answer bars, leaderboard."""
    session = _host_session(request, session_id)
    return render(
        request,
        "quizzes/live/projector.html",
        _host_context(request, session, "projector"),
    )


@login_required
def live_report_page(request, session_id):
    """After the game: results per question and per player."""
    session = _host_session(request, session_id)
    if session.phase == LivePhase.ENDED:
        live_answers.live_session_record_attempts(session_id=session.pk)
    return render(
        request,
        "quizzes/live/report.html",
        {"report": live_selectors.live_report(session=session)},
    )


@login_required
def live_report_xlsx(request, session_id):
    """Download the report as a spreadsheet."""
    session = _host_session(request, session_id)
    content = live_report.report_xlsx(live_selectors.live_report(session=session))
    return FileResponse(
        io.BytesIO(content),
        as_attachment=True,
        filename=f"bao-cao-choi-truc-tiep-{session.pk}.xlsx",
        content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        ),
    )
