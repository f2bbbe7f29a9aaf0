"""Websockets of runs: one run's live feed, and the run list of a flow.

Thin on purpose: they check who may watch, join one group, and forward. What makes the
feed lossless lives here too, because only the consumer knows what its client has been
sent: every event after the snapshot goes out exactly once and in order, read from the
database whenever the channel layer dropped a message, and a heartbeat with the run's last
sequence number tells both ends that the socket is alive and nothing is missing.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import deque
from typing import Any

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from designer.models import Flow
from runs.events import (
    RunsChangedMessage,
    StepMessage,
    encode_events,
    events_frame,
    flow_group_name,
    group_name,
    remember_server_loop,
)
from runs.models import Run
from runs.selectors import EVENTS_PAGE, events_after, run_state, runs_of

FORWARDED = {"run.step", "runs.changed"}
MAX_MESSAGE_BYTES = 4096
RESYNC_BURST = 20  # resyncs a client may ask for …
RESYNC_WINDOW = 10.0  # … within this many seconds
# Steps commit in order but may reach the loop out of order (two worker threads); a step
# that arrives early waits this long for the one before it before the database is asked.
REORDER_SECONDS = 0.2


def _visible_run(user: Any, run_id: int) -> Run | None:
    return runs_of(user).filter(pk=run_id).first()


def _visible_flow(user: Any, flow_id: int) -> bool:
    if not user or not user.is_authenticated:
        return False
    return Flow.objects.filter(pk=flow_id, owner=user).exists()


def _fresh_state(run: Run) -> dict[str, Any]:
    """The run's state read after joining its group, so no step falls between the two."""
    run.refresh_from_db(fields=["status", "last_seq", "finished_at"])
    return run_state(run)


def _progress(run_id: int) -> tuple[int, str]:
    return tuple(Run.objects.filter(pk=run_id).values_list("last_seq", "status").get())  # type: ignore[return-value]


def _parse(text: str | None) -> tuple[dict[str, Any] | None, str]:
    """A client message as a dict, or why it is refused; never raises, whatever is sent."""
    if text is None or len(text) > MAX_MESSAGE_BYTES:
        return None, f"messages must be JSON objects of at most {MAX_MESSAGE_BYTES} bytes"
    try:
        content = json.loads(text)
    except (ValueError, RecursionError):
        return None, "messages must be JSON objects"
    if not isinstance(content, dict):
        return None, "messages must be JSON objects"
    return content, ""


class _Heartbeat(AsyncWebsocketConsumer):  # type: ignore[misc]
    """Sends `beat()` every VIVIDO_HEARTBEAT_SECONDS until the socket closes."""

    async def start_heartbeat(self) -> None:
        self.heartbeat_task = asyncio.create_task(self._beat_forever())

    async def _beat_forever(self) -> None:
        while True:
            await asyncio.sleep(settings.VIVIDO_HEARTBEAT_SECONDS)
            await self.beat()

    async def beat(self) -> None:
        raise NotImplementedError

    async def disconnect(self, code: int) -> None:
        for name in ("heartbeat_task", "gap_task"):
            task = getattr(self, name, None)
            if task is not None:
                task.cancel()
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def dispatch(self, message: dict[str, Any]) -> None:
        """Broadcasts skip Channels' per-message database clean-up (a thread hop for every
        viewer and every step); what reads the database goes through
        database_sync_to_async, which cleans up by itself."""
        if message["type"] in FORWARDED:
            await getattr(self, get_handler_name(message))(message)
            return
        await super().dispatch(message)

    async def send_json(self, content: Any) -> None:
        await self.send(text_data=json.dumps(content, separators=(",", ":"), default=str))


