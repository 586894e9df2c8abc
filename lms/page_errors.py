"""Pages show a domain ``NotFound`` as an ordinary 404 (the API maps it itself)."""

from functools import wraps

from django.http import Http404

from config.errors import NotFound


def not_found_as_404(view):
    """Turn ``NotFound`` raised by a selector or service into ``Http404``."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFound as error:
            raise Http404(str(error.message)) from error

    return wrapper
