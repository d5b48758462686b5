"""Placeholder: filled by the VAE application work."""

from django.urls import URLPattern

routes: list[URLPattern] = []
