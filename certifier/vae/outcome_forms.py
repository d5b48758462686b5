"""The VAE jury's forms: its decision on one candidacy, the president's signature of the minutes."""

from collections.abc import Sequence
from typing import Any

from django import forms

from certifier.referential.models import Block

from .outcome import TEXT_MAX

CASTING_CHOICES = [
    ("", "Sans objet (pas d'égalité des voix)"),
    ("for", "Pour la décision"),
    ("against", "Contre la décision"),
]
CONFIRM = (
    "Je confirme que le procès-verbal est complet : sa signature rend les décisions du jury VAE "
    "définitives et délivre les certificats."
)


def _votes(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        initial=0,
        error_messages={
            "required": "Saisissez un nombre de voix (0 s'il n'y en a aucune).",
            "invalid": "Saisissez un nombre entier de voix.",
            "min_value": "Un nombre de voix est positif ou nul.",
        },
    )


class DecisionForm(forms.Form):
    """One candidacy's decision: a checkbox per block of the version (those already held say so), the
    argument, the vote and, on a tie, the president's casting vote."""

    argument = forms.CharField(
        label="Motivation de la décision",
        help_text="Toujours rédigée ; elle figure au procès-verbal et est communiquée au candidat.",
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "La décision du jury VAE est toujours motivée : rédigez la motivation."},
    )
    votes_for = _votes("Voix pour")
    votes_against = _votes("Voix contre")
    abstentions = _votes("Abstentions")
    casting_vote = forms.ChoiceField(
        label="Voix prépondérante du président",
        help_text="Seulement en cas d'égalité des voix pour et contre.",
        choices=CASTING_CHOICES,
        required=False,
    )

    def __init__(self, *args: Any, blocks: Sequence[Block], held: set[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.block_codes = [block.code for block in blocks]
        for block in blocks:
            self.fields[f"block_{block.code}"] = forms.BooleanField(
                label=f"Bloc {block.code} — {block.title} : validé",
                help_text="Déjà acquis par le candidat (capitalisé)." if block.code in held else "",
                required=False,
            )
        self.order_fields([f"block_{code}" for code in self.block_codes])

    @property
    def block_fields(self) -> list[forms.BoundField]:
        return [self[f"block_{code}"] for code in self.block_codes]

    def decision(self) -> dict[str, Any]:
        """The service's keyword arguments, from the cleaned data."""
        data = self.cleaned_data
        casting = {"": None, "for": True, "against": False}[data["casting_vote"]]
        return {
            "blocks": {code: data[f"block_{code}"] for code in self.block_codes},
            "argument": data["argument"],
            "votes_for": data["votes_for"],
            "votes_against": data["votes_against"],
            "abstentions": data["abstentions"],
            "casting_vote": casting,
        }


class SignForm(forms.Form):
    confirm = forms.BooleanField(
        label=CONFIRM,
        error_messages={
            "required": "Cochez la case de confirmation : le procès-verbal n'est signé qu'une fois confirmé complet."
        },
    )
