from datetime import timedelta
from typing import Any

from django import forms
from django.db.models import Q, QuerySet

from certifier.people.enums import Role
from certifier.people.models import Employer, Organisation, TrainingCentre, User
from certifier.referential.enums import AccessRouteKind
from certifier.referential.models import AccessRoute, Block, Certification, CertificationVersion, Option

from .enums import Sex
from .importers import MAX_BYTES
from .models import Enrolment, Module, TrainingPath, TrainingSession
from .permissions import assessor_organisations
from .services import CANDIDATE_FIELDS, EnrolmentData


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


def registration_ends() -> str:
    """Said before the form is sent: the registry dates after which no one may start a path."""
    ends = [
        f"le {certification.registration_end:%d/%m/%Y} pour le {certification.number}"
        for certification in Certification.objects.exclude(registration_end=None).order_by("number")
    ]
    if not ends:
        return ""
    return (
        "Une entrée en parcours après la fin d'enregistrement au RNCP est refusée : " + ", ".join(ends) + "."
    )


def date_field(label: str, required: bool = True, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=DateInput(),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={"invalid": "Saisissez une date valide (JJ/MM/AAAA)."},
    )


def centres_for(centre_ids: set[int] | None) -> QuerySet[Organisation]:
    centres = TrainingCentre.objects.all()
    return centres if centre_ids is None else centres.filter(pk__in=centre_ids)


def option_choices() -> list[tuple[str, str]]:
    """Options by code: versions of a certification share their options."""
    return list(dict.fromkeys(Option.objects.order_by("id").values_list("code", "title")))


def open_route_choices(current: str | None) -> list[tuple[str, str]]:
    """D4: the routes open for a certification, and the enrolment's own route when it has closed since."""
    kinds = set(AccessRoute.objects.filter(is_open=True).values_list("kind", flat=True))
    return [(kind, label) for kind, label in AccessRouteKind.choices if kind in kinds or kind == current]


class VersionChoiceField(forms.ModelChoiceField[CertificationVersion]):
    def label_from_instance(self, obj: CertificationVersion) -> str:
        return f"{obj.certification.number} — {obj.label}"


