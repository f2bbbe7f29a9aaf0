"""Fixtures every test file shares: the owner (alice), another user (bob), API clients."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from designer import services
from designer.models import Flow
from tests.factories import content_document


@pytest.fixture(autouse=True)
def _fresh_throttles() -> None:
    """Each test counts its own requests: throttle counts live in the cache."""
    from designer.throttling import throttles_reset

    throttles_reset()


@pytest.fixture
def alice(db: Any) -> Any:
    return get_user_model().objects.create_user("alice", password="alice-password-1")


@pytest.fixture
def bob(db: Any) -> Any:
    return get_user_model().objects.create_user("bob", password="bob-password-1")


@pytest.fixture
def api(alice: Any) -> APIClient:
    """Alice's API client, signed in with her session."""
    client = APIClient()
    client.force_login(alice)
    return client


@pytest.fixture
def bob_api(bob: Any) -> APIClient:
    client = APIClient()
    client.force_login(bob)
    return client


@pytest.fixture
def server(tmp_path: Any) -> Any:
    """The embedded server on a fresh database, with the local account and the examples."""
    from tests.embedded import Server

    running = Server(tmp_path)
    running.setup()
    yield running
    running.stop()


@pytest.fixture
def content_flow(alice: Any) -> Flow:
    """Alice's copy of the guide's content production flow (h = 0.5, s = 0.25)."""
    return services.flow_import(owner=alice, document=content_document())


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    """Against a database server that is not there, skip with the reason instead of erroring."""
    import socket

    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        return
    host, port = database.get("HOST") or "127.0.0.1", int(database.get("PORT") or 5432)
    try:
        socket.create_connection((host, port), timeout=2).close()
    except OSError:
        reason = f"the database server at {host}:{port} is not reachable"
        for item in items:
            item.add_marker(pytest.mark.skip(reason=reason))
