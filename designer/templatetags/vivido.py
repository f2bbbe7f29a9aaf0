"""Numbers shown the same way on every page: rounded sensibly, always with their unit."""

from django import template

register = template.Library()

UNIT_ABBREVIATIONS = {"minutes": "min", "hours": "h", "days": "d", "weeks": "wk"}


@register.filter
def duration(value: float, unit: str) -> str:
    """31.75 with "hours" → "31.75 h"; at most two decimals, no trailing zeros."""
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{text} {UNIT_ABBREVIATIONS.get(unit, unit)}"
