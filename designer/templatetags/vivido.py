"""Numbers shown the same way on every page: rounded sensibly, always with their unit."""

from django import template

from designer.analysis.model import format_duration

register = template.Library()


@register.filter
def duration(value: float, unit: str) -> str:
    """31.75 with "hours" → "31.75 h"; at most two decimals, no trailing zeros."""
    return format_duration(value, unit)
