"""Keep personal pages out of shared caches; let published files be shared.

A school often reaches the internet through one proxy for forty phones. What is
the same for everyone and named by its content (static files, whose names carry
their hash, and pictures, whose renditions get a new name when the picture
changes) is ``public`` (WhiteNoise and the proxy say so, see docs/performance.md),
so the proxy fetches it once for a class. Everything answered to a signed-in
person may carry their name, progress or a form token: ``private, no-cache`` (the
phone may keep it, must ask again before using it, and no proxy may keep it),
and ``Vary: Cookie``. A view that decided for itself (a ``Cache-Control`` already
set, such as the manifest's) is left alone.
"""

from __future__ import annotations

from django.utils.cache import patch_cache_control, patch_vary_headers


class PersonalPagesPrivateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return response
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_cache=True)
        patch_vary_headers(response, ("Cookie",))
        return response
