from django.urls import path

from . import views

app_name = "assessments"

urlpatterns = [
    path("inscriptions/<int:pk>/carnet/", views.logbook, name="logbook"),
    path("inscriptions/<int:pk>/carnet/attester/", views.attestation_create, name="attestation_create"),
    path("attestations/<int:pk>/signer/", views.attestation_sign, name="attestation_sign"),
    path("attestations/<int:pk>/retirer/", views.attestation_withdraw, name="attestation_withdraw"),
    path("inscriptions/<int:pk>/resultats/", views.results, name="results"),
    path(
        "inscriptions/<int:pk>/blocs/<int:block_pk>/evaluation/",
        views.block_assessment,
        name="block_assessment",
    ),
    path("inscriptions/<int:pk>/blocs/<int:block_pk>/decision/", views.block_decision, name="block_decision"),
    path(
        "inscriptions/<int:pk>/modalites/<int:method_pk>/observation/",
        views.observation_create,
        name="observation_create",
    ),
]
