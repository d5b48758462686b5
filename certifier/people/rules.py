"""Pure questions about people and organisations."""


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
