"""Reading the audit log: the filters of the national administrators' page and the rows they select."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.apps import apps
from django.db.models import QuerySet
from django.utils import timezone

from certifier.core.enums import AuditAction
from certifier.core.models import AuditEvent


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label="Action", required=False, choices=[("", "Toutes"), *AuditAction.choices])
    object_type = forms.ChoiceField(label="Type d'objet", required=False)
    object_id = forms.CharField(label="Identifiant de l'objet", required=False, max_length=64)
    actor = forms.CharField(
        label="Auteur", required=False, max_length=254, help_text="Adresse électronique, ou une partie."
    )
    since = forms.DateField(label="Du", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label="Au", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        types = AuditEvent.objects.order_by("object_type").values_list("object_type", flat=True).distinct()
        object_type = self.fields["object_type"]
        assert isinstance(object_type, forms.ChoiceField)
        object_type.choices = [("", "Tous"), *((label, type_label(label)) for label in types)]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", "La date de fin doit suivre la date de début.")
        return cleaned

    def events(self) -> QuerySet[AuditEvent]:
        events = AuditEvent.objects.select_related("actor").order_by("-at", "-id")
        if not self.is_valid():
            return events.none()
        data = self.cleaned_data
        if data["action"]:
            events = events.filter(action=data["action"])
        if data["object_type"]:
            events = events.filter(object_type=data["object_type"])
        if data["object_id"]:
            events = events.filter(object_id=data["object_id"].strip())
        if data["actor"]:
            events = events.filter(actor__email__icontains=data["actor"].strip())
        if data["since"]:
            events = events.filter(at__gte=_day_start(data["since"]))
        if data["until"]:
            events = events.filter(at__lt=_day_start(data["until"]) + timedelta(days=1))
        return events


def _day_start(day: Any) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def type_label(object_type: str) -> str:
    """`pathways.Enrolment` → « Inscription »."""
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return object_type
    return str(model._meta.verbose_name).capitalize()


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str


def changes(event: AuditEvent) -> list[Change]:
    """The fields of an event by their French names, each value before and after as a person reads
    it (dates in French, yes/no, choices by their label; « — » when absent)."""
    before, after = event.before or {}, event.after or {}
    fields = _fields(event.object_type)
    return [
        Change(
            str(fields[name].verbose_name) if name in fields else name.replace("_", " "),
            readable_value(before.get(name), fields.get(name)),
            readable_value(after.get(name), fields.get(name)),
        )
        for name in dict.fromkeys([*before, *after])
    ]


def _fields(object_type: str) -> dict[str, Any]:
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return {}
    return {field.name: field for field in model._meta.get_fields() if hasattr(field, "verbose_name")}


def readable_value(value: Any, field: Any = None) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, dict):
        return " ; ".join(f"{key} : {readable_value(item)}" for key, item in value.items())
    if isinstance(value, list):
        return ", ".join(readable_value(item) for item in value)
    choices = dict(getattr(field, "choices", None) or [])
    if value in choices:
        return str(choices[value])
    if isinstance(value, str):
        return _readable_date(value)
    return str(value)


def _readable_date(text: str) -> str:
    """ISO dates and times as written in France; any other text as it is."""
    if len(text) == 10:
        try:
            return date.fromisoformat(text).strftime("%d/%m/%Y")
        except ValueError:
            return text
    if len(text) > 10 and text[10] == "T":
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return text
        return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M") if timezone.is_aware(moment) else text
    return text
