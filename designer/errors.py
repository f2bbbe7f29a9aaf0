"""Errors the design services raise; the API's exception handler turns each into a response."""

from __future__ import annotations


class DomainError(Exception):
    """A request the domain refuses: `status` and a message naming what is wrong."""

    status = 400

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class LimitExceeded(DomainError):
    """A flow larger than this deployment accepts (a setting, not a rule of the method)."""


class VersionConflict(DomainError):
    """Someone saved the flow since the client read it: nothing was changed."""

    status = 412

    def __init__(self, message: str, *, current_version: int):
        super().__init__(message)
        self.current_version = current_version
