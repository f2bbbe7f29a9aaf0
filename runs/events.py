"""The one place run events are broadcast from: after the transaction that wrote them.

One message per committed step, not one per event: a step that writes a thousand events
(fail fast on a wide flow) is still one message, encoded once for every viewer. The channel
layer may drop it all the same; each consumer notices from the sequence numbers (or its
heartbeat) and reads what it lacks from the database, so nothing a dashboard shows depends
on the layer keeping every message.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import threading
from typing import Any, Literal, TypedDict

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.db import transaction

from runs.models import RunEvent
from runs.selectors import event_dict

log = logging.getLogger(__name__)

# Steps writing more events than this send only their range; consumers read the rest.
INLINE_EVENTS = 2000


class EventsFrame(TypedDict):
    type: Literal["events"]
    events: list[dict[str, Any]]
    last_seq: int


class StepMessage(TypedDict):
    """To a run's group: the events `first`…`last` one step committed, already encoded as
    the inside of a JSON array (None when the step wrote too many to carry)."""

    type: Literal["run.step"]
    first: int
    last: int
    events: str | None


class RunsChangedMessage(TypedDict):
    """To a flow's group: one of its runs moved; the run list reads the rest itself."""

    type: Literal["runs.changed"]
    run: int
    status: str
    last_seq: int


_server_loop: asyncio.AbstractEventLoop | None = None


def remember_server_loop() -> None:
    """Called from the server's event loop (a consumer connecting): broadcasts from worker
    threads are handed to that loop, where the in-memory layer's queues live."""
    global _server_loop
    _server_loop = asyncio.get_running_loop()


def group_name(run_id: int) -> str:
    return f"run.{run_id}"


def flow_group_name(flow_id: int) -> str:
    return f"flow.{flow_id}.runs"


def encode_events(events: list[dict[str, Any]], last_seq: int) -> str:
    frame: EventsFrame = {"type": "events", "events": events, "last_seq": last_seq}
    return json.dumps(frame, separators=(",", ":"))


def events_frame(encoded: list[str], last_seq: int) -> str:
    """An `events` frame from steps' encoded events, joined without decoding them again."""
    return f'{{"type":"events","events":[{",".join(encoded)}],"last_seq":{last_seq}}}'


def publish_after_commit(run_id: int, events: list[RunEvent]) -> None:
    """Once the step's events are safely in the database, tell the run's viewers and the
    flow's run list. Never waits on the layer: the engine's pace is not the viewers'."""
    if not events:
        return
    run = events[0].run
    first, last = events[0].seq, events[-1].seq
    encoded = (
        ",".join(json.dumps(event_dict(e), separators=(",", ":")) for e in events)
        if len(events) <= INLINE_EVENTS
        else None
    )
    step: StepMessage = {"type": "run.step", "first": first, "last": last, "events": encoded}
    changed: RunsChangedMessage = {
        "type": "runs.changed",
        "run": run_id,
        "status": run.status,
        "last_seq": last,
    }
    sends: list[tuple[str, Any]] = [
        (group_name(run_id), step),
        (flow_group_name(run.flow_id), changed),
    ]

    def send() -> None:
        layer = get_channel_layer()
        if layer is None:
            return
        loop = _server_loop
        if loop is None or not loop.is_running():
            # A process without a server loop (a Celery worker) broadcasts from a loop of its
            # own, which keeps the layer's connections and one run's messages in order; the
            # in-memory layer has no other process to reach.
            loop = None if isinstance(layer, InMemoryChannelLayer) else _publisher_loop()
        if loop is not None:
            # The in-memory layer's queues belong to the server's loop: hand over to it.
            loop.call_soon_threadsafe(_gather, layer, loop, run_id, step, changed, run.flow_id)
            return
        for group, message in sends:
            async_to_sync(layer.group_send)(group, message)

    transaction.on_commit(send)


# Steps of one run that commit within a short window go out as one message: in a burst (two
# hundred tasks ending together) a viewer gets a few messages, not two hundred, and the
# server's loop stays free for the engine. A lone step waits 15 ms; while a run keeps moving
# its viewers get at most ten messages a second, each with everything since the last, since
# every message costs every viewer the same whatever it carries.
GATHER_SECONDS = 0.015
GATHER_BUSY_SECONDS = 0.1
_gathered: dict[int, tuple[list[StepMessage], RunsChangedMessage, int]] = {}
_last_sent: dict[int, float] = {}


def _gather(
    layer: Any,
    loop: asyncio.AbstractEventLoop,
    run_id: int,
    step: StepMessage,
    changed: RunsChangedMessage,
    flow_id: int,
) -> None:
    """On the server's loop: keep the step until the window closes."""
    held = _gathered.get(run_id)
    if held is None:
        _gathered[run_id] = ([step], changed, flow_id)
        busy = loop.time() - _last_sent.get(run_id, -math.inf) < GATHER_BUSY_SECONDS
        loop.call_later(
            GATHER_BUSY_SECONDS if busy else GATHER_SECONDS, _send_gathered, layer, loop, run_id
        )
        return
    held[0].append(step)
    if changed["last_seq"] > held[1]["last_seq"]:
        _gathered[run_id] = (held[0], changed, flow_id)


def _send_gathered(layer: Any, loop: asyncio.AbstractEventLoop, run_id: int) -> None:
    steps, changed, flow_id = _gathered.pop(run_id)
    _last_sent[run_id] = loop.time()
    if changed["status"] not in ("running", "paused"):
        _last_sent.pop(run_id)  # the run is over: forget it
    steps.sort(key=lambda step: step["first"])
    merged: list[StepMessage] = []
    for step in steps:
        last = merged[-1] if merged else None
        if (
            last is not None
            and last["last"] + 1 == step["first"]
            and last["events"] is not None
            and step["events"] is not None
        ):
            last["last"] = step["last"]
            last["events"] = f"{last['events']},{step['events']}"
        else:
            merged.append(dict(step))  # type: ignore[arg-type]
    sends = [(group_name(run_id), message) for message in merged]
    _send_in_order(loop, layer, [*sends, (flow_group_name(flow_id), changed)])


# The last send handed to a loop: the next one waits for it, so that what one process sends
# leaves in the order it was committed (concurrent sends on a pool of Redis connections
# would race: 8 before 7). Viewers of a run fed by several processes reorder by sequence.
_previous_send: dict[asyncio.AbstractEventLoop, asyncio.Task[None]] = {}


def _send_in_order(
    loop: asyncio.AbstractEventLoop, layer: Any, messages: list[tuple[str, Any]]
) -> None:
    previous = _previous_send.get(loop)

    async def send() -> None:
        if previous is not None and not previous.done():
            await asyncio.wait([previous])
        for group, message in messages:
            try:
                await layer.group_send(group, message)
            except Exception:  # the layer may drop a message: viewers read the database
                log.warning("could not broadcast to %s", group, exc_info=True)
        if _previous_send.get(loop) is task:
            del _previous_send[loop]

    task = loop.create_task(send())
    _previous_send[loop] = task


_publisher: asyncio.AbstractEventLoop | None = None
_publisher_lock = threading.Lock()


def _publisher_loop() -> asyncio.AbstractEventLoop:
    """This process's broadcasting loop, on a thread of its own, started on first use (in a
    Celery worker's child process, after the fork)."""
    global _publisher
    with _publisher_lock:
        if _publisher is None or _publisher.is_closed():
            _publisher = asyncio.new_event_loop()
            threading.Thread(
                target=_publisher.run_forever, name="vivido-broadcast", daemon=True
            ).start()
        return _publisher
