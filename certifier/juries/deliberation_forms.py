"""The forms of the national jury's deliberation (D53): one candidate decided; proposals adopted in bulk."""

from collections.abc import Sequence
from typing import Any

from django import forms

from certifier.assessments.enums import BlockStatus
from certifier.referential.models import Block

from .deliberation import TEXT_MAX
from .models import JuryStatus

VOTES_MAX = 99
TICKED = "cochees"
FILTERED = "filtre"


def _votes(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=VOTES_MAX,
        error_messages={
            "invalid": "Saisissez un nombre entier de voix.",
            "min_value": "Un nombre de voix est positif ou nul.",
            "max_value": f"{VOTES_MAX} voix au plus.",
        },
    )


class DecisionForm(forms.Form):
    """The jury's decision on one candidate; in the blocks scheme, one status per block."""

    status = forms.ChoiceField(
        label="Décision du jury",
        choices=JuryStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez la décision du jury."},
    )
    reason = forms.CharField(
        label="Motif de la décision différente de la proposition",
        help_text=(
            "Obligatoire si la décision (ou un bloc) diffère de la proposition du moteur ou, dans un "
            "rectificatif, de la décision en vigueur."
        ),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    votes_for = _votes("Voix pour")
    votes_against = _votes("Voix contre")
    abstentions = _votes("Abstentions")
    comment = forms.CharField(
        label="Observations du jury pour le candidat",
        help_text="Communiquées au candidat avec ses résultats.",
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    fraud = forms.BooleanField(label="Fraude établie", required=False)

    def __init__(self, *args: Any, blocks: Sequence[Block] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.block_codes = [block.code for block in blocks]
        for block in blocks:
            self.fields[self.block_field(block.code)] = forms.ChoiceField(
                label=f"Bloc {block.code} — {block.title}",
                choices=[
                    ("", "Sans décision"),
                    *((s.value, s.label) for s in (BlockStatus.VALIDATED, BlockStatus.NOT_VALIDATED)),
                ],
                required=False,
            )

    @staticmethod
    def block_field(code: str) -> str:
        return f"bloc_{code}"

    @property
    def block_fields(self) -> list[forms.BoundField]:
        return [self[self.block_field(code)] for code in self.block_codes]

    def blocks(self) -> dict[str, str]:
        chosen = {code: self.cleaned_data.get(self.block_field(code)) or "" for code in self.block_codes}
        return {code: status for code, status in chosen.items() if status}
