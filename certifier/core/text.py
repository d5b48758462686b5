"""French numbers in sentences: « 1 234 lignes », « 0 erreur », never « erreur(s) »."""


def thousands(number: int) -> str:
    return f"{number:,}".replace(",", " ")


def count(number: int, singular: str, plural: str) -> str:
    """French agrees the singular with 0 and 1: « 0 ligne lue », « 1 ligne lue », « 2 lignes lues »."""
    return f"{thousands(number)} {singular if number <= 1 else plural}"
