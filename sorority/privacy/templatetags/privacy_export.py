"""Template helpers to render an export document of plain JSON values."""

from django import template

register = template.Library()


@register.filter
def kind(value: object) -> str:
    """Return "dict", "list" or "scalar" for a JSON value."""
    if isinstance(value, dict):
        return "dict"
    if isinstance(value, list):
        return "list"
    return "scalar"
