"""Placeholder: filled by the VAE jury work."""

from django.urls import URLPattern

routes: list[URLPattern] = []
