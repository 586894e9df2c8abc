"""The content app's one domain exception."""

from common.errors import DomainError


class ContentError(DomainError):
    """A content rule refused the request (a bad curriculum file, a hidden module)."""

    default_code = "content_invalid"


class ModuleOutsideAgeBand(ContentError):
    """A pupils' module written for another age band than the pupil's class.

    Refused kindly (403, with a way back to the pupil's own lessons), never a
    404: the pupil followed a real link and deserves to know why it is closed.
    """

    status_code = 403
    default_code = "module_outside_age_band"
