"""Pages for taking a quiz and reviewing it: thin, over quizzes.selectors.

The take page is rendered on the server with the whole attempt (questions in
the order drawn, answers saved so far) and enhanced by ``attempt.js``, which
saves each answer at once through the API and queues it on the device while
the network is away.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from quizzes import selectors
from quizzes.errors import QuizNotFound
from quizzes.review import attempt_review


def _own_attempt(request, attempt_id):
    try:
        return selectors.attempt_for_user(user=request.user, attempt_id=attempt_id)
    except QuizNotFound as error:
        raise Http404(str(error)) from error


def _messages_for_js() -> dict:
    """Return the texts attempt.js shows, translated here (no JS catalogue)."""
    return {
        "saving": _("Saving your answer…"),
        "saved": _("Your answer is saved."),
        "offline": _(
            "Waiting for the network — your answers are saved on this device."
        ),
        "signIn": _("Please sign in again so we can save your answers."),
        "correct": _("Well done, that is right!"),
        "partly": _("Partly right. Read why below."),
        "wrong": _("Not quite. Read why below, then go on."),
        "why": _("Why:"),
        "chooseFirst": _("Choose an answer first."),
        "moved": _("Moved to place %(position)s of %(count)s."),
        "summaryAll": _("You answered all %(total)s questions."),
        "summarySome": _(
            "You answered %(answered)s of %(total)s questions. You can go back, "
            "or finish now."
        ),
        "submitting": _("Sending your answers…"),
        "waitingToSubmit": _(
            "Some answers are still waiting for the network. We will finish the "
            "quiz as soon as they are sent."
        ),
        "submitFailed": _("We could not finish the quiz. Please try again."),
    }


@login_required
def attempt_take(request, attempt_id):
    """Show an attempt in progress, one question at a time."""
    attempt = _own_attempt(request, attempt_id)
    if attempt.is_submitted:
        return redirect("quizzes:attempt_result", attempt_id=attempt.pk)
    state = selectors.attempt_state(attempt=attempt)
    client_state = {
        "id": state["id"],
        "mode": state["mode"],
        "answers": state["answers"],
        "feedback": state["feedback"],
        "questionCount": len(state["questions"]),
        "answerUrl": reverse("quizzes-api:attempt-answer", args=[attempt.pk]),
        "submitUrl": reverse("quizzes-api:attempt-submit", args=[attempt.pk]),
        "resultUrl": reverse("quizzes:attempt_result", args=[attempt.pk]),
    }
    return render(
        request,
        "quizzes/attempt_take.html",
        {
            "attempt": attempt,
            "state": state,
            "client_state": client_state,
            "messages_for_js": _messages_for_js(),
            "total": len(state["questions"]),
        },
    )


@login_required
def attempt_result(request, attempt_id):
    """Show the score of a submitted attempt and each question's right answer."""
    attempt = _own_attempt(request, attempt_id)
    if not attempt.is_submitted:
        return redirect("quizzes:attempt_take", attempt_id=attempt.pk)
    review = attempt_review(attempt=attempt, user=request.user)
    return render(
        request,
        "quizzes/attempt_result.html",
        {
            "attempt": attempt,
            "review": review,
            "return_url": attempt.return_url or reverse("lms:home"),
        },
    )
