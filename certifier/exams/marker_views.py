"""PLACEHOLDER: replaced by the helper building this part (not yet built)."""

from django.http import Http404


def markers(*args, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404("Pas encore disponible.")


def lift_anonymity(*args, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404("Pas encore disponible.")
