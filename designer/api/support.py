"""The API's plumbing: one error shape for every refusal, ETags and If-Match.

Request bodies are parsed in `designer.parsing`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from designer.analysis.errors import FlowError
from designer.errors import DomainError, VersionConflict


class DocsPermission(permissions.BasePermission):
    """The schema and API docs: signed-in users, or anyone with VIVIDO_PUBLIC_API_DOCS."""

    def has_permission(self, request: Any, view: Any) -> bool:
        return bool(settings.VIVIDO_PUBLIC_API_DOCS or request.user.is_authenticated)


def one_of(choices: Sequence[str], **kwargs: Any) -> serializers.CharField:
    """A string out of `choices`, documented as an enum of its own: several sets of states
    share the field name `state`, and named enums of one name would collide."""
    field = serializers.CharField(**kwargs)
    return extend_schema_field({"type": "string", "enum": list(choices)})(field)  # type: ignore[no-any-return]


class PreconditionRequired(exceptions.APIException):
    status_code = 428
    default_detail = "send If-Match with the ETag of the version you edited"
    default_code = "precondition_required"


def exception_handler(error: Exception, context: dict[str, Any]) -> Response | None:
    """Every refusal as `{"message": …, "fields": …}`: one shape for clients to read."""
    if isinstance(error, FlowError):
        body: dict[str, Any] = {"message": error.message, "keys": list(error.keys)}
        if error.field:
            body["fields"] = {error.field: error.message}
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(error, DomainError):
        body = {"message": error.message}
        if error.field:
            body["fields"] = {error.field: error.message}
        if isinstance(error, VersionConflict):
            body["version"] = error.current_version
        return Response(body, status=error.status)
    response = drf_exception_handler(error, context)
    if response is None:
        return None
    detail = response.data
    if isinstance(detail, dict) and set(detail) == {"detail"}:
        response.data = {"message": str(detail["detail"])}
    elif isinstance(detail, dict):
        field, message = _first_error(detail)
        response.data = {
            "message": message if field == "non_field_errors" else f"{field}: {message}",
            "fields": detail,
        }
    elif isinstance(detail, list):
        response.data = {"message": _first_error(detail)[1]}
    return response


def _first_error(detail: Any, path: str = "") -> tuple[str, str]:
    """The first message in DRF's nested errors and the dotted path of its field."""
    if isinstance(detail, dict) and detail:
        key, inner = next(iter(detail.items()))
        step = f"[{key}]" if isinstance(key, int) else (f".{key}" if path else str(key))
        return _first_error(inner, path + step)
    if isinstance(detail, list) and detail:
        first = detail[0]
        return _first_error(first, path) if isinstance(first, dict | list) else (path, str(first))
    return path, str(detail)


def etag_for(version: int) -> str:
    return f'"v{version}"'


# RFC 9110 §8.8.3: entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE, in a comma-separated list.
_ENTITY_TAG = re.compile(r'\s*(W/)?"([^"]*)"\s*(?:,|$)')


def if_none_match_hits(header: str | None, version: int) -> bool:
    """Whether `If-None-Match` names the current version (RFC 9110 §13.1.2): `*`, or any
    tag in the list by weak comparison (`W/"v3"` and `"v3"` are alike here)."""
    if header is None or not header.strip():
        return False
    if header.strip() == "*":
        return True
    tags = _ENTITY_TAG.findall(header)
    return any(opaque == f"v{version}" for _, opaque in tags)


def versions_from_if_match(header: str | None) -> frozenset[int] | None:
    """The versions an `If-Match` header would match (RFC 9110 §13.1.1); None for `*`.

    The comparison is strong: a weak tag (`W/"v3"`) never matches, nor does a tag this API
    did not make, nor an unreadable header; what matches nothing is an empty set, which the
    save answers with 412. A missing header is a 428: the client must say what it edited.
    """
    if header is None or not header.strip():
        raise PreconditionRequired()
    value = header.strip()
    if value == "*":
        return None
    versions = set()
    position = 0
    while position < len(value):
        match = _ENTITY_TAG.match(value, position)
        if match is None:
            return frozenset()  # not a list of entity tags: nothing it names can match
        weak, opaque = match.groups()
        if not weak and opaque.startswith("v") and opaque[1:].isdigit():
            versions.add(int(opaque[1:]))
        position = match.end()
    return frozenset(versions)