class EnrolmentForm(forms.Form):
    """A single candidate's identity, employment and enrolment. Without `enrolment` it enrols a new
    candidate; with it, it edits that enrolment, whose certification version cannot change (D5)."""

    birth_name = forms.CharField(label="Nom de naissance", max_length=100)
    usage_name = forms.CharField(label="Nom d'usage", max_length=100, required=False)
    first_name = forms.CharField(label="Prénom", max_length=100)
    other_first_names = forms.CharField(label="Autres prénoms", max_length=200, required=False)
    sex = forms.ChoiceField(label="Sexe", choices=[("", "—"), *Sex.choices])
    birth_date = date_field("Date de naissance")
    birth_insee_code = forms.CharField(
        label="Code INSEE de naissance",
        max_length=5,
        help_text="Code de la commune de naissance, ou 99 suivi du code du pays pour une naissance à l'étranger.",
    )
    email = forms.EmailField(label="Courriel", required=False)
    employer = forms.ModelChoiceField(label="Organisme employeur", queryset=Employer.objects.all())
    employee_number = forms.CharField(label="Matricule", max_length=50)
    post = forms.CharField(label="Poste occupé", max_length=200, required=False)
    pre_recruitment_date = date_field(
        "Date de pré-recrutement",
        required=False,
        help_text="Obligatoire, sauf pour une candidature par la VAE : le candidat est pré-recruté sur un "
        "poste de Gestionnaire conseil avant son entrée en parcours.",
    )
    version = VersionChoiceField(
        label="Certification", queryset=CertificationVersion.objects.select_related("certification")
    )
    option = forms.ChoiceField(label="Option", required=False)
    access_route = forms.ChoiceField(label="Voie d'accès", choices=[("", "—"), *AccessRouteKind.choices])
    training_centre = forms.ModelChoiceField(label="CRFP", queryset=TrainingCentre.objects.all())
    tutor_email = forms.EmailField(
        label="Courriel du tuteur",
        required=False,
        help_text="Une personne de l'organisme employeur, autre que le manager. "
        "Une adresse inconnue reçoit par courriel une invitation à choisir son mot de passe.",
    )
    manager_email = forms.EmailField(
        label="Courriel du manager",
        required=False,
        help_text="Une personne de l'organisme employeur, autre que le tuteur. "
        "Une adresse inconnue reçoit par courriel une invitation à choisir son mot de passe.",
    )
    start_date = date_field("Date d'entrée en parcours")

    SECTIONS = [
        (
            "Identité",
            [
                "birth_name",
                "usage_name",
                "first_name",
                "other_first_names",
                "sex",
                "birth_date",
                "birth_insee_code",
                "email",
            ],
        ),
        ("Emploi", ["employer", "employee_number", "post", "pre_recruitment_date"]),
        (
            "Inscription",
            [
                "version",
                "option",
                "access_route",
                "training_centre",
                "tutor_email",
                "manager_email",
                "start_date",
            ],
        ),
    ]

    def __init__(
        self, *args: Any, centre_ids: set[int] | None, enrolment: Enrolment | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.enrolment = enrolment
        self.fields["training_centre"].queryset = centres_for(centre_ids)  # type: ignore[attr-defined]
        self.fields["option"].choices = [("", "—"), *option_choices()]  # type: ignore[attr-defined]
        self.fields["access_route"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *open_route_choices(enrolment.access_route if enrolment else None),
        ]
        if enrolment is not None:
            del self.fields["version"]
        self.fields["start_date"].help_text = registration_ends()

    def sections(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [
            (title, [self[name] for name in names if name in self.fields]) for title, names in self.SECTIONS
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        version = self.enrolment.version if self.enrolment else data.get("version")
        data["option"] = self._option(version, data.get("option", ""))
        data["birth_insee_code"] = data.get("birth_insee_code", "").upper()
        return data

    def _option(self, version: CertificationVersion | None, code: str) -> Option | None:
        if version is None or not code:
            return None
        option = version.options.filter(code=code).first()
        if option is None:
            self.add_error("option", "Cette option n'existe pas dans la version choisie de la certification.")
        return option

    def enrolment_data(self) -> EnrolmentData:
        values = dict(self.cleaned_data)
        if self.enrolment is not None:
            values["version"] = self.enrolment.version
        return EnrolmentData(**values)

    @staticmethod
    def initial_for(enrolment: Enrolment) -> dict[str, Any]:
        candidate = enrolment.candidate
        initial = {name: getattr(candidate, name) for name in CANDIDATE_FIELDS}
        initial |= {
            "option": enrolment.option.code if enrolment.option else "",
            "access_route": enrolment.access_route,
            "training_centre": enrolment.training_centre_id,
            "tutor_email": enrolment.tutor.email if enrolment.tutor else "",
            "manager_email": enrolment.manager.email if enrolment.manager else "",
            "start_date": enrolment.start_date,
            "employer": candidate.employer_id,
        }
        return initial


class EnrolmentFilterForm(forms.Form):
    q = forms.CharField(label="Nom ou matricule", required=False)
    training_centre = forms.ModelChoiceField(
        label="CRFP", queryset=TrainingCentre.objects.all(), required=False, empty_label="Tous"
    )
    access_route = forms.ChoiceField(
        label="Voie d'accès", choices=[("", "Toutes"), *AccessRouteKind.choices], required=False
    )
    option = forms.ChoiceField(label="Option", required=False)

    def __init__(self, *args: Any, centre_ids: set[int] | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["option"].choices = [("", "Toutes"), *option_choices()]  # type: ignore[attr-defined]
        if centre_ids is not None and len(centre_ids) < 2:
            del self.fields["training_centre"]
        else:
            self.fields["training_centre"].queryset = centres_for(centre_ids)  # type: ignore[attr-defined]

    def apply(self, enrolments: QuerySet[Enrolment]) -> QuerySet[Enrolment]:
        if not self.is_valid():
            return enrolments
        data = self.cleaned_data
        if query := data["q"].strip():
            enrolments = enrolments.filter(
                Q(candidate__birth_name__icontains=query)
                | Q(candidate__usage_name__icontains=query)
                | Q(candidate__first_name__icontains=query)
                | Q(candidate__employee_number__icontains=query)
            )
        if data.get("training_centre"):
            enrolments = enrolments.filter(training_centre=data["training_centre"])
        if data["access_route"]:
            enrolments = enrolments.filter(access_route=data["access_route"])
        if data["option"]:
            enrolments = enrolments.filter(option__code=data["option"])
        return enrolments


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Fichier des candidats (.xlsx ou .csv)",
        help_text="Colonnes du modèle, dans le même ordre. CSV : séparateur « ; », encodage UTF-8. 10 Mo et 20 000 lignes au plus.",
        error_messages={"required": "Choisissez le fichier à importer."},
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                "Le fichier dépasse la taille maximale de 10 Mo : découpez-le en plusieurs fichiers."
            )
        return upload


class TrainingSessionForm(forms.Form):
    path = forms.ModelChoiceField(label="Parcours", queryset=TrainingPath.objects.all())
    training_centre = forms.ModelChoiceField(label="CRFP", queryset=TrainingCentre.objects.all())
    start_date = date_field("Date de début")
    end_date = date_field("Date de fin")

    def __init__(self, *args: Any, centre_ids: set[int] | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["training_centre"].queryset = centres_for(centre_ids)  # type: ignore[attr-defined]


class AttendanceForm(forms.Form):
    """For each module of the candidate's path, the session where they attended it (or none)."""

    def __init__(
        self, *args: Any, enrolment: Enrolment, modules: list[Module], attended: dict[int, int], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.modules = modules
        earliest = enrolment.start_date - timedelta(days=365)
        sessions = TrainingSession.objects.filter(
            Q(start_date__gte=earliest) | Q(pk__in=attended.values()),
            path__in={module.path_id for module in modules},
        ).select_related("path", "training_centre")
        by_path: dict[int, list[TrainingSession]] = {}
        for session in sessions:
            by_path.setdefault(session.path_id, []).append(session)
        self.sessions = {session.pk: session for session in sessions}
        for module in modules:
            choices = [("", "Non suivi")] + [
                (str(s.pk), _session_label(s)) for s in by_path.get(module.path_id, [])
            ]
            self.fields[f"module_{module.pk}"] = forms.ChoiceField(
                label=f"{module.title} ({module.duration_label})", choices=choices, required=False
            )
            self.initial[f"module_{module.pk}"] = str(attended.get(module.pk, ""))

    def groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        groups: dict[str, list[forms.BoundField]] = {}
        for module in self.modules:
            groups.setdefault(module.path.title, []).append(self[f"module_{module.pk}"])
        return list(groups.items())

    def sessions_by_module(self) -> dict[Module, TrainingSession | None]:
        chosen = {module: self.cleaned_data[f"module_{module.pk}"] for module in self.modules}
        return {module: self.sessions[int(pk)] if pk else None for module, pk in chosen.items()}


def _session_label(session: TrainingSession) -> str:
    return f"{session.training_centre.name}, du {session.start_date:%d/%m/%Y} au {session.end_date:%d/%m/%Y}"


class FundingRequestForm(forms.Form):
    pass_already_funded = forms.BooleanField(
        label="La prise en charge de Pass a déjà été demandée : la demande ne couvre que Prem'ss et l'option.",
        required=False,
    )


class AssessorAssignmentForm(forms.Form):
    assessor = forms.ModelChoiceField(
        label="Évaluateur",
        queryset=User.objects.none(),
        error_messages={
            "required": "Choisissez un évaluateur.",
            "invalid_choice": "Cet évaluateur n'existe pas.",
        },
    )
    block = forms.ModelChoiceField(
        label="Bloc évalué",
        queryset=Block.objects.none(),
        required=False,
        empty_label="Tous les blocs",
    )

    def __init__(self, *args: Any, enrolment: Enrolment, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assessor"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            memberships__role=Role.ASSESSOR,
            memberships__organisation_id__in=assessor_organisations(enrolment),
        ).distinct()
        self.fields["block"].queryset = enrolment.version.blocks.all()  # type: ignore[attr-defined]
