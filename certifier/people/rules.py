"""Pure questions about people and organisations."""

from collections.abc import Iterable

from .enums import Role

EMPLOYER_SIDE_ROLES = {Role.TUTOR, Role.MANAGER, Role.EMPLOYER_HR}


def siret_error(siret: str) -> str | None:
    """French reason why `siret` is not a valid SIRET, or None when it is.

    A SIRET is 14 digits whose Luhn sum is a multiple of 10; La Poste's establishments
    (SIREN 356000000) use a plain digit sum that is a multiple of 5 instead.
    """
    if len(siret) != 14 or not siret.isdigit():
        return "Le SIRET doit comporter exactement 14 chiffres."
    digits = [int(c) for c in siret]
    if siret.startswith("356000000"):
        valid = sum(digits) % 5 == 0
    else:
        total = 0
        for index, digit in enumerate(reversed(digits)):
            if index % 2 == 1:
                digit *= 2
                if digit > 9:
                    digit -= 9
            total += digit
        valid = total % 10 == 0
    return None if valid else "Le SIRET est invalide (clé de contrôle incorrecte)."


def appointment_error(
    label: str, roles: Iterable[tuple[int, str]], employer_id: int, *, is_staff: bool = False
) -> str | None:
    """D10: the tutor and the manager sign the logbook for the candidate's employer. A person who
    holds any other role, or a role in another organisation (a CRFP's staff, another employer's
    HR, a candidate, an administrator), may not be appointed; `roles` are their (organisation id,
    role) pairs."""
    if not is_staff and all(
        organisation == employer_id and role in EMPLOYER_SIDE_ROLES for organisation, role in roles
    ):
        return None
    return (
        f"{label} doit être une personne de l'organisme employeur du candidat : cette adresse est celle "
        "d'un compte qui exerce un autre rôle sur la plateforme."
    )


def same_person_error(tutor_email: str, manager_email: str) -> str | None:
    """D10: two signatures, hence two different people."""
    if tutor_email and tutor_email.lower() == manager_email.lower():
        return "Le tuteur et le manager doivent être deux personnes différentes : chacun signe le carnet de suivi."
    return None
