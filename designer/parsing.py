"""Every request body the API reads, parsed with limits: size, depth, numbers JSON has.

One JSON reader (`json_load`) serves the JSON parser, the flow document files uploaded on
import and anything else that reads JSON a client sent. What it refuses is a 400 that says
why (a body over the size limit is a 413), never a server error: Python's `json` reads NaN,
Infinity and 1e400 (as inf), and 5,000 nested arrays exhaust its recursion (RecursionError,
which is not a ValueError).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
from django.conf import settings
from django.core.exceptions import (
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from rest_framework import exceptions, parsers, status

MAX_DEPTH = 200  # levels of arrays and objects; a flow document needs four
MAX_INTEGER = 2**64  # larger whole numbers are refused: nothing here counts that far
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKETS = np.zeros(256, dtype=np.int8)  # +1 for each opening bracket, -1 for each closing
_BRACKETS[list(b"[{")] = 1
_BRACKETS[list(b"]}")] = -1


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "payload_too_large"


class JSONRefused(ValueError):
    """JSON that is valid or nearly so, but that Vivido does not read: why, in words."""


def json_load(raw: bytes | str, *, what: str = "the body") -> Any:
    """`raw` as JSON, or `ParseError` saying why not (never RecursionError or inf)."""
    data = raw.encode("utf-8") if isinstance(raw, str) else raw
    try:
        depth = json_depth(data)
        if depth > MAX_DEPTH:
            raise JSONRefused(f"it is nested {depth} levels deep; at most {MAX_DEPTH} are read")
        return json.loads(
            data.decode("utf-8"),
            parse_constant=_refuse_constant,
            parse_float=_finite_float,
            parse_int=_bounded_int,
        )
    except RecursionError:
        message = f"{what} is nested too deeply to read; at most {MAX_DEPTH} levels are"
        raise exceptions.ParseError(message) from None
    except JSONRefused as error:
        raise exceptions.ParseError(f"{what} is refused: {error}") from None
    except (ValueError, UnicodeDecodeError) as error:
        raise exceptions.ParseError(f"{what} is not valid JSON: {error}") from None


def json_depth(data: bytes) -> int:
    """How deeply arrays and objects nest in `data`, read without parsing it.

    Strings are blanked first so that brackets inside them do not count; the running depth
    is then a cumulative sum over the brackets (linear, in C).
    """
    skeleton = _STRING.sub(b'""', data)
    codes = np.frombuffer(skeleton, dtype=np.uint8)
    if codes.size == 0:
        return 0
    return int(np.cumsum(_BRACKETS[codes], dtype=np.int64).max(initial=0))


def _refuse_constant(name: str) -> None:
    # Python's json reads NaN and Infinity, which JSON itself does not have.
    raise JSONRefused(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise JSONRefused(f"the number {_short(text)} is too large")
    return value


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > 20:
        raise JSONRefused(f"the number {_short(text)} is too large")
    value = int(text)
    if abs(value) >= MAX_INTEGER:
        raise JSONRefused(f"the number {_short(text)} is too large")
    return value


def _short(text: str) -> str:
    return text if len(text) <= 24 else f"{text[:20]}… ({len(text)} digits)"


def _limit() -> int:
    return int(settings.VIVIDO_MAX_BODY_BYTES)


def _too_large() -> PayloadTooLarge:
    return PayloadTooLarge(f"the request body is larger than the limit of {_limit()} bytes")


def _check_declared_length(parser_context: Any) -> None:
    request = (parser_context or {}).get("request")
    declared = request.META.get("CONTENT_LENGTH") if request is not None else None
    if declared and str(declared).isdigit() and int(declared) > _limit():
        raise _too_large()


def read_limited(stream: Any) -> bytes:
    """At most the body limit from `stream`; more is a 413."""
    limit = _limit()
    raw = stream.read(limit + 1) if stream is not None else b""
    if len(raw) > limit:
        raise _too_large()
    return bytes(raw)


class JSONParser(parsers.JSONParser):
    """JSON with a size cap (413), a depth cap and only numbers JSON has (400)."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        _check_declared_length(parser_context)
        return json_load(read_limited(stream))


class FormParser(parsers.FormParser):
    """URL-encoded forms within the body limit and Django's count of fields."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        _check_declared_length(parser_context)
        raw = read_limited(stream)
        with _form_limits():
            return super().parse(_Bytes(raw), media_type, parser_context)


class MultiPartParser(parsers.MultiPartParser):
    """Multipart forms (file uploads) within the body limit and Django's counts."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        _check_declared_length(parser_context)
        with _form_limits():
            return super().parse(stream, media_type, parser_context)


@contextmanager
def _form_limits() -> Iterator[None]:
    """Django's refusals of a form (too big, too many fields or files) as API errors."""
    try:
        yield
    except RequestDataTooBig:
        raise _too_large() from None
    except (TooManyFieldsSent, TooManyFilesSent) as error:
        raise exceptions.ParseError(f"the form is refused: {error}") from None


class _Bytes:
    def __init__(self, data: bytes):
        self.data = data

    def read(self, size: int = -1) -> bytes:
        return self.data


PARSERS = [JSONParser, FormParser, MultiPartParser]
