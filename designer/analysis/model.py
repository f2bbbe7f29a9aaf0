"""The flow as plain, immutable data: what the document format and the database both map to."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

Strength = Literal["hard", "soft", "none"]
STRENGTHS: tuple[Strength, ...] = ("hard", "soft", "none")
# Strengths that order tasks: a cycle through them is an error, and sequential order follows them.
ORDERING_STRENGTHS: frozenset[str] = frozenset({"hard", "soft"})
TIME_UNITS: tuple[str, ...] = ("minutes", "hours", "days", "weeks")
BUILTIN_EXECUTORS: tuple[str, ...] = ("simulated", "manual")
# A task key: a letter or digit, then up to 31 of letters, digits, "_", "." and "-". The
# document schema, the run URLs and the page scripts all use this one.
KEY_CHARACTERS = r"[A-Za-z0-9][A-Za-z0-9_.-]{0,31}"
KEY_PATTERN = rf"^{KEY_CHARACTERS}$"
UNIT_ABBREVIATIONS = {"minutes": "min", "hours": "h", "days": "d", "weeks": "wk"}


@dataclass(frozen=True, slots=True)
class Estimate:
    """A three-point duration estimate in the flow's time unit."""

    optimistic: float
    likely: float
    pessimistic: float


@dataclass(frozen=True, slots=True)
class Task:
    key: str
    name: str
    duration: Estimate
    description: str = ""
    resources: Mapping[str, int] = field(default_factory=dict)
    phase: str | None = None
    failure_rate: float = 0.0
    executor: str = "simulated"
    x: float = 0.0
    y: float = 0.0


@dataclass(frozen=True, slots=True)
class Dependency:
    """`target` needs an output of `source`."""

    source: str
    target: str
    strength: Strength = "hard"
    note: str = ""


@dataclass(frozen=True, slots=True)
class ResourcePool:
    name: str
    capacity: int
    description: str = ""
    # What one unit costs per time unit of use; None = not set (the cost of speed is off).
    cost_per_unit: float | None = None


@dataclass(frozen=True, slots=True)
class Phase:
    name: str
    description: str = ""


@dataclass(frozen=True, slots=True)
class Flow:
    name: str
    tasks: tuple[Task, ...] = ()
    dependencies: tuple[Dependency, ...] = ()
    resources: tuple[ResourcePool, ...] = ()
    phases: tuple[Phase, ...] = ()
    description: str = ""
    time_unit: str = "hours"
    handoff_delay: float = 0.0
    sync_overhead: float = 0.0
    # What one time unit saved is worth; None = not set.
    value_per_time_unit: float | None = None


_DIGITS = re.compile(r"(\d+)")


def key_order(key: str) -> tuple[str | int, ...]:
    """Sort key that puts T2 before T10, as a person reading a task list expects."""
    parts = _DIGITS.split(key)
    return tuple(int(part) if i % 2 else part for i, part in enumerate(parts))


def format_duration(value: float, time_unit: str) -> str:
    """A figure with its unit, at most two decimals and no trailing zeros: `31.75 h`."""
    text = f"{round(value, 2):,.2f}".rstrip("0").rstrip(".")
    return f"{'0' if text == '-0' else text} {UNIT_ABBREVIATIONS.get(time_unit, time_unit)}"
