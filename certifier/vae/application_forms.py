"""The forms of a VAE application up to its admissibility: input parsing only, the services decide."""

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet

from certifier.pathways.enums import Sex
from certifier.pathways.forms import DateInput
from certifier.people.enums import OrganisationKind
from certifier.people.models import Organisation
from certifier.referential.models import CertificationVersion

from .applications import ApplicationData, CandidateIdentity
from .enums import ApplicationStatus, PriorCertification
from .jury import vae_versions
from .models import VaeApplication


class VersionChoice(forms.ModelChoiceField[CertificationVersion]):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.certification.number} — {obj.certification.title} ({obj.label})"


class DetailsForm(forms.Form):
    """What the candidate or the CRFP may change while the application is a draft."""

    funder = forms.ModelChoiceField(
        label="Employeur financeur",
        queryset=Organisation.objects.filter(kind=OrganisationKind.EMPLOYER),
        required=False,
        empty_label="Aucun (financement personnel ou autre)",
        help_text="L'employeur qui finance la VAE en connaîtra le résultat.",
    )
    vae_leave = forms.BooleanField(label="Congé VAE", required=False)
    prior_certification = forms.ChoiceField(
        label="Certification antérieure de la Sécurité sociale",
        choices=[("", "Aucune"), *PriorCertification.choices],
        required=False,
        help_text="Obtenue entre juin 2009 et décembre 2013, elle permet une décision sur dossier seul.",
    )
    prior_certification_date = forms.DateField(
        label="Obtenue le", required=False, widget=DateInput(), help_text="Format : jj/mm/aaaa."
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        prior, when = data.get("prior_certification"), data.get("prior_certification_date")
        if prior and when is None and "prior_certification_date" not in self.errors:
            self.add_error(
                "prior_certification_date", "Indiquez la date d'obtention de la certification antérieure."
            )
        if when is not None and not prior:
            self.add_error(
                "prior_certification", "Choisissez la certification antérieure obtenue à cette date."
            )
        return data

    @classmethod
    def for_application(cls, application: VaeApplication, **kwargs: Any) -> "DetailsForm":
        initial = {
            "funder": application.funder_id,
            "vae_leave": application.vae_leave,
            "prior_certification": application.prior_certification,
            "prior_certification_date": application.prior_certification_date,
        }
        return cls(initial=initial, **kwargs)

    def application_data(
        self, version: CertificationVersion, training_centre: Organisation
    ) -> ApplicationData:
        data = self.cleaned_data
        return ApplicationData(
            version=version,
            training_centre=training_centre,
            funder=data["funder"],
            vae_leave=data["vae_leave"],
            prior_certification=data["prior_certification"],
            prior_certification_date=data["prior_certification_date"],
        )


class ApplicationForm(DetailsForm):
    """A new application: the certification and the CRFP chosen once, then the details."""

    version = VersionChoice(label="Certification visée", queryset=vae_versions(), empty_label=None)
    training_centre = forms.ModelChoiceField(
        label="CRFP qui suit la demande",
        queryset=Organisation.objects.filter(kind=OrganisationKind.TRAINING_CENTRE),
    )
    field_order = ["version", "training_centre"]

    def __init__(self, *args: Any, centres: QuerySet[Organisation] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].queryset = vae_versions()  # type: ignore[attr-defined]
        if centres is not None:
            self.fields["training_centre"].queryset = centres  # type: ignore[attr-defined]

    def new_application_data(self) -> ApplicationData:
        return self.application_data(self.cleaned_data["version"], self.cleaned_data["training_centre"])


class IdentityForm(forms.Form):
    """The person a CRFP files for: found by identity, or created with an account invited at their e-mail."""

    birth_name = forms.CharField(label="Nom de naissance", max_length=100)
    first_name = forms.CharField(label="Prénom", max_length=100)
    sex = forms.ChoiceField(label="Sexe", choices=Sex.choices)
    birth_date = forms.DateField(
        label="Date de naissance", widget=DateInput(), help_text="Format : jj/mm/aaaa."
    )
    birth_insee_code = forms.CharField(
        label="Code INSEE du lieu de naissance",
        max_length=5,
        help_text="5 caractères : la commune (2A ou 2B pour la Corse), ou 99 suivi du code du pays.",
    )
    email = forms.EmailField(
        label="Courriel du candidat",
        help_text="Un compte lui est ouvert à cette adresse s'il n'en a pas encore, pour compléter sa demande.",
    )
    employer = forms.ModelChoiceField(
        label="Employeur", queryset=Organisation.objects.filter(kind=OrganisationKind.EMPLOYER)
    )
    employee_number = forms.CharField(label="Matricule", max_length=50)

    def identity(self) -> CandidateIdentity:
        data = self.cleaned_data
        return CandidateIdentity(
            birth_name=data["birth_name"].strip(),
            first_name=data["first_name"].strip(),
            sex=data["sex"],
            birth_date=data["birth_date"],
            birth_insee_code=data["birth_insee_code"].strip().upper(),
            email=data["email"],
            employer=data["employer"],
            employee_number=data["employee_number"].strip(),
        )


class PeriodForm(forms.Form):
    """One period of experience of the livret 1."""

    employer_name = forms.CharField(label="Employeur", max_length=200)
    job = forms.CharField(label="Emploi occupé", max_length=200)
    start = forms.DateField(label="Du", widget=DateInput(), help_text="Premier jour de la période.")
    end = forms.DateField(label="Au", widget=DateInput(), help_text="Dernier jour de la période, inclus.")
    rate = forms.DecimalField(
        label="Quotité de travail (%)",
        min_value=Decimal("0.01"),
        max_value=Decimal(100),
        max_digits=5,
        decimal_places=2,
        initial=Decimal(100),
        help_text="100 pour un temps plein, 80 pour un temps partiel à 80 %.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", "La fin de la période ne peut pas précéder son début.")
        return data

    def period_values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.fields}


class AdmissibilityForm(forms.Form):
    """D63: the national administrator's decision, always reasoned."""

    admissible = forms.TypedChoiceField(
        label="Décision",
        choices=[("1", "Recevable"), ("0", "Non recevable")],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez « Recevable » ou « Non recevable »."},
    )
    reason = forms.CharField(
        label="Motif",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Il est communiqué au candidat par courriel.",
    )


class StatusFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="État", choices=[("", "Tous les états"), *ApplicationStatus.choices], required=False
    )