class RunConsumer(_Heartbeat):
    async def connect(self) -> None:
        remember_server_loop()
        self.run_id = int(self.scope["url_route"]["kwargs"]["run_id"])
        run = await database_sync_to_async(_visible_run)(self.scope.get("user"), self.run_id)
        if run is None:
            await self.close(code=4403)
            return
        self.group = group_name(self.run_id)
        self.resyncs: deque[float] = deque()
        # The heartbeat runs beside the message handlers: one sender at a time keeps order.
        self.sending = asyncio.Lock()
        self.queued: list[str] = []
        self.early: dict[int, StepMessage] = {}
        self.expected = 0  # the newest seq a heartbeat found in the database
        self.gap_task: asyncio.Task[None] | None = None
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        snapshot = await database_sync_to_async(_fresh_state)(run)
        self.sent = snapshot["last_seq"]
        await self.send_json(
            {
                "type": "snapshot",
                "run": snapshot,
                "last_seq": snapshot["last_seq"],
                "heartbeat": settings.VIVIDO_HEARTBEAT_SECONDS,
            }
        )
        await self.start_heartbeat()

    async def run_step(self, message: StepMessage) -> None:
        async with self.sending:
            if message["last"] <= self.sent:
                return
            if message["first"] > self.sent + 1:
                self.early[message["first"]] = message
                if self.gap_task is None:
                    self.gap_task = asyncio.create_task(self.close_gap_later())
                return
            while message["events"] is not None:
                self.queued.append(message["events"])
                self.sent = message["last"]
                if self.sent + 1 not in self.early:
                    await self.flush()
                    return
                message = self.early.pop(self.sent + 1)
            # Too many events to carry: read them.
            await self.catch_up()

    async def close_gap_later(self, delay: float = REORDER_SECONDS) -> None:
        await asyncio.sleep(delay)
        async with self.sending:
            self.gap_task = None
            if self.early or self.sent < self.expected:
                await self.catch_up()

    async def flush(self) -> None:
        """Send what steps queued; `self.sent` already counts it. Called holding the lock."""
        if self.queued:
            encoded, self.queued = self.queued, []
            await self.send(text_data=events_frame(encoded, self.sent))

    async def catch_up(self, upto: int | None = None) -> int:
        """Send, from the database, every event after the last one this client has."""
        self.early.clear()
        await self.flush()
        last_seq = self.sent
        while True:
            page = await database_sync_to_async(events_after)(self.run_id, self.sent)
            if not page:
                return last_seq
            last_seq, _ = await database_sync_to_async(_progress)(self.run_id)
            await self.send(text_data=encode_events(page, last_seq))
            self.sent = page[-1]["seq"]
            if len(page) < EVENTS_PAGE or (upto is not None and self.sent >= upto):
                return last_seq

    async def beat(self) -> None:
        async with self.sending:
            last_seq, status = await database_sync_to_async(_progress)(self.run_id)
            await self.send_json({"type": "heartbeat", "last_seq": last_seq, "status": status})
            if last_seq > self.sent:
                # Usually the step's message is a few milliseconds behind its commit; if it
                # has not come in a moment, the layer lost it and the database has it.
                self.expected = max(self.expected, last_seq)
                if self.gap_task is None:
                    self.gap_task = asyncio.create_task(self.close_gap_later())

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        content, problem = _parse(text_data)
        if content is None:
            await self.send_json({"type": "error", "message": problem})
            return
        if content.get("type") != "resync":
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
        now = time.monotonic()
        while self.resyncs and now - self.resyncs[0] > RESYNC_WINDOW:
            self.resyncs.popleft()
        if len(self.resyncs) >= RESYNC_BURST:
            wait = round(RESYNC_WINDOW - (now - self.resyncs[0]), 1)
            await self.send_json(
                {
                    "type": "error",
                    "message": f"too many resyncs: at most {RESYNC_BURST} in "
                    f"{RESYNC_WINDOW:g} s; ask again in {wait:g} s",
                    "retry_after": wait,
                }
            )
            return
        self.resyncs.append(now)
        async with self.sending:
            await self.flush()
            page = await database_sync_to_async(events_after)(self.run_id, after)
            last_seq, _ = await database_sync_to_async(_progress)(self.run_id)
            await self.send(text_data=encode_events(page, last_seq))
            if page:
                self.sent = max(self.sent, page[-1]["seq"])


class FlowRunsConsumer(_Heartbeat):
    """The run list's nudges: which run moved. The list reads the runs itself over HTTP,
    so a nudge the layer drops costs at most one heartbeat."""

    async def connect(self) -> None:
        remember_server_loop()
        self.flow_id = int(self.scope["url_route"]["kwargs"]["flow_id"])
        if not await database_sync_to_async(_visible_flow)(self.scope.get("user"), self.flow_id):
            await self.close(code=4403)
            return
        self.group = flow_group_name(self.flow_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_json({"type": "hello", "heartbeat": settings.VIVIDO_HEARTBEAT_SECONDS})
        await self.start_heartbeat()

    async def runs_changed(self, message: RunsChangedMessage) -> None:
        await self.send_json(
            {
                "type": "changed",
                "run": message["run"],
                "status": message["status"],
                "last_seq": message["last_seq"],
            }
        )

    async def beat(self) -> None:
        await self.send_json({"type": "heartbeat"})

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        await self.send_json({"type": "error", "message": "this feed only sends"})
