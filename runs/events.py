"""The one place run events are broadcast from: after the transaction that wrote them."""

from __future__ import annotations

import asyncio
from typing import Any, Literal, TypedDict

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from runs.models import RunEvent


class EventMessage(TypedDict):
    type: Literal["event"]
    seq: int
    kind: str
    task: str
    state: str | None
    at: str
    data: dict[str, Any]


_server_loop: asyncio.AbstractEventLoop | None = None


def remember_server_loop() -> None:
    """Called from the server's event loop (a consumer connecting): broadcasts from worker
    threads are handed to that loop, where the in-memory layer's queues live."""
    global _server_loop
    _server_loop = asyncio.get_running_loop()


def group_name(run_id: int) -> str:
    return f"run.{run_id}"


def as_message(event: RunEvent) -> EventMessage:
    return {
        "type": "event",
        "seq": event.seq,
        "kind": event.kind,
        "task": event.task,
        "state": event.data.get("to"),
        "at": event.at.isoformat(),
        "data": event.data,
    }


def publish_after_commit(run_id: int, events: list[RunEvent]) -> None:
    """Send the events to the run's group once they are safely in the database; a message
    the layer drops is recovered by the dashboard's resync, never lost."""
    if not events:
        return
    messages = [as_message(e) for e in events]

    def send() -> None:
        layer = get_channel_layer()
        if layer is None:
            return
        group = group_name(run_id)
        loop = _server_loop
        if loop is not None and loop.is_running():
            # The in-memory layer's queues belong to the server's loop: put from there, or
            # a waiting consumer would only notice at the loop's next wake-up.
            for message in messages:
                asyncio.run_coroutine_threadsafe(
                    layer.group_send(group, {"type": "run.event", "event": message}), loop
                )
            return
        for message in messages:
            async_to_sync(layer.group_send)(group, {"type": "run.event", "event": message})

    transaction.on_commit(send)
