"""The quiz engine's one domain exception."""

from rest_framework import status

from common.errors import DomainError


class QuizError(DomainError):
    """A quiz rule refused the request (an invalid definition, a bad version...)."""

    default_code = "quiz_invalid"


class QuizNotFound(QuizError):
    """The quiz or attempt does not exist, or belongs to someone else.

    Someone else's attempt is reported exactly like a missing one (404), so an
    attempt id reveals nothing about other pupils.
    """

    status_code = status.HTTP_404_NOT_FOUND
    default_code = "not_found"


class QuizPermissionDenied(QuizError):
    """The user may not take quizzes."""

    status_code = status.HTTP_403_FORBIDDEN
    default_code = "permission_denied"
