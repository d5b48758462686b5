"""Placeholder until its helper writes it (removed before commit)."""

from django.http import Http404


def mine(request, *args, **kwargs):
    raise Http404


def download(request, *args, **kwargs):
    raise Http404
