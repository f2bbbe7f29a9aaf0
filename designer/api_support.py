"""The API's plumbing: one error shape for every refusal, a size-limited parser, ETags."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from designer.analysis.errors import FlowError
from designer.errors import DomainError, VersionConflict


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "payload_too_large"


class PreconditionRequired(exceptions.APIException):
    status_code = 428
    default_detail = "send If-Match with the ETag of the version you edited"
    default_code = "precondition_required"


class LimitedJSONParser(JSONParser):
    """JSON with a size cap: DRF reads the raw stream, past Django's own upload limit."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        limit = settings.VIVIDO_MAX_BODY_BYTES
        request = (parser_context or {}).get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        too_large = PayloadTooLarge(f"the request body is larger than the limit of {limit} bytes")
        if declared and declared.isdigit() and int(declared) > limit:
            raise too_large
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise too_large
        try:
            return json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
        except (ValueError, UnicodeDecodeError) as error:
            raise exceptions.ParseError(f"the body is not valid JSON: {error}") from None


def _refuse_constant(name: str) -> None:
    # Python's json reads NaN and Infinity, which JSON itself does not have.
    raise ValueError(f"{name} is not a JSON number")


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


def version_from_if_match(header: str | None) -> int | None:
    """The version a client claims to have edited; None for `*` (any version).

    A missing header is a 428 (the client must say what it edited); an unreadable one is a
    400: neither may silently overwrite.
    """
    if header is None or not header.strip():
        raise PreconditionRequired()
    value = header.strip()
    if value == "*":
        return None
    if value.startswith("W/"):
        value = value[2:]
    value = value.strip('"')
    if value.startswith("v") and value[1:].isdigit():
        return int(value[1:])
    raise exceptions.ParseError(
        f'If-Match must be an ETag from this API, like "v3"; got {header!r}'
    )
