from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from certifier.exams.models import Registration
from certifier.pathways.forms import DateInput
from certifier.people.enums import OrganisationKind, Role
from certifier.people.models import Organisation

from .composition import (
    CAPACITY_MAX,
    CONFEDERATION_MAX,
    NAME_MAX,
    PLACE_MAX,
    REASON_MAX,
    SEATS_PER_CONFEDERATION,
    ListMemberData,
    LocalMemberData,
)
from .models import College, JuryListMember, JuryMember
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


# the juries' composition (D20, D51, D52)


def _date_field(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=DateInput(),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={
            "required": "Indiquez la date.",
            "invalid": "Saisissez une date valide (JJ/MM/AAAA).",
        },
    )


class ListMemberForm(forms.Form):
    """A person added to the CPNEFP's lists."""

    last_name = forms.CharField(label="Nom", max_length=NAME_MAX)
    first_name = forms.CharField(label="Prénom", max_length=NAME_MAX)
    college = forms.ChoiceField(
        label="Collège",
        choices=College.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez le collège salarié ou le collège employeur."},
    )
    confederation = forms.CharField(
        label="Confédération syndicale",
        help_text="Pour le collège salarié seulement (par exemple CFDT, CGT, CGT-FO, CFTC, CFE-CGC).",
        required=False,
        max_length=CONFEDERATION_MAX,
    )
    capacity = forms.CharField(label="Qualité", max_length=CAPACITY_MAX)
    email = forms.EmailField(
        label="Adresse électronique du compte",
        help_text="Facultatif : le compte d'une personne qui détient le rôle « Jury national paritaire » à la CPNEFP.",
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        confederation = (data.get("confederation") or "").strip()
        if data.get("college") == College.EMPLOYEES and not confederation:
            self.add_error("confederation", "Indiquez la confédération syndicale représentée.")
        if data.get("college") == College.EMPLOYERS and confederation:
            self.add_error(
                "confederation", "Un membre du collège employeur ne représente aucune confédération."
            )
        return data

    def data_object(self) -> ListMemberData:
        data = self.cleaned_data
        return ListMemberData(
            last_name=data["last_name"],
            first_name=data["first_name"],
            college=data["college"],
            confederation=data["confederation"],
            capacity=data["capacity"],
            email=data["email"] or "",
        )


class ListMemberChoice(forms.ModelMultipleChoiceField[JuryListMember]):
    def label_from_instance(self, obj: JuryListMember) -> str:
        college = obj.confederation or obj.get_college_display()
        return f"{obj.last_name.upper()} {obj.first_name} — {college}, {obj.capacity}"


class ChairChoice(forms.ModelChoiceField[Any]):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.get_full_name() or obj.email} ({obj.email})"


