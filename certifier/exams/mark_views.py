"""PLACEHOLDER: replaced by the helper building this part (not yet built)."""

from django.http import Http404


def grid(*args, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404("Pas encore disponible.")


def lock(*args, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404("Pas encore disponible.")


def mark_history(*args, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404("Pas encore disponible.")
