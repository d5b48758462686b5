from django.urls import path

from . import registry_views, views

app_name = "referential"

urlpatterns = [
    path("certifications/", views.certification_list, name="certification_list"),
    path("certifications/<str:number>/", views.certification_detail, name="certification_detail"),
    path(
        "certifications/<str:number>/historique/", views.certification_history, name="certification_history"
    ),
    path("registre/import/", registry_views.registry_upload, name="registry_upload"),
    path("referentiel/criteres/<int:pk>/modifier/", views.criterion_edit, name="criterion_edit"),
    path(
        "referentiel/competences/<int:competence_pk>/criteres/ajouter/",
        views.criterion_add,
        name="criterion_add",
    ),
]
