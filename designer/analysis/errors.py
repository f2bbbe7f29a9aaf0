"""The one error the core raises for a flow it cannot accept."""

from __future__ import annotations

from collections.abc import Sequence


class FlowError(ValueError):
    """A flow that breaks a rule: the message says which, `field` and `keys` say where.

    `field` is a path into the flow document (``tasks[2].duration.likely``) so a form can put
    the message next to the input; `keys` lists the tasks involved (the tasks on a cycle).
    """

    def __init__(self, message: str, *, field: str | None = None, keys: Sequence[str] = ()):
        super().__init__(message)
        self.message = message
        self.field = field
        self.keys = tuple(keys)