class AppointmentForm(forms.Form):
    """The CPNEFP appoints the national jury of a session (D52)."""

    place = forms.CharField(label="Lieu de réunion", max_length=PLACE_MAX)
    chair = ChairChoice(
        label="Présidence du jury (Ucanss, sans voix délibérative)",
        queryset=get_user_model().objects.none(),
        empty_label="Choisissez un administrateur national",
        error_messages={"required": "Choisissez le président du jury."},
    )
    employees = ListMemberChoice(
        label="Collège salarié",
        help_text=f"Au plus {SEATS_PER_CONFEDERATION} représentants par confédération syndicale.",
        queryset=JuryListMember.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choisissez les membres du collège salarié."},
    )
    employers = ListMemberChoice(
        label="Collège employeur",
        help_text="Autant de membres que le collège salarié.",
        queryset=JuryListMember.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choisissez les membres du collège employeur."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        active = JuryListMember.objects.filter(active=True)
        self.fields["employees"].queryset = active.filter(college=College.EMPLOYEES)  # type: ignore[attr-defined]
        self.fields["employers"].queryset = active.filter(college=College.EMPLOYERS)  # type: ignore[attr-defined]
        self.fields["chair"].queryset = (  # type: ignore[attr-defined]
            get_user_model()
            .objects.filter(
                memberships__role=Role.NATIONAL_ADMIN,
                memberships__organisation__kind=OrganisationKind.CERTIFIER,
                is_active=True,
            )
            .distinct()
            .order_by("last_name", "first_name", "email")
        )

    quorum_both_colleges = forms.BooleanField(
        label="Quorum : les deux collèges présents", required=False, initial=True
    )
    quorum_majority = forms.BooleanField(
        label="Quorum : majorité absolue des membres votants présents", required=False, initial=True
    )

    def members(self) -> list[JuryListMember]:
        return [*self.cleaned_data["employees"], *self.cleaned_data["employers"]]


class OpenDeliberationForm(forms.Form):
    held_on = _date_field("Date de la séance")
    place = forms.CharField(label="Lieu de la séance", max_length=PLACE_MAX)


class SeatChoice(forms.ModelMultipleChoiceField[JuryMember]):
    def label_from_instance(self, obj: JuryMember) -> str:
        return seat_label(obj)


def seat_label(member: JuryMember) -> str:
    if not member.votes:
        return f"{member.last_name.upper()} {member.first_name} — présidence du jury (Ucanss, sans voix délibérative)"
    college = member.get_college_display()
    if member.confederation:
        college = f"{college} ({member.confederation})"
    return f"{member.last_name.upper()} {member.first_name} — {college}, {member.capacity}"


class AttendanceForm(forms.Form):
    present = SeatChoice(
        label="Membres présents",
        queryset=JuryMember.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args: Any, members: QuerySet[JuryMember], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["present"].queryset = members  # type: ignore[attr-defined]


class OneSeatChoice(forms.ModelChoiceField[JuryMember]):
    def label_from_instance(self, obj: JuryMember) -> str:
        return seat_label(obj)


class RegistrationChoice(forms.ModelChoiceField[Registration]):
    def label_from_instance(self, obj: Registration) -> str:
        return f"{obj.candidate_number} — {obj.enrolment.candidate.display_name}"


class ConflictForm(forms.Form):
    """A conflict of interest of a member with a candidate, chosen from the list or by candidate number."""

    member = OneSeatChoice(
        label="Membre du jury",
        queryset=JuryMember.objects.none(),
        empty_label="Choisissez le membre",
        error_messages={"required": "Choisissez le membre du jury."},
    )
    registration = RegistrationChoice(
        label="Candidat",
        queryset=Registration.objects.none(),
        required=False,
        empty_label="Choisissez dans la liste ou saisissez le numéro",
    )
    candidate_number = forms.CharField(label="ou numéro de candidat", required=False, max_length=20)
    reason = forms.CharField(
        label="Nature du lien",
        help_text="Par exemple : collègue direct, lien familial.",
        required=False,
        max_length=REASON_MAX,
    )

    def __init__(
        self,
        *args: Any,
        members: QuerySet[JuryMember],
        registrations: QuerySet[Registration],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.registrations = registrations
        self.fields["member"].queryset = members  # type: ignore[attr-defined]
        self.fields["registration"].queryset = registrations  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = data.get("registration")
        number = "".join((data.get("candidate_number") or "").split()).upper()
        if number:
            found = self.registrations.filter(candidate_number=number).first()
            if found is None:
                self.add_error("candidate_number", "Aucun candidat de cette session ne porte ce numéro.")
            elif chosen is not None and chosen != found:
                self.add_error(
                    "candidate_number", "Ce numéro ne correspond pas au candidat choisi dans la liste."
                )
            else:
                data["registration"] = found
        elif chosen is None and "registration" not in self.errors:
            self.add_error("registration", "Choisissez le candidat ou saisissez son numéro de candidat.")
        return data


class LocalMemberForm(forms.Form):
    """A member of a CRFP's local jury (D51)."""

    training_centre = forms.ModelChoiceField(
        label="CRFP",
        queryset=Organisation.objects.none(),
        empty_label=None,
    )
    last_name = forms.CharField(label="Nom", max_length=NAME_MAX)
    first_name = forms.CharField(label="Prénom", max_length=NAME_MAX)
    capacity = forms.CharField(
        label="Qualité",
        help_text="Par exemple : formateur, manager, représentant du métier.",
        max_length=CAPACITY_MAX,
    )
    email = forms.EmailField(
        label="Adresse électronique du compte",
        help_text="Facultatif : le compte d'une personne qui détient le rôle « Jury local » à ce CRFP.",
        required=False,
    )

    def __init__(self, *args: Any, centres: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["training_centre"]
        field.queryset = centres  # type: ignore[attr-defined]
        if len(centres) == 1:
            field.widget = forms.HiddenInput()
            field.initial = centres[0].pk

    def data_object(self) -> LocalMemberData:
        data = self.cleaned_data
        return LocalMemberData(
            training_centre=data["training_centre"],
            last_name=data["last_name"],
            first_name=data["first_name"],
            capacity=data["capacity"],
            email=data["email"] or "",
        )
