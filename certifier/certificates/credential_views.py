"""Placeholder until its helper writes it (removed before commit)."""

from django.http import Http404


def controller(request, *args, **kwargs):
    raise Http404


def status_list(request, *args, **kwargs):
    raise Http404
