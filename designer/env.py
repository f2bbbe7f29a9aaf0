"""Typed readers for settings from the environment that fail loudly on a bad value."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    if raw.strip().lower() in _TRUE:
        return True
    if raw.strip().lower() in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


SQLITE_OPTIONS = {
    # WAL lets readers go on while one writer writes; IMMEDIATE takes the write lock at
    # BEGIN so two writers queue (up to the busy timeout) instead of failing mid-way.
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
}


def database_config(url: str | None, default_sqlite: Path) -> dict[str, Any]:
    """`DATABASE_URL` as a Django database; unset means the embedded SQLite file."""
    # Connections are kept a minute: the run engine's steps and the feeds' reads come many a
    # second, and opening a connection for each cost more than the query.
    config: dict[str, Any] = dj_database_url.parse(
        url or f"sqlite:///{default_sqlite}", conn_max_age=60, conn_health_checks=True
    )
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config.setdefault("OPTIONS", {}).update(SQLITE_OPTIONS)
    return config


# channels_redis waits for a consumer's next message with a blocking pop of up to 5 s on
# the same socket, and redis-py 8 gives every socket a read timeout of 5 s by default: an
# idle consumer then fails with "Timeout reading from …" and its websocket closes with 1011
# (channels_redis#422, redis-py#4091). Reads on the layer's sockets may wait this long.
REDIS_LAYER_SOCKET_TIMEOUT = 30.0


def channel_layers_config(redis_url: str | None) -> dict[str, Any]:
    """Redis when `REDIS_URL` is set (several processes), else in memory (one process)."""
    if redis_url:
        host = {
            "address": redis_url,
            "socket_timeout": REDIS_LAYER_SOCKET_TIMEOUT,
            "socket_connect_timeout": 5.0,
        }
        return {
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                "CONFIG": {"hosts": [host]},
            }
        }
    return {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


_RATE = re.compile(r"^(\d+)/(\d*)(s|sec|second|m|min|minute|h|hour|d|day)$")


def env_rate(name: str, default: str) -> str:
    """A throttle rate: how many requests per period, like `10/min` or `30/5m`."""
    raw = os.environ.get(name)
    value = default if raw is None or raw.strip() == "" else raw.strip()
    if not _RATE.match(value):
        raise ImproperlyConfigured(
            f"{name} must be a rate like 10/min or 30/5m (requests per period), not {value!r}"
        )
    return value


def rate_parts(rate: str) -> tuple[int, int]:
    """A rate from `env_rate` as (requests, seconds)."""
    match = _RATE.match(rate)
    if match is None:
        raise ImproperlyConfigured(f"not a throttle rate: {rate!r}")
    count, multiple, unit = match.groups()
    seconds = {"s": 1, "m": 60, "h": 3600, "d": 86400}[unit[0]]
    return int(count), seconds * int(multiple or 1)


def caches_config(redis_url: str | None) -> dict[str, Any]:
    """Django's cache (throttle counts live there): Redis when `REDIS_URL` is set, so every
    process counts together; local memory otherwise (one process)."""
    if redis_url:
        return {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": redis_url,
                "KEY_PREFIX": "vivido",
            }
        }
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "vivido",
        }
    }
