from dataclasses import replace
from datetime import date
from typing import Any

from django import forms
from django.db.models import QuerySet

from certifier.pathways.forms import date_field
from certifier.pathways.models import Enrolment
from certifier.people.models import Organisation
from certifier.referential.models import CertificationVersion

from .models import ExamSession, LocalJuryDate, SessionKind
from .rules import Calendar, calendar_errors, local_jury_date_error

# The largest marking sheet accepted (2,500 rows weigh about 150 KiB).
SHEET_MAX_BYTES = 10 * 1024 * 1024
DATES = ("registration_deadline", "written_exam_date", "oral_start", "oral_end", "national_jury_date")


class SessionForm(forms.Form):
    version = forms.ModelChoiceField(
        label="Certification", queryset=CertificationVersion.objects.select_related("certification")
    )
    kind = forms.ChoiceField(label="Type de session", choices=SessionKind.choices)
    year = forms.IntegerField(label="Année", min_value=2000, max_value=2100)
    catch_up_of = forms.ModelChoiceField(
        label="Session rattrapée",
        required=False,
        queryset=ExamSession.objects.exclude(kind=SessionKind.CATCH_UP).select_related(
            "version__certification"
        ),
        help_text="Pour une session de rattrapage seulement.",
    )
    registration_deadline = date_field("Date limite d'inscription")
    written_exam_date = date_field("Date de l'épreuve écrite")
    oral_start = date_field("Début des oraux")
    oral_end = date_field("Fin des oraux")
    national_jury_date = date_field(
        "Date du jury national", help_text="Au plus tard un mois après la dernière épreuve, sauf dérogation."
    )
    derogation_reason = forms.CharField(
        label="Motif de dérogation",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Obligatoire si le jury national se réunit plus d'un mois après la dernière épreuve.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if all(data.get(name) for name in DATES):
            dates = Calendar(**{name: data[name] for name in DATES})
            for field, message in calendar_errors(dates, data.get("derogation_reason", "")).items():
                self.add_error(field, message)
        kind, caught_up = data.get("kind"), data.get("catch_up_of")
        if kind == SessionKind.CATCH_UP and caught_up is None:
            self.add_error("catch_up_of", "Indiquez la session que ce rattrapage rattrape.")
        if kind and kind != SessionKind.CATCH_UP and caught_up is not None:
            self.add_error("catch_up_of", "Seule une session de rattrapage rattrape une autre session.")
        return data


class EnrolmentChoice(forms.ModelMultipleChoiceField[Enrolment]):
    def label_from_instance(self, obj: Enrolment) -> str:
        return f"{obj.candidate.display_name} — {obj.training_centre.name}"


class RegisterForm(forms.Form):
    enrolments = EnrolmentChoice(
        label="Candidats à inscrire",
        queryset=Enrolment.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choisissez au moins un candidat à inscrire."},
    )

    def __init__(self, *args: Any, candidates: QuerySet[Enrolment], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["enrolments"].queryset = candidates  # type: ignore[attr-defined]


class LocalJuryDatesForm(forms.Form):
    """One optional date per CRFP (D45); an emptied date is unset."""

    def __init__(
        self,
        *args: Any,
        session: ExamSession,
        centres: list[Organisation],
        current: dict[int, LocalJuryDate],
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.session = session
        self.centres = {f"centre_{centre.pk}": centre for centre in centres}
        for name, centre in self.centres.items():
            self.fields[name] = date_field(centre.name, required=False)
            if centre.pk in current:
                self.initial[name] = current[centre.pk].date

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in self.centres:
            if data.get(name) and (error := local_jury_date_error(self.session.dates, data[name])):
                self.add_error(name, error)
        return data

    def dates(self) -> dict[Organisation, date | None]:
        return {centre: self.cleaned_data.get(name) for name, centre in self.centres.items()}


class NationalJuryDateForm(forms.Form):
    """D58: the national jury's date moved after the session's creation, with the derogation's reason
    when it lies more than one month after the last exam."""

    national_jury_date = SessionForm.base_fields["national_jury_date"]
    derogation_reason = SessionForm.base_fields["derogation_reason"]

    def __init__(self, *args: Any, session: ExamSession, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "national_jury_date": session.national_jury_date,
                "derogation_reason": session.derogation_reason,
            },
        )
        super().__init__(*args, **kwargs)
        self.session = session

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if day := data.get("national_jury_date"):
            dates = replace(self.session.dates, national_jury_date=day)
            errors = calendar_errors(dates, data.get("derogation_reason", ""))
            for field in ("national_jury_date", "derogation_reason"):
                if field in errors:
                    self.add_error(field, errors[field])
        return data


class MarkerForm(forms.Form):
    email = forms.EmailField(
        label="Adresse électronique du correcteur",
        help_text=(
            "Une personne qui n'exerce aucun autre rôle sur la plateforme. Si elle n'a pas encore de compte, "
            "elle reçoit une invitation à choisir son mot de passe."
        ),
    )


class SheetForm(forms.Form):
    file = forms.FileField(
        label="Feuille de notes remplie (.xlsx)",
        help_text="La feuille téléchargée pour cette épreuve, notes saisies dans la colonne « Note ». 10 Mo au plus.",
        widget=forms.FileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
        error_messages={"required": "Choisissez la feuille de notes à déposer."},
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > SHEET_MAX_BYTES:
            raise forms.ValidationError("Le fichier dépasse la taille maximale de 10 Mo.")
        return upload
