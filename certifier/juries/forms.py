from typing import Any

from django import forms

from .services import ARGUMENT_MAX

FAVOURABLE = "favorable"
UNFAVOURABLE = "defavorable"


class OpinionForm(forms.Form):
    """The local jury's opinion on one candidate; prefixed by the registration, one form per row."""

    opinion = forms.ChoiceField(
        label="Avis du jury local",
        choices=[(FAVOURABLE, "Favorable à l'attribution"), (UNFAVOURABLE, "Défavorable (non-attribution)")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez un avis favorable ou défavorable."},
    )
    argument = forms.CharField(
        label="Argumentaire pour le jury national",
        help_text="Obligatoire pour un avis défavorable.",
        required=False,
        max_length=ARGUMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("opinion") == UNFAVOURABLE and not (data.get("argument") or "").strip():
            self.add_error(
                "argument", "Un avis de non-attribution est argumenté pour le jury national : saisissez-le."
            )
        return data

    @property
    def favourable(self) -> bool:
        return bool(self.cleaned_data["opinion"] == FAVOURABLE)
