"""Placeholder until its helper writes it (removed before commit)."""

from django.http import Http404


def verify(request, *args, **kwargs):
    raise Http404


def credential(request, *args, **kwargs):
    raise Http404
