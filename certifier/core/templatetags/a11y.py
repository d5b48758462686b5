"""Accessible form rendering: fields in error carry aria-invalid and point to their messages."""

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def accessible_widget(field: BoundField) -> SafeString:
    described_by = []
    if field.help_text:
        described_by.append(f"{field.auto_id}-aide")
    attrs: dict[str, str | bool] = {}
    if field.errors:
        described_by.append(f"{field.auto_id}-erreur")
        attrs["aria-invalid"] = "true"
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    return field.as_widget(attrs=attrs)
