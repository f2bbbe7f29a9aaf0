"""Websocket authentication for API clients: `Authorization: Token …`, as on the API."""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.security.websocket import OriginValidator as HostsOriginValidator
from django.conf import settings
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


class OriginValidator(HostsOriginValidator):  # type: ignore[misc]
    """Browsers always send an Origin, and it must be one of our hosts. A client that sends
    no Origin is not a browser page; it may connect only with a token (checked further in)."""

    def __init__(self, application: Any):
        hosts = settings.ALLOWED_HOSTS or (
            ["localhost", "127.0.0.1", "[::1]"] if settings.DEBUG else []
        )
        super().__init__(application, hosts)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        if _header(scope, b"origin") is None and (
            _header(scope, b"authorization") or ""
        ).startswith("Token "):
            return await self.application(scope, receive, send)
        return await super().__call__(scope, receive, send)
