"""Settings from the environment: safe defaults, loud failures, the Redis layer when asked."""

import asyncio
import os
import socket
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from channels.layers import get_channel_layer
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from designer.env import channel_layers_config, database_config, env_bool, env_int

ROOT = Path(__file__).resolve().parent.parent


def settings_in_subprocess(
    env: dict[str, str], expression: str
) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))
    }
    return subprocess.run(
        [sys.executable, "-c", f"import designer.settings as s; print({expression})"],
        cwd=ROOT,
        env={**clean, "VIVIDO_VAR_DIR": str(ROOT / "var" / "settings-test"), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_secret_key_is_required_when_debug_is_off():
    result = settings_in_subprocess({}, "s.DEBUG")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is required when DJANGO_DEBUG is off" in result.stderr


def test_defaults_are_local_and_private():
    result = settings_in_subprocess(
        {"DJANGO_SECRET_KEY": "k"},
        "s.DEBUG, s.ALLOWED_HOSTS, s.DATABASES['default']['ENGINE'], "
        "s.CHANNEL_LAYERS['default']['BACKEND'], s.REST_FRAMEWORK['DEFAULT_PERMISSION_CLASSES']",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "False ['127.0.0.1', 'localhost', '[::1]'] django.db.backends.sqlite3 "
        "channels.layers.InMemoryChannelLayer ['rest_framework.permissions.IsAuthenticated']"
    )


def test_celery_dispatch_needs_a_broker_and_then_acknowledges_late():
    refused = settings_in_subprocess(
        {"DJANGO_SECRET_KEY": "k", "VIVIDO_RUN_DISPATCH": "celery", "CELERY_BROKER_URL": ""},
        "s.VIVIDO_RUN_DISPATCH",
    )
    assert refused.returncode != 0
    assert "VIVIDO_RUN_DISPATCH=celery needs CELERY_BROKER_URL" in refused.stderr
    chosen = settings_in_subprocess(
        {
            "DJANGO_SECRET_KEY": "k",
            "VIVIDO_RUN_DISPATCH": "celery",
            "CELERY_BROKER_URL": "amqp://guest:guest@127.0.0.1:5672//",
        },
        "s.CELERY_BROKER_URL, s.CELERY_TASK_ACKS_LATE, s.CELERY_TASK_REJECT_ON_WORKER_LOST, "
        "s.CELERY_BEAT_SCHEDULE['sweep']['schedule']",
    )
    assert chosen.returncode == 0, chosen.stderr
    assert chosen.stdout.strip() == "amqp://guest:guest@127.0.0.1:5672// True True 5.0"


def test_bad_boolean_fails_loudly(monkeypatch):
    monkeypatch.setenv("DJANGO_DEBUG", "maybe")
    with pytest.raises(
        ImproperlyConfigured, match="DJANGO_DEBUG must be true or false, not 'maybe'"
    ):
        env_bool("DJANGO_DEBUG", False)


def test_bad_number_fails_loudly(monkeypatch):
    monkeypatch.setenv("VIVIDO_MAX_TASKS_PER_FLOW", "lots")
    with pytest.raises(ImproperlyConfigured, match="must be a whole number"):
        env_int("VIVIDO_MAX_TASKS_PER_FLOW", 5000)


def test_embedded_sqlite_uses_wal_a_busy_timeout_and_immediate_transactions(tmp_path):
    config = database_config(None, tmp_path / "db.sqlite3")
    assert config["NAME"] == str(tmp_path / "db.sqlite3")
    assert "PRAGMA journal_mode=WAL" in config["OPTIONS"]["init_command"]
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert config["OPTIONS"]["timeout"] == 20


def test_sqlite_really_runs_in_wal_mode(db):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"


def test_database_url_selects_postgresql():
    config = database_config("postgresql://postgres@127.0.0.1:5432/vivido", Path("unused"))
    assert (config["ENGINE"], config["NAME"], config["HOST"]) == (
        "django.db.backends.postgresql",
        "vivido",
        "127.0.0.1",
    )


def redis_reachable() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(not redis_reachable(), reason="Redis at 127.0.0.1:6379 is not reachable")
def test_redis_url_selects_channels_redis_and_it_carries_messages():
    layers = channel_layers_config("redis://127.0.0.1:6379/15")
    assert layers["default"]["BACKEND"] == "channels_redis.core.RedisChannelLayer"
    with override_settings(CHANNEL_LAYERS=layers):
        from channels.layers import channel_layers

        channel_layers.backends.pop("default", None)
        layer = get_channel_layer()

        async def round_trip():
            channel = await layer.new_channel()
            await layer.group_add("settings-test", channel)
            await layer.group_send("settings-test", {"type": "ping", "n": 7})
            message = await layer.receive(channel)
            await layer.group_discard("settings-test", channel)
            await layer.flush()
            return message

        try:
            # In a thread of its own: the browser tests' Playwright keeps a loop in this one.
            with ThreadPoolExecutor(1) as worker:
                message = worker.submit(asyncio.run, round_trip()).result(timeout=10)
            assert message == {"type": "ping", "n": 7}
        finally:
            channel_layers.backends.pop("default", None)


@pytest.mark.skipif(not redis_reachable(), reason="Redis at 127.0.0.1:6379 is not reachable")
def test_a_receive_on_the_redis_layer_outwaits_its_blocking_pop():
    """channels_redis blocks 5 s per pop; redis-py 8 times reads out after 5 s unless told
    otherwise. A message that comes after 7 s is received, not a "Timeout reading"."""
    from channels_redis.core import RedisChannelLayer

    layer = RedisChannelLayer(
        **channel_layers_config("redis://127.0.0.1:6379/15")["default"]["CONFIG"]
    )

    async def late_message():
        channel = await layer.new_channel()

        async def send_later():
            await asyncio.sleep(7)
            await layer.send(channel, {"type": "late", "n": 1})

        sender = asyncio.ensure_future(send_later())
        try:
            return await asyncio.wait_for(layer.receive(channel), 15)
        finally:
            await sender
            await layer.flush()

    with ThreadPoolExecutor(1) as worker:
        assert worker.submit(asyncio.run, late_message()).result(timeout=20) == {
            "type": "late",
            "n": 1,
        }


def test_throttle_rates_are_read_and_checked(monkeypatch):
    from designer.env import env_rate, rate_parts

    monkeypatch.setenv("VIVIDO_THROTTLE_TOKEN", "30/5m")
    assert rate_parts(env_rate("VIVIDO_THROTTLE_TOKEN", "10/min")) == (30, 300)
    assert rate_parts(env_rate("VIVIDO_THROTTLE_UNSET", "10/min")) == (10, 60)
    monkeypatch.setenv("VIVIDO_THROTTLE_TOKEN", "lots")
    with pytest.raises(ImproperlyConfigured, match="VIVIDO_THROTTLE_TOKEN must be a rate"):
        env_rate("VIVIDO_THROTTLE_TOKEN", "10/min")


def test_the_cache_is_redis_with_redis_url_and_memory_without():
    from designer.env import caches_config

    assert caches_config("redis://127.0.0.1:6379/0")["default"]["BACKEND"] == (
        "django.core.cache.backends.redis.RedisCache"
    )
    assert caches_config("")["default"]["BACKEND"] == (
        "django.core.cache.backends.locmem.LocMemCache"
    )
