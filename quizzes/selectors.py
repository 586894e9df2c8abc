"""Reads of the quiz engine."""

from quizzes.models import Quiz, QuizVersion

# What a learner's device may know before answering: no correctness, no positions,
# no feedback, no explanation.
_HIDDEN_CHOICE_KEYS = {"is_correct", "correct_position", "feedback"}
_HIDDEN_QUESTION_KEYS = {"correct", "explanation"}


def quiz_latest_version(*, quiz: Quiz) -> QuizVersion | None:
    """Return the newest published version of ``quiz``, or None if never published."""
    return quiz.versions.order_by("-number").first()


def quiz_definition_public(*, version: QuizVersion) -> dict:
    """Return a version's questions without answers or feedback, for clients.

    Question and choice ids are those of the snapshot, so answers sent back can be
    checked against the same version.
    """
    snapshot = version.snapshot
    settings = snapshot["settings"]
    questions = []
    for question in snapshot["questions"]:
        public = {
            k: v
            for k, v in question.items()
            if k not in _HIDDEN_QUESTION_KEYS and k != "choices"
        }
        public["choices"] = [
            {k: v for k, v in choice.items() if k not in _HIDDEN_CHOICE_KEYS}
            for choice in question["choices"]
        ]
        questions.append(public)
    return {
        "version_id": version.pk,
        "version": version.number,
        "quiz_id": version.quiz_id,
        "title": snapshot["quiz"]["title"],
        "description": snapshot["quiz"]["description"],
        "locale": snapshot["quiz"]["locale"],
        "mode": settings["mode"],
        "pass_mark_percent": settings["pass_mark_percent"],
        "attempts_allowed": settings["attempts_allowed"],
        "question_count": settings["pool_size"] or len(questions),
        "questions": questions,
    }
