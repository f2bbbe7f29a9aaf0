"""Websocket authentication for API clients: `Authorization: Token …`, as on the API."""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host
from rest_framework.authtoken.models import Token


def _header(scope: dict[str, Any], name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


@database_sync_to_async
def _token_user(key: str) -> Any:
    token = Token.objects.select_related("user").filter(key=key).first()
    return token.user if token and token.user.is_active else None


class TokenAuthMiddleware:
    """Sets the scope's user from a Token header; without one, the session's user stays."""

    def __init__(self, inner: Any):
        self.inner = inner

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        header = _header(scope, b"authorization")
        if header and header.startswith("Token "):
            user = await _token_user(header.removeprefix("Token ").strip())
            scope = {**scope, "user": user}
        return await self.inner(scope, receive, send)


class OriginValidator:
    """A browser's websocket must come from a page of this very site: its Origin's scheme,
    host and port equal the address it connected to (whose host is one of ours), or it is
    one of DJANGO_CSRF_TRUSTED_ORIGINS (behind a proxy). The same rule as Django's CSRF
    check. A client that sends no Origin is not a browser page; it may connect only with a
    token (checked further in)."""

    def __init__(self, application: Any):
        self.application = application

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        origin = _header(scope, b"origin")
        if origin is None and (_header(scope, b"authorization") or "").startswith("Token "):
            return await self.application(scope, receive, send)
        if origin is not None and _same_site(scope, origin):
            return await self.application(scope, receive, send)
        denier = WebsocketDenier()
        return await denier(scope, receive, send)


def _same_site(scope: dict[str, Any], origin: str) -> bool:
    if origin in settings.CSRF_TRUSTED_ORIGINS:
        return True
    host = _header(scope, b"host")
    if not host:
        return False
    hostname, _ = split_domain_port(host)
    if not hostname or not validate_host(hostname, _allowed_hosts()):
        return False
    scheme = "https" if scope.get("scheme") == "wss" else "http"
    return origin == f"{scheme}://{host}"


def _allowed_hosts() -> list[str]:
    if settings.ALLOWED_HOSTS:
        return list(settings.ALLOWED_HOSTS)
    return ["localhost", "127.0.0.1", "[::1]"] if settings.DEBUG else []
