"""One written form for every moment the API and the feeds send: DRF's ISO 8601 in UTC with a
`Z` (`2026-11-25T20:40:53.123456Z`), the form its model serializers already use."""

from __future__ import annotations

from datetime import datetime

from rest_framework.fields import DateTimeField

_ISO_8601 = DateTimeField()


def iso_time(moment: datetime | None) -> str | None:
    return None if moment is None else _ISO_8601.to_representation(moment)
