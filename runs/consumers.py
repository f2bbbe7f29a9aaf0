"""The run dashboard's websocket: a snapshot, then every event, and missed ones on request.

Thin on purpose: it checks who may watch, joins the run's group, forwards events and
answers resyncs from the database; the engine and runs/events.py do everything else.
"""

from __future__ import annotations

import json
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from runs.api import event_dict, run_state
from runs.events import group_name, remember_server_loop
from runs.models import Run

RESYNC_LIMIT = 5000


def _visible_run(user: Any, run_id: int) -> Run | None:
    if not user or not user.is_authenticated:
        return None
    return Run.objects.filter(pk=run_id, flow__owner=user).first()


def _snapshot(run_id: int) -> dict[str, Any]:
    return _jsonable(run_state(Run.objects.get(pk=run_id)))


def _events_after(run_id: int, after: int) -> list[dict[str, Any]]:
    events = Run.objects.get(pk=run_id).events.filter(seq__gt=after).order_by("seq")[:RESYNC_LIMIT]
    return [{"type": "event", **_jsonable(event_dict(e))} for e in events]


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


class RunConsumer(AsyncJsonWebsocketConsumer):  # type: ignore[misc]
    async def connect(self) -> None:
        remember_server_loop()
        self.run_id = int(self.scope["url_route"]["kwargs"]["run_id"])
        run = await database_sync_to_async(_visible_run)(self.scope.get("user"), self.run_id)
        if run is None:
            await self.close(code=4403)
            return
        self.group = group_name(self.run_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        snapshot = await database_sync_to_async(_snapshot)(self.run_id)
        await self.send_json(
            {"type": "snapshot", "run": snapshot, "last_seq": snapshot["last_seq"]}
        )

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        try:
            content = json.loads(text_data or "")
        except ValueError:
            await self.send_json({"type": "error", "message": "messages must be JSON objects"})
            return
        await self.receive_json(content)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not isinstance(content, dict) or content.get("type") != "resync":
            await self.send_json(
                {
                    "type": "error",
                    "message": 'the only message understood is {"type": "resync", "after": N}',
                }
            )
            return
        after = content.get("after")
        if isinstance(after, bool) or not isinstance(after, int) or after < 0:
            await self.send_json(
                {"type": "error", "message": "resync needs after: a whole number of 0 or more"}
            )
            return
        for event in await database_sync_to_async(_events_after)(self.run_id, after):
            await self.send_json(event)

    async def run_event(self, message: dict[str, Any]) -> None:
        await self.send_json(message["event"])
