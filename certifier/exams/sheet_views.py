"""PLACEHOLDER: replaced by the helper building this part (not yet built)."""

from django.http import Http404


def download(*args, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404("Pas encore disponible.")


def upload(*args, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404("Pas encore disponible.")


def confirm(*args, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404("Pas encore disponible.")
