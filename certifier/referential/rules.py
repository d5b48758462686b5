"""Pure questions about the referential."""

from datetime import date


def enrolment_refusal(
    number: str, registration_end: date | None, valid_from: date | None, start: date
) -> str | None:
    """Why an enrolment starting on `start` is refused, or None when it is accepted (D5).

    Registry validity is enforced for new enrolments only: candidates who started before the
    end of registration keep going under the version they enrolled in.
    """
    if registration_end is not None and start > registration_end:
        return (
            f"La certification {number} n'accepte plus d'entrée en parcours après le "
            f"{registration_end:%d/%m/%Y} (fin d'enregistrement au RNCP) : la date d'entrée "
            f"du {start:%d/%m/%Y} est refusée."
        )
    if valid_from is not None and start < valid_from:
        return (
            f"Cette version de la certification {number} n'est applicable qu'à partir du "
            f"{valid_from:%d/%m/%Y} : la date d'entrée du {start:%d/%m/%Y} est refusée."
        )
    return None
