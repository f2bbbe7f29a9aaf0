"""Serves the browser libraries npm installed: exactly the files pages load, nothing more."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import Error
from django.core.files.storage import FileSystemStorage

PREFIX = "vendor"


class NodeModulesFinder(BaseFinder):
    """`vendor/<package>/<file>` for each file listed in `VIVIDO_VENDOR_FILES`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.files: list[str] = list(settings.VIVIDO_VENDOR_FILES)
        self.storage = FileSystemStorage(location=settings.NODE_MODULES)
        self.storage.prefix = PREFIX  # type: ignore[attr-defined]

    def check(self, **kwargs: Any) -> list[Error]:
        missing = [f for f in self.files if not (settings.NODE_MODULES / f).is_file()]
        if not missing:
            return []
        return [
            Error(
                f"browser libraries are missing from {settings.NODE_MODULES}: {', '.join(missing)}",
                hint="Run `npm ci` (the Makefile's install step does).",
                id="vivido.E001",
            )
        ]

    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> str | list[str]:
        found: list[str] = []
        relative = path.removeprefix(f"{PREFIX}/")
        if path.startswith(f"{PREFIX}/") and relative in self.files:
            found.append(str(settings.NODE_MODULES / relative))
        if find_all or kwargs.get("all"):
            return found
        return found[0] if found else []

    def list(self, ignore_patterns: Any) -> Iterator[tuple[str, FileSystemStorage]]:
        for relative in self.files:
            yield relative, self.storage
