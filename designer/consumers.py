"""The websocket of a background simulation job: its progress, pushed as it moves.

`/ws/simulations/{job}/` — only the owner of the job's flow may watch (by session or by
`Authorization: Token …`); the origin is checked for the whole websocket router in
`runs.auth`. On connect the job's state goes out at once, then every change the worker
pushes; the socket closes itself when the job has ended.
"""

from __future__ import annotations

import asyncio
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.urls import path

from designer.models import SimulationJob
from designer.simulations.jobs import job_group, remember_loop
from designer.simulations.selectors import job_state

ENDED = {"succeeded", "failed", "cancelled"}


@database_sync_to_async
def _visible_job(user: Any, job_id: int) -> dict[str, Any] | None:
    if not user or not user.is_authenticated:
        return None
    job = SimulationJob.objects.filter(pk=job_id, flow__owner=user).first()
    return job_state(job) if job else None


class SimulationJobConsumer(AsyncJsonWebsocketConsumer):  # type: ignore[misc]
    async def connect(self) -> None:
        self.job_id = int(self.scope["url_route"]["kwargs"]["job_id"])
        self.group = job_group(self.job_id)
        if await _visible_job(self.scope.get("user"), self.job_id) is None:
            await self.close(code=4404)
            return
        remember_loop(asyncio.get_running_loop())
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        # Read after joining the group, so no change falls between the two.
        state = await _visible_job(self.scope.get("user"), self.job_id)
        await self.job_state({"state": state})

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        """Nothing to ask: the job is cancelled over HTTP (DELETE)."""

    @classmethod
    async def decode_json(cls, text_data: str) -> Any:
        return None  # never parsed: whatever a client sends is ignored

    async def job_state(self, event: dict[str, Any]) -> None:
        state = event["state"]
        await self.send_json(state)
        if state and state["state"] in ENDED:
            await self.close()


websocket_urlpatterns = [
    path("ws/simulations/<int:job_id>/", SimulationJobConsumer.as_asgi()),
]
