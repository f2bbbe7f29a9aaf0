"""Throttles: password guessing per account and per address, expensive work per user; 429
with Retry-After, windows measured on a test clock, and a reset."""

from __future__ import annotations

import socket
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import override_settings
from rest_framework.test import APIClient

from designer.throttling import SettingsRateThrottle
from tests.factories import content_document

RATES = {"token": "3/min", "signin": "3/min", "expensive": "2/min"}


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: Any) -> Clock:
    """The throttles' timer, moved by hand."""
    clock = Clock()
    monkeypatch.setattr(SettingsRateThrottle, "timer", clock)
    return clock


@pytest.fixture(autouse=True)
def small_rates() -> Any:
    with override_settings(VIVIDO_THROTTLE_RATES=RATES):
        yield


def token(client: APIClient, username: str, password: str = "wrong", address: str = "10.0.0.1"):
    return client.post(
        "/api/auth/token/",
        {"username": username, "password": password},
        format="json",
        REMOTE_ADDR=address,
    )


def test_token_guesses_are_limited_per_account_whatever_the_address(alice, clock):
    client = APIClient()
    for n in range(3):
        assert token(client, "alice", address=f"10.0.0.{n}").status_code == 400
    refused = token(client, "Alice", "alice-password-1", address="10.0.0.99")
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    assert "throttled" in refused.json()["message"].lower()
    clock.now += 30
    assert token(client, "alice", "alice-password-1", address="10.0.0.7")["Retry-After"] == "30"
    clock.now += 31  # the window is over: the owner signs in
    assert token(client, "alice", "alice-password-1", address="10.0.0.7").status_code == 200


def test_token_guesses_are_limited_per_address_whatever_the_account(alice, clock):
    client = APIClient()
    for name in ("a", "b", "c"):
        assert token(client, name).status_code == 400
    assert token(client, "d").status_code == 429
    # Another address is not held up by this one.
    assert token(client, "alice", "alice-password-1", address="10.0.0.2").status_code == 200


def test_forwarded_for_is_not_trusted_without_proxies(alice, clock):
    client = APIClient()
    for n in range(3):
        client.post(
            "/api/auth/token/",
            {"username": f"u{n}", "password": "x"},
            format="json",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        )
    spoofed = client.post(
        "/api/auth/token/",
        {"username": "u9", "password": "x"},
        format="json",
        HTTP_X_FORWARDED_FOR="192.0.2.200",
    )
    assert spoofed.status_code == 429


def sign_in(client: Any, username: str, password: str = "wrong", address: str = "10.0.0.1"):
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_the_sign_in_page_says_to_wait_instead_of_an_error_page(alice, client, clock):
    for n in range(3):
        assert sign_in(client, "alice", address=f"10.1.0.{n}").status_code == 200
    refused = sign_in(client, "alice", "alice-password-1", address="10.1.0.9")
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    html = refused.content.decode()
    assert "Too many sign-in attempts. Wait 60 seconds and try again." in html
    assert 'value="alice"' in html
    assert "_auth_user_id" not in client.session
    clock.now += 61
    assert sign_in(client, "alice", "alice-password-1", address="10.1.0.9").status_code == 302


def test_the_sign_in_page_counts_per_address_too(alice, client, clock):
    for name in ("a", "b", "c"):
        sign_in(client, name)
    assert sign_in(client, "d").status_code == 429
    assert sign_in(client, "alice", "alice-password-1", address="10.1.0.50").status_code == 302


EXPENSIVE = [
    ("post", "/api/analyse/", lambda flow: content_document()),
    ("post", "/api/flows/{flow}/layout/", lambda flow: {}),
    ("post", "/api/flows/{flow}/routes/", lambda flow: content_document()),
    ("get", "/api/flows/{flow}/export/?format=dot", lambda flow: None),
    ("post", "/api/flows/{flow}/simulations/preview/", lambda flow: {"iterations": 10}),
    ("post", "/api/flows/{flow}/simulations/", lambda flow: {"iterations": 10}),
    ("post", "/api/flows/{flow}/runs/", lambda flow: {}),
]


@pytest.mark.parametrize(("method", "path", "body"), EXPENSIVE, ids=[e[1] for e in EXPENSIVE])
def test_expensive_requests_are_limited_per_user(
    api, bob_api, content_flow, clock, method, path, body
):
    url = path.format(flow=content_flow.pk)

    def call(client: APIClient) -> Any:
        return getattr(client, method)(url, body(content_flow), format="json")

    answers = [call(api).status_code for _ in range(2)]
    assert 429 not in answers, answers
    refused = call(api)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    # Bob's count is his own (his requests are refused for other reasons: not his flow).
    assert call(bob_api).status_code != 429
    clock.now += 61
    assert call(api).status_code != 429


def test_reading_is_not_counted_as_expensive(api, content_flow, clock):
    for _ in range(5):
        assert api.get(f"/api/flows/{content_flow.pk}/simulations/").status_code == 200
        assert api.get(f"/api/flows/{content_flow.pk}/runs/").status_code == 200


def test_reset_throttles_lets_the_owner_in_at_once(alice, clock):
    client = APIClient()
    for _ in range(3):
        token(client, "alice")
    assert token(client, "alice", "alice-password-1").status_code == 429
    out = StringIO()
    call_command("reset_throttles", stdout=out)
    assert "cleared" in out.getvalue()
    assert token(client, "alice", "alice-password-1").status_code == 200


def _redis_reachable() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _redis_reachable(), reason="no Redis server at 127.0.0.1:6379")
def test_counts_live_in_redis_when_redis_url_is_set(alice, clock):
    from designer.env import caches_config

    redis_caches = caches_config("redis://127.0.0.1:6379/15")
    redis_caches["default"]["KEY_PREFIX"] = "vivido-tests"
    with override_settings(CACHES=redis_caches):
        from django.core.cache import caches

        caches["default"].clear()
        client = APIClient()
        for _ in range(3):
            token(client, "alice")
        assert token(client, "alice", "alice-password-1").status_code == 429
        out = StringIO()
        call_command("reset_throttles", stdout=out)
        assert "in Redis" in out.getvalue()
        assert token(client, "alice", "alice-password-1").status_code == 200
        caches["default"].clear()
    assert get_user_model().objects.filter(username="alice").exists()
