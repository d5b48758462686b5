"""The VAE jury's forms (D65, D66): input parsing only, the services in `jury.py` decide."""

from datetime import datetime
from typing import Any

from django import forms
from django.utils import timezone

from certifier.pathways.enums import Sex
from certifier.pathways.forms import DateInput
from certifier.referential.models import CertificationVersion

from .jury import CAPACITY_MAX, PLACE_MAX, REASON_MAX, schedulable_applications, vae_versions
from .models import VaeApplication, VaeJurySession


class VersionChoiceField(forms.ModelChoiceField[CertificationVersion]):
    def label_from_instance(self, obj: CertificationVersion) -> str:
        return f"{obj.certification.title} — {obj.label}"


class ApplicationChoiceField(forms.ModelChoiceField[VaeApplication]):
    def label_from_instance(self, obj: VaeApplication) -> str:
        submitted = timezone.localtime(obj.dossier_submitted_at) if obj.dossier_submitted_at else None
        return obj.candidate.display_name + (
            f" — dossier déposé le {submitted:%d/%m/%Y}" if submitted else ""
        )


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self) -> None:
        super().__init__(format="%H:%M")


def _time_field(required: bool) -> forms.TimeField:
    return forms.TimeField(
        label="Heure de l'entretien",
        required=required,
        widget=TimeInput(),
        input_formats=["%H:%M"],
        error_messages={
            "required": "Indiquez l'heure de l'entretien.",
            "invalid": "Saisissez une heure (HH:MM).",
        },
    )


def _on_session_day(session: VaeJurySession, data: dict[str, Any]) -> datetime | None:
    time = data.get("interview_time")
    if time is None:
        return None
    return timezone.make_aware(datetime.combine(session.held_on, time))


class SessionForm(forms.Form):
    version = VersionChoiceField(
        label="Certification",
        queryset=vae_versions(),
        empty_label=None,
        error_messages={"required": "Choisissez la certification."},
    )
    held_on = forms.DateField(
        label="Date de la séance",
        widget=DateInput(),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={
            "required": "Indiquez la date.",
            "invalid": "Saisissez une date valide (JJ/MM/AAAA).",
        },
    )
    place = forms.CharField(
        label="Lieu", max_length=PLACE_MAX, error_messages={"required": "Indiquez le lieu de la séance."}
    )


class MemberForm(forms.Form):
    email = forms.EmailField(
        label="Adresse électronique du compte",
        help_text="Le compte détient le rôle « Jury VAE » ; ses nom et prénom sont repris au procès-verbal.",
        error_messages={
            "required": "Indiquez l'adresse du compte.",
            "invalid": "Saisissez une adresse valide.",
        },
    )
    capacity = forms.CharField(
        label="Qualité",
        max_length=CAPACITY_MAX,
        help_text="Par exemple : représentant des salariés, professionnel du métier.",
        error_messages={"required": "Indiquez la qualité du membre."},
    )
    sex = forms.ChoiceField(
        label="Sexe",
        choices=Sex.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Indiquez le sexe du membre."},
    )
    qualified = forms.BooleanField(label="Qualifié pour la certification", required=False)
    president = forms.BooleanField(label="Président du jury (voix prépondérante)", required=False)


class ScheduleForm(forms.Form):
    def __init__(self, *args: Any, session: VaeJurySession, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.session = session
        self.fields["application"] = ApplicationChoiceField(
            label="Candidat",
            queryset=schedulable_applications(session),
            help_text="Les dossiers déposés pour cette certification, pas encore inscrits devant un jury.",
            error_messages={
                "required": "Choisissez le candidat.",
                "invalid_choice": "Choisissez un candidat de la liste.",
            },
        )
        self.fields["interview_time"] = _time_field(required=False)
        self.fields[
            "interview_time"
        ].help_text = (
            f"Le {session.held_on:%d/%m/%Y}. Laissez vide pour un candidat jugé sur son dossier seul."
        )

    @property
    def interview_at(self) -> datetime | None:
        return _on_session_day(self.session, self.cleaned_data)


class InterviewRequestForm(forms.Form):
    reason = forms.CharField(
        label="Motif de la demande d'entretien",
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Indiquez pourquoi le jury souhaite entendre le candidat."},
    )


class InterviewSlotForm(forms.Form):
    def __init__(self, *args: Any, session: VaeJurySession, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.session = session
        self.fields["interview_time"] = _time_field(required=True)

    @property
    def interview_at(self) -> datetime | None:
        return _on_session_day(self.session, self.cleaned_data)
