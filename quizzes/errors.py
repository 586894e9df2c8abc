"""The quiz engine's one domain exception."""

from config.errors import DomainError


class QuizError(DomainError):
    """A quiz rule refused the request (an invalid definition, a bad version...)."""

    default_code = "quiz_invalid"
