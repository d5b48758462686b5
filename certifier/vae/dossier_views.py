"""Placeholder: filled by the VAE dossier work."""

from django.urls import URLPattern

routes: list[URLPattern] = []
