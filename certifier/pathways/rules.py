"""Pure questions about candidates and enrolments."""

import re
from datetime import date

INSEE_CODE = re.compile(r"^(\d{5}|2[AB]\d{3})$")


def insee_code_error(code: str) -> str | None:
    """A birth commune (5 characters, 2A/2B for Corsica) or a country of birth (99 + 3 digits)."""
    if INSEE_CODE.match(code):
        return None
    return (
        "Le code INSEE de naissance doit comporter 5 caractères (ex. 33063, 2A004, ou 99 suivi du code pays)."
    )


def prerequisite_error(pre_recruitment_date: date | None, start: date) -> str | None:
    """D3: the candidate is pre-recruited on a Gestionnaire conseil post before entering the path."""
    if pre_recruitment_date is None:
        return "Prérequis manquant : la date de pré-recrutement sur un poste de Gestionnaire conseil est obligatoire (D3)."
    if pre_recruitment_date > start:
        return (
            f"Prérequis non rempli : le pré-recrutement ({pre_recruitment_date:%d/%m/%Y}) doit précéder "
            f"l'entrée en parcours ({start:%d/%m/%Y})."
        )
    return None
