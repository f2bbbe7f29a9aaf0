"""The flow document `vivido.flow/1`: its JSON Schema, reading it and writing it.

One format serves the API's whole-graph read and write, import and export files and run
snapshots, so reading and writing must be lossless: `flow_to_document(flow_from_document(d))`
gives back `d` with its defaults filled in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError as SchemaError

from .errors import FlowError
from .model import (
    BUILTIN_EXECUTORS,
    KEY_PATTERN,
    STRENGTHS,
    TIME_UNITS,
    Dependency,
    Estimate,
    Flow,
    Phase,
    ResourcePool,
    Task,
)
from .validation import validate_flow

FORMAT = "vivido.flow/1"

_NAME = {"type": "string", "minLength": 1, "maxLength": 200}
_TEXT = {"type": "string", "maxLength": 10_000}
_DURATION = {"type": "number", "minimum": 0, "maximum": 1_000_000}
_RATE = {
    "type": ["number", "null"],
    "minimum": 0,
    "maximum": 1_000_000_000,
}
_KEY = {
    "type": "string",
    "pattern": KEY_PATTERN,
    "description": "Short key unique in the flow: a letter or digit, then up to 31 of "
    "letters, digits, '_', '.', '-'.",
}

FLOW_DOCUMENT_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "urn:vivido:flow:1",
    "title": "Vivido flow document",
    "description": "A process design: tasks, dependencies, resource pools, phases and settings.",
    "type": "object",
    "required": ["format", "name"],
    "additionalProperties": False,
    "properties": {
        "format": {"const": FORMAT},
        "name": _NAME,
        "description": _TEXT,
        "time_unit": {"enum": list(TIME_UNITS), "default": "hours"},
        "handoff_delay": {
            "description": "Time lost each time work passes along a dependency.",
            **_DURATION,
            "default": 0,
        },
        "sync_overhead": {
            "description": "Coordination time added at every join and every phase barrier.",
            **_DURATION,
            "default": 0,
        },
        "value_per_time_unit": {
            "description": "What one time unit saved is worth (optional; with pool costs it "
            "turns on the cost of speed). Absent or null: not set.",
            **_RATE,
        },
        "resources": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "capacity"],
                "additionalProperties": False,
                "properties": {
                    "name": _NAME,
                    "capacity": {"type": "integer", "minimum": 1, "maximum": 100_000},
                    "description": _TEXT,
                    "cost_per_unit": {
                        "description": "What one unit of the pool costs per time unit of "
                        "use (optional). Absent or null: not set.",
                        **_RATE,
                    },
                },
            },
        },
        "phases": {
            "type": "array",
            "description": "Ordered macro steps of a hybrid flow.",
            "items": {
                "type": "object",
                "required": ["name"],
                "additionalProperties": False,
                "properties": {"name": _NAME, "description": _TEXT},
            },
        },
        "tasks": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["key", "name", "duration"],
                "additionalProperties": False,
                "properties": {
                    "key": _KEY,
                    "name": _NAME,
                    "description": _TEXT,
                    "duration": {
                        "type": "object",
                        "required": ["likely"],
                        "additionalProperties": False,
                        "description": "Three-point estimate in the flow's time unit; "
                        "optimistic and pessimistic default to likely.",
                        "properties": {
                            "optimistic": _DURATION,
                            "likely": _DURATION,
                            "pessimistic": _DURATION,
                        },
                    },
                    "resources": {
                        "type": "object",
                        "description": "Units needed of each resource pool, by pool name.",
                        "additionalProperties": {
                            "type": "integer",
                            "minimum": 1,
                            "maximum": 100_000,
                        },
                    },
                    "phase": {"type": ["string", "null"]},
                    "failure_rate": {"type": "number", "minimum": 0, "maximum": 1, "default": 0},
                    "executor": {
                        "type": "string",
                        "pattern": "^[a-z][a-z0-9_.-]{0,63}$",
                        "default": "simulated",
                        "description": "'simulated', 'manual' or an action the deployer "
                        f"registered; built in: {', '.join(BUILTIN_EXECUTORS)}.",
                    },
                    "x": {"type": "number"},
                    "y": {"type": "number"},
                },
            },
        },
        "dependencies": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["from", "to"],
                "additionalProperties": False,
                "properties": {
                    "from": {"type": "string"},
                    "to": {"type": "string"},
                    "strength": {"enum": list(STRENGTHS), "default": "hard"},
                    "note": _TEXT,
                },
            },
        },
    },
}

_VALIDATOR = Draft202012Validator(FLOW_DOCUMENT_SCHEMA)


def flow_from_document(document: object) -> Flow:
    """Read a flow document, raising `FlowError` on the first thing wrong with it."""
    errors = sorted(_VALIDATOR.iter_errors(document), key=lambda e: list(map(str, e.path)))
    if errors:
        raise _schema_error(errors[0])
    assert isinstance(document, Mapping)
    flow = Flow(
        name=document["name"],
        description=document.get("description", ""),
        time_unit=document.get("time_unit", "hours"),
        handoff_delay=float(document.get("handoff_delay", 0)),
        sync_overhead=float(document.get("sync_overhead", 0)),
        value_per_time_unit=_rate(document.get("value_per_time_unit")),
        resources=tuple(
            ResourcePool(
                p["name"],
                p["capacity"],
                p.get("description", ""),
                _rate(p.get("cost_per_unit")),
            )
            for p in document.get("resources", ())
        ),
        phases=tuple(
            Phase(p["name"], p.get("description", "")) for p in document.get("phases", ())
        ),
        tasks=tuple(_task(t) for t in document.get("tasks", ())),
        dependencies=tuple(
            Dependency(d["from"], d["to"], d.get("strength", "hard"), d.get("note", ""))
            for d in document.get("dependencies", ())
        ),
    )
    validate_flow(flow)
    return flow


def _task(t: Mapping[str, Any]) -> Task:
    d = t["duration"]
    likely = float(d["likely"])
    return Task(
        key=t["key"],
        name=t["name"],
        description=t.get("description", ""),
        duration=Estimate(
            float(d.get("optimistic", likely)), likely, float(d.get("pessimistic", likely))
        ),
        resources=dict(t.get("resources", {})),
        phase=t.get("phase"),
        failure_rate=float(t.get("failure_rate", 0)),
        executor=t.get("executor", "simulated"),
        x=float(t.get("x", 0)),
        y=float(t.get("y", 0)),
    )


def _rate(value: Any) -> float | None:
    return None if value is None else float(value)


def _pool(p: ResourcePool) -> dict[str, Any]:
    pool: dict[str, Any] = {"name": p.name, "capacity": p.capacity, "description": p.description}
    if p.cost_per_unit is not None:
        pool["cost_per_unit"] = _number(p.cost_per_unit)
    return pool


def flow_to_document(flow: Flow) -> dict[str, Any]:
    """Write a flow as a document, every field present, in the flow's own order.

    The optional costs (`value_per_time_unit`, a pool's `cost_per_unit`) are written only
    when set, so a document that never had them comes back without them.
    """
    document: dict[str, Any] = {
        "format": FORMAT,
        "name": flow.name,
        "description": flow.description,
        "time_unit": flow.time_unit,
        "handoff_delay": _number(flow.handoff_delay),
        "sync_overhead": _number(flow.sync_overhead),
    }
    if flow.value_per_time_unit is not None:
        document["value_per_time_unit"] = _number(flow.value_per_time_unit)
    return document | {
        "resources": [_pool(p) for p in flow.resources],
        "phases": [{"name": p.name, "description": p.description} for p in flow.phases],
        "tasks": [
            {
                "key": t.key,
                "name": t.name,
                "description": t.description,
                "duration": {
                    "optimistic": _number(t.duration.optimistic),
                    "likely": _number(t.duration.likely),
                    "pessimistic": _number(t.duration.pessimistic),
                },
                "resources": dict(t.resources),
                "phase": t.phase,
                "failure_rate": _number(t.failure_rate),
                "executor": t.executor,
                "x": _number(t.x),
                "y": _number(t.y),
            }
            for t in flow.tasks
        ],
        "dependencies": [
            {"from": d.source, "to": d.target, "strength": d.strength, "note": d.note}
            for d in flow.dependencies
        ],
    }


def _number(value: float) -> float | int:
    """Whole numbers as integers, so a document reads the way a person wrote it."""
    return int(value) if float(value).is_integer() and abs(value) < 2**53 else value


def _path(path: Sequence[str | int]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "document"


def _schema_error(error: SchemaError) -> FlowError:
    field = _path(error.absolute_path)
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    value: Any = error.instance
    match error.validator:
        case "required":
            missing = str(error.message).split("'")[1]
            where = f"{field}.{missing}" if field != "document" else missing
            return FlowError(f"{where} is required", field=where)
        case "additionalProperties":
            extra = sorted(set(value) - set(schema.get("properties", {})))
            return FlowError(f"{field}: unknown field(s) {', '.join(extra)}", field=field)
        case "minimum":
            message = f"{field} must be at least {schema['minimum']} (got {value!r})"
        case "maximum":
            message = f"{field} must be at most {schema['maximum']} (got {value!r})"
        case "enum":
            allowed = ", ".join(map(str, schema["enum"]))
            message = f"{field} must be one of {allowed} (got {value!r})"
        case "const":
            message = f"{field} must be {schema['const']!r} (got {value!r})"
        case "minLength":
            message = f"{field} must not be empty"
        case "maxLength":
            message = f"{field} is longer than {schema['maxLength']} characters"
        case "pattern":
            hint = schema.get("description", f"it must match {schema['pattern']}")
            message = f"{field} {value!r} is not valid: {hint}"
        case "type":
            expected = schema["type"]
            expected = " or ".join(expected) if isinstance(expected, list) else expected
            message = f"{field} must be {_article(expected)} {expected}"
        case _:
            message = f"{field}: {error.message}"
    return FlowError(message[:500], field=field)


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"
