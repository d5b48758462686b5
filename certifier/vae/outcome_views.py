"""Placeholder: filled by the VAE outcome work."""

from django.urls import URLPattern

routes: list[URLPattern] = []
