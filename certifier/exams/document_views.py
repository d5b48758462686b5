"""PLACEHOLDER: replaced by the helper building this part (not yet built)."""

from django.http import Http404


def documents(*args, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404("Pas encore disponible.")


def download(*args, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404("Pas encore disponible.")


def own_convocation(*args, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404("Pas encore disponible.")
