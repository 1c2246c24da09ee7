"""Stored phone numbers (E.164) shown as people read them."""

from django import template

from sorority.core.validators import display_phone

register = template.Library()


@register.filter(name="phone")
def phone(value: str) -> str:
    return display_phone(value or "")
