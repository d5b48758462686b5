from django.urls import path

from . import composition_views, deliberation_views, minutes_views, portal_views, views

app_name = "juries"

urlpatterns = [
    path("sessions-d-examen/<int:pk>/avis-du-jury-local/", views.local_opinions, name="local_opinions"),
    # the CPNEFP's lists, the juries of a session, the sitting (D51, D52)
    path("jury-national/listes/", composition_views.jury_lists, name="jury_lists"),
    path(
        "jury-national/listes/<int:pk>/retrait/",
        composition_views.jury_list_withdraw,
        name="jury_list_withdraw",
    ),
    path("sessions-d-examen/<int:pk>/jury-local/", composition_views.local_jury, name="local_jury"),
    path("sessions-d-examen/<int:pk>/jury-national/", composition_views.national_jury, name="national_jury"),
    path("sessions-d-examen/<int:pk>/jury-national/seance/", composition_views.sitting, name="sitting"),
    path("sessions-d-examen/<int:pk>/jury-national/conflits/", composition_views.conflicts, name="conflicts"),
    # the deliberation, original or amendment (D53)
    path("deliberations/<int:pk>/", deliberation_views.deliberation, name="deliberation"),
    path(
        "deliberations/<int:pk>/candidats/<int:registration>/",
        deliberation_views.decide,
        name="decide",
    ),
    # the signed minutes, proclamation, amendments (D54–D56)
    path("deliberations/<int:pk>/proces-verbal/", minutes_views.minutes, name="minutes"),
    path("deliberations/<int:pk>/proces-verbal.pdf", minutes_views.minutes_download, name="minutes_download"),
    path(
        "sessions-d-examen/<int:pk>/rectificatifs/nouveau/", minutes_views.amendment_new, name="amendment_new"
    ),
    # the results (D57)
    path("resultats/", portal_views.results_lookup, name="results_lookup"),
    path("mes-resultats/", portal_views.my_results, name="my_results"),
    path(
        "sessions-d-examen/<int:pk>/resultats-des-salaries/",
        portal_views.employer_results,
        name="employer_results",
    ),
]
