from collections.abc import Iterator, Mapping
from typing import Any

from django import forms
from django.db.models import QuerySet

from certifier.referential.enums import SituationKind
from certifier.referential.models import AssessmentMethod, Block, Competence, Criterion

from .enums import CONFIRMED_STATUSES, Score
from .models import CriterionResult
from .rules import requirements_of
from .services import AttestationData, CriterionScore, ObservationData


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


def date_field(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=DateInput(),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={
            "required": "Indiquez la date.",
            "invalid": "Saisissez une date valide (JJ/MM/AAAA).",
        },
    )


class CompetenceChoiceField(forms.ModelChoiceField[Competence]):
    def label_from_instance(self, obj: Competence) -> str:
        return f"{obj.block.code} — compétence {obj.number} : {obj.title}"


class AttestationForm(forms.Form):
    competence = CompetenceChoiceField(
        label="Compétence maîtrisée",
        queryset=Competence.objects.none(),
        error_messages={"required": "Choisissez la compétence attestée."},
    )
    observed_on = date_field("Date de la situation")
    situation = forms.CharField(
        label="Situation de travail",
        help_text="La situation réelle de travail dans laquelle la compétence a été mise en œuvre.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Décrivez la situation de travail."},
    )
    comment = forms.CharField(
        label="Commentaire", required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )

    def __init__(self, *args: Any, competences: QuerySet[Competence], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["competence"].queryset = competences  # type: ignore[attr-defined]

    def attestation_data(self) -> AttestationData:
        data = self.cleaned_data
        return AttestationData(data["competence"], data["observed_on"], data["situation"], data["comment"])


class WithdrawalForm(forms.Form):
    reason = forms.CharField(
        label="Motif du retrait",
        help_text="L'attestation reste visible dans le carnet, barrée, avec ce motif.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Indiquez le motif du retrait."},
    )


COUNT_LABELS: dict[str, str] = {
    SituationKind.INTERVIEW: "Nombre d'entretiens menés",
    SituationKind.LETTERS_EMAILS: "Nombre de courriers/courriels traités",
    SituationKind.CASE_PROCESSING: "Nombre de dossiers traités",
}


def _minutes_field(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={"invalid": "Saisissez un nombre entier."},
    )


class ObservationForm(forms.Form):
    """The fields of one assessment method: its situations (minutes or counts), its durations,
    its questioning and the competences a presentation covers. Empty numbers count as zero."""

    observed_on = date_field("Date de l'épreuve")

    def __init__(self, *args: Any, method: AssessmentMethod, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        requirements = requirements_of(method)
        self.situation_kinds = [requirement.kind for requirement in requirements.situation_kinds()]
        for requirement in requirements.situation_kinds():
            label = SituationKind(requirement.kind).label
            if requirement.minutes is not None:
                self.fields[requirement.kind] = _minutes_field(f"{label} : durée observée (en minutes)")
            else:
                self.fields[requirement.kind] = _minutes_field(
                    COUNT_LABELS.get(requirement.kind, f"{label} : nombre")
                )
        if requirements.observation_minutes is not None:
            self.fields["observation_minutes"] = _minutes_field("Durée de l'observation (en minutes)")
        if requirements.questioning_throughout:
            self.fields["questioning_throughout"] = forms.BooleanField(
                label="Le questionnement s'est déroulé tout au long de l'observation", required=False
            )
        if requirements.questioning_minutes is not None:
            self.fields["questioning_minutes"] = _minutes_field(
                "Durée du questionnement en entretien (en minutes)"
            )
        if requirements.min_competences_covered is not None:
            self.fields["competences_covered"] = forms.ModelMultipleChoiceField(
                label="Compétences du bloc abordées dans la présentation",
                queryset=method.block.competences.all(),
                widget=forms.CheckboxSelectMultiple,
                required=False,
            )
        self.fields["notes"] = forms.CharField(
            label="Observations de l'évaluateur",
            required=False,
            widget=forms.Textarea(attrs={"rows": 4}),
            max_length=5000,
        )

    def observation_data(self) -> ObservationData:
        data = self.cleaned_data
        return ObservationData(
            observed_on=data["observed_on"],
            situations={kind: data[kind] or 0 for kind in self.situation_kinds},
            observation_minutes=data.get("observation_minutes"),
            questioning_minutes=data.get("questioning_minutes"),
            questioning_throughout=data.get("questioning_throughout", False),
            competences_covered=list(data.get("competences_covered", [])),
            notes=data["notes"],
        )


class ScoringForm(forms.Form):
    """The grid: per criterion, « Validé / Non validé » (« Non évalué » until scored) and a comment."""

    def __init__(
        self, *args: Any, block: Block, results: Mapping[int, CriterionResult], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.block = block
        self.criteria: list[Criterion] = []
        for competence in block.competences.all():
            for criterion in competence.criteria.all():
                self._add_criterion(criterion, results.get(criterion.pk))

    def _add_criterion(self, criterion: Criterion, result: CriterionResult | None) -> None:
        self.criteria.append(criterion)
        number = f"{criterion.competence.number}.{criterion.position}"
        if result is None:
            choices, initial = Score.choices, Score.NOT_ASSESSED
        else:
            choices = [(score.value, score.label) for score in (Score.VALIDATED, Score.NOT_VALIDATED)]
            initial = Score.VALIDATED if result.validated else Score.NOT_VALIDATED
        self.fields[f"score-{criterion.pk}"] = forms.ChoiceField(
            label=f"Critère {number}",
            choices=choices,
            widget=forms.RadioSelect,
            required=False,
            initial=initial,
        )
        self.fields[f"comment-{criterion.pk}"] = forms.CharField(
            label=f"Commentaire sur le critère {number}",
            required=False,
            widget=forms.Textarea(attrs={"rows": 2}),
            max_length=2000,
            initial="" if result is None else result.comment,
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for criterion in self.criteria:
            if data.get(f"comment-{criterion.pk}") and not data.get(f"score-{criterion.pk}"):
                self.add_error(
                    f"comment-{criterion.pk}",
                    "Choisissez « Validé » ou « Non validé » avant de commenter ce critère.",
                )
        return data

    def groups(
        self,
    ) -> Iterator[tuple[Competence, list[tuple[Criterion, forms.BoundField, forms.BoundField]]]]:
        """One fieldset per competence: each criterion with its score and its comment."""
        for competence in self.block.competences.all():
            rows = [
                (criterion, self[f"score-{criterion.pk}"], self[f"comment-{criterion.pk}"])
                for criterion in competence.criteria.all()
            ]
            yield competence, rows

    def scores(self) -> dict[Criterion, CriterionScore]:
        data = self.cleaned_data
        return {
            criterion: CriterionScore(
                {Score.VALIDATED: True, Score.NOT_VALIDATED: False}.get(data[f"score-{criterion.pk}"]),
                data[f"comment-{criterion.pk}"],
            )
            for criterion in self.criteria
        }


class DecisionForm(forms.Form):
    confirmed_status = forms.ChoiceField(
        label="Décision de l'évaluateur",
        choices=[(status.value, status.label) for status in CONFIRMED_STATUSES],
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez « Validé » ou « Non validé »."},
    )
    override_reason = forms.CharField(
        label="Motif",
        help_text="Obligatoire si votre décision diffère de la proposition du moteur de décision.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
