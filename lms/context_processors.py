"""Template context every page needs: the hotline and what the user's roles show.

The shared base template (common/) and the lesson blocks (content_cms/) sit below
lms and know nothing of its role codes; this processor tells them what to show.
"""

from django.conf import settings

from lms.models.people import Role
from lms.people.selectors import user_roles


def platform(request) -> dict:
    user = getattr(request, "user", None)
    roles = user_roles(user) if user is not None and user.is_authenticated else set()
    pupil = Role.PUPIL in roles
    return {
        "hotline": settings.CHILD_HOTLINE,
        # The "I need help" button on every page is for pupils.
        "show_help_button": pupil,
        # Discussion blocks' notes for the teacher are kept from pupils (everyone
        # else, parents reading a public module too, sees them).
        "hide_teacher_notes": pupil,
        # Adults (parents, staff) taking a module or a quiz are spoken to as adults
        # ("anh/chị", not the pupils' "em"); a module page says so by its audience.
        "adult_reader": bool(roles) and not pupil,
    }
