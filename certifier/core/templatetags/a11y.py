"""Accessible form rendering: fields in error carry aria-invalid and point to their messages."""

from django import template
from django.forms import BoundField, Form
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


@register.filter
def has_required(form: Form) -> bool:
    return any(field.required for field in form.fields.values())


@register.filter
def error_count_title(form: Form) -> str:
    count = len(form.non_field_errors()) + sum(len(field.errors) for field in form)
    errors = "erreur" if count < 2 else "erreurs"
    return f"Le formulaire comporte {count} {errors} à corriger"


@register.filter
def first_input_id(field: BoundField) -> str:
    """The id an error links to: the field's input, or the first choice of a radio group."""
    return field.id_for_label or f"{field.auto_id}_0"
