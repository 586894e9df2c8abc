"""Template context every page needs: the hotline and the user's roles."""

from django.conf import settings

from lms.people.selectors import user_roles


def platform(request) -> dict:
    user = getattr(request, "user", None)
    roles = user_roles(user) if user is not None and user.is_authenticated else set()
    return {"hotline": settings.CHILD_HOTLINE, "user_roles": roles}
