"""Placeholder until its helper writes it (removed before commit)."""

from django.http import Http404


def overview(request, *args, **kwargs):
    raise Http404


def write_flux(request, *args, **kwargs):
    raise Http404


def download_flux(request, *args, **kwargs):
    raise Http404


def load_receipt(request, *args, **kwargs):
    raise Http404
