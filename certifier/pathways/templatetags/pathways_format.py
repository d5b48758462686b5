"""French formats for hours and amounts."""

from decimal import Decimal

from django import template

from certifier.pathways.rules import format_euros, format_hours

register = template.Library()


@register.filter
def euros(value: Decimal) -> str:
    return format_euros(value)


@register.filter
def hours(value: Decimal) -> str:
    return format_hours(value)
