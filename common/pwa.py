"""The installable web app: its manifest, its service worker and the offline page.

The worker is served from the site's root (``/sw.js``, scope ``/``), never from
``/static/``: a worker's scope cannot reach above its own address without a
``Service-Worker-Allowed`` header, and a static file's name changes with its
content. The file itself is ``common/static/common/sw.js``; this view puts the
configuration in front of it (the shell's static addresses, which carry their
content hash in production, and a version made of all that), so a change of any
shell file installs a new worker and drops the old shell copy. Browsers check
the worker at most once a day from the HTTP cache; ``no-cache`` makes them ask.

What to keep for offline use is named by the settings (``PWA_START_URL``,
``PWA_SHELL_STATIC``): this floor knows no school layer's pages.

``OfflineSenderMiddleware``: what a phone sends from its outboxes names the user
it was kept for (``X-Offline-User``); under anyone else's session it is refused,
so on a phone two pupils share, each one's waiting answers stay theirs.

Signing out is not told by a ``Clear-Site-Data`` header: its ``"cache"`` is the
browser's HTTP cache, not the pages the worker stored, and its ``"storage"``
would remove those but also the answers still waiting on the phone. The
page's script removes the user's stored pages once the server has signed them out
(common/static/common/offline.js), and any page shown to nobody or to another
user removes them too (a session that ended on its own).
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

THEME_COLOUR = "#0b5cad"
BACKGROUND_COLOUR = "#f3f6fa"


@require_GET
@cache_control(public=True, max_age=3600)
def manifest(request):
    """Describe the app for installing it: names, icons, colours, where it opens."""
    data = {
        "name": _("Safe online"),
        "short_name": _("Safe online"),
        "description": _("Learn to stay safe online, even without a network."),
        "lang": request.LANGUAGE_CODE,
        "start_url": settings.PWA_START_URL,
        "scope": "/",
        "id": "/",
        "display": "standalone",
        "orientation": "portrait",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": [
            {
                "src": static("common/icon-192.png"),
                "sizes": "192x192",
                "type": "image/png",
            },
            {
                "src": static("common/icon-512.png"),
                "sizes": "512x512",
                "type": "image/png",
            },
            {
                "src": static("common/icon-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    response["Vary"] = "Cookie, Accept-Language"
    return response


@lru_cache(maxsize=1)
def _worker_source() -> str:
    path = finders.find("common/sw.js")
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def _shell_digest(urls: list[str]) -> str:
    """Hash the shell files' contents, so a changed file means a new worker.

    In production the addresses carry the hash already; in development (plain
    names) only the contents tell a change.
    """
    digest = hashlib.sha256()
    for name in settings.PWA_SHELL_STATIC:
        path = finders.find(name)
        if path:
            with open(path, "rb") as handle:
                digest.update(handle.read())
    digest.update(json.dumps(urls).encode())
    digest.update(_worker_source().encode())
    return digest.hexdigest()[:16]


def worker_config() -> dict:
    """Return what the worker needs to know, with a version that follows it."""
    shell = [static(name) for name in settings.PWA_SHELL_STATIC]
    return {
        "version": _shell_digest(shell),
        "shell": shell,
        "offlinePage": reverse("offline_page"),
        "staticPrefixes": [settings.STATIC_URL, settings.MEDIA_URL],
        "networkTimeoutMs": settings.PWA_NETWORK_TIMEOUT_MS,
    }


@require_GET
def service_worker(request):
    """Serve the worker at the root, with its configuration in front."""
    config = json.dumps(worker_config(), separators=(",", ":"))
    source = f"var OFFLINE_CONFIG = {config};\n{_worker_source()}"
    response = HttpResponse(source, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
@cache_control(public=True, max_age=3600)
def offline_page(request):
    """Say there is no network and what still works (the worker keeps a copy).

    The same for everyone (no name, no form), so one stored copy serves every
    pupil of a shared phone.
    """
    return render(
        request,
        "common/offline.html",
        {"start_url": settings.PWA_START_URL},
    )


# Named by common/offline.js on everything it sends from the phone's outboxes:
# the user the waiting thing belongs to.
OFFLINE_USER_HEADER = "X-Offline-User"


class OfflineSenderMiddleware:
    """Refuse what a phone sends for one user under another user's session.

    Two pupils may share a phone: what pupil A left waiting is sent only while A
    is signed in. A page of A's still open in another tab after B signed in would
    send it under B's session; the server refuses it (403, nothing recorded) and
    the phone keeps it for A. Requests without the header are not concerned.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        claimed = request.headers.get(OFFLINE_USER_HEADER, "").strip()
        if claimed:
            user = getattr(request, "user", None)
            signed_in = (
                str(user.pk) if user is not None and user.is_authenticated else ""
            )
            if claimed != signed_in:
                return JsonResponse(
                    {
                        "detail": _(
                            "This was saved on this phone by another person. "
                            "It is kept for them until they sign in again."
                        ),
                        "code": "other_user",
                    },
                    status=403,
                )
        return self.get_response(request)
