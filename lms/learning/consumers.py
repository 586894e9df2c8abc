"""Websocket consumers of the school layer (thin: scoping is lms.people.selectors')."""

from __future__ import annotations

from channels.db import database_sync_to_async

from common.consumers import JsonWebsocketConsumer
from lms.learning.progress_live import class_progress_group
from lms.learning.selectors import class_for_progress

CLOSE_FORBIDDEN = 4403


@database_sync_to_async
def _may_follow(user, class_id: int) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return class_for_progress(user=user, class_id=class_id) is not None


class ClassProgressConsumer(JsonWebsocketConsumer):
    """Push a class's progress changes to its grid (``/ws/lop/<id>/tien-do/``).

    Only people who may open the grid (``class_for_progress``: teachers of the
    class, the school's administrators) join; anyone else is closed with 4403.
    The grid only listens: messages from the browser are ignored.
    """

    async def connect(self):
        self.class_id = int(self.scope["url_route"]["kwargs"]["class_id"])
        self.group = class_progress_group(self.class_id)
        if not await _may_follow(self.scope.get("user"), self.class_id):
            await self.close(code=CLOSE_FORBIDDEN)
            return
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        if getattr(self, "group", None):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        return

    async def progress_changed(self, event):
        await self.send_json(
            {
                "type": "progress",
                "pupil_id": event["pupil_id"],
                "module_id": event["module_id"],
                "status": event["status"],
                "best_percent": event["best_percent"],
                "seq": event["seq"],
            }
        )
