"""ASGI entry point: HTTP through Django, websockets through Channels."""

import gc
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

# Django must be set up before anything imports models (the websocket routes do).
django.setup(set_prefix=False)

# Pages run their middleware and view in one trip to a thread (common/http_handler.py).
from common.http_handler import OneTripASGIHandler  # noqa: E402

django_asgi_app = OneTripASGIHandler()

from channels.routing import ProtocolTypeRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from config.routing import websocket_application  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(websocket_application()),
    }
)

# A worker holding thousands of open websockets (a school assembly's live quiz)
# keeps millions of long-lived objects, and every full garbage collection scans
# them all while the event loop waits: at 2,000 players the default settings ran
# about 11 full collections per game per worker, up to 1 s each, and every socket
# of the worker stalled (docs/performance.md, "Live quiz"). What start-up made is
# frozen out of the scans, and young collections run less often, so full ones
# become rare (1 per game, 0.3 s, measured the same way).
gc.collect()
gc.freeze()
gc.set_threshold(7000, 20, 100)
