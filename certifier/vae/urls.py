"""The VAE pages: each views module lists its routes (one namespace, `vae:`)."""

from . import application_views, dossier_views, jury_views, outcome_views

app_name = "vae"

urlpatterns = [
    *application_views.routes,
    *dossier_views.routes,
    *jury_views.routes,
    *outcome_views.routes,
]
