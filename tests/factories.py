"""Small builders of flow documents: the guide's content example and flows made to order."""

from __future__ import annotations

import copy
from typing import Any

CONTENT_DURATIONS = {
    "T1": (1, 2, 4),
    "T2": (2, 3, 6),
    "T3": (3, 5, 10),
    "T4": (2, 4, 8),
    "T5": (6, 8, 14),
    "T6": (3, 5, 9),
    "T7": (1, 2, 4),
    "T8": (0.5, 1, 2),
    "T9": (0.5, 0.5, 1),
}
CONTENT_DEPENDENCIES = [
    ("T1", "T2"),
    ("T2", "T3"),
    ("T2", "T4"),
    ("T3", "T5"),
    ("T4", "T5"),
    ("T1", "T6", "soft"),
    ("T5", "T6"),
    ("T5", "T7"),
    ("T6", "T7"),
    ("T7", "T8"),
    ("T8", "T9"),
]


def flow_document(
    tasks: dict[str, float | tuple[float, float, float]],
    dependencies: list[tuple[str, ...]] = (),  # type: ignore[assignment]
    *,
    name: str = "Test flow",
    handoff_delay: float = 0,
    sync_overhead: float = 0,
    **extra: Any,
) -> dict[str, Any]:
    """A minimal valid document: durations as a likely value or (o, m, p); edges as
    (from, to) or (from, to, strength)."""
    doc: dict[str, Any] = {
        "format": "vivido.flow/1",
        "name": name,
        "handoff_delay": handoff_delay,
        "sync_overhead": sync_overhead,
        "tasks": [],
        "dependencies": [],
        **extra,
    }
    for key, duration in tasks.items():
        o, m, p = duration if isinstance(duration, tuple) else (duration, duration, duration)
        doc["tasks"].append(
            {
                "key": key,
                "name": f"Task {key}",
                "duration": {"optimistic": o, "likely": m, "pessimistic": p},
            }
        )
    for edge in dependencies:
        doc["dependencies"].append(
            {"from": edge[0], "to": edge[1], "strength": edge[2] if len(edge) > 2 else "hard"}
        )
    return doc


def content_document(handoff_delay: float = 0.5, sync_overhead: float = 0.25) -> dict[str, Any]:
    """The guide's content production flow with the design document's worked figures."""
    return flow_document(
        CONTENT_DURATIONS,
        CONTENT_DEPENDENCIES,
        name="Content production",
        handoff_delay=handoff_delay,
        sync_overhead=sync_overhead,
        time_unit="hours",
    )


def with_changes(document: dict[str, Any], **changes: Any) -> dict[str, Any]:
    changed = copy.deepcopy(document)
    changed.update(changes)
    return changed
