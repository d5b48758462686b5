from django.urls import path

from . import document_views, mark_views, marker_views, outcome_views, sheet_views, views

app_name = "exams"

session = "sessions-d-examen/<int:pk>/"
marks = session + "notes/<slug:exam>/"

urlpatterns = [
    path("sessions-d-examen/", views.session_list, name="session_list"),
    path("sessions-d-examen/nouvelle/", views.session_create, name="session_create"),
    path(session, views.session_detail, name="session_detail"),
    path(session + "inscrire/", views.session_register, name="session_register"),
    path(session + "jurys-locaux/", views.local_jury_dates, name="local_jury_dates"),
    # marks, online (mark_views) and through a marking sheet (sheet_views)
    path(marks, mark_views.grid, name="mark_grid"),
    path(marks + "verrouiller/", mark_views.lock, name="mark_lock"),
    path(marks + "deverrouiller/", mark_views.unlock, name="mark_unlock"),
    path("notes/<int:mark_pk>/historique/", mark_views.mark_history, name="mark_history"),
    path(marks + "feuille.xlsx", sheet_views.download, name="sheet_download"),
    path(marks + "import/", sheet_views.upload, name="sheet_upload"),
    path(marks + "import/confirmer/", sheet_views.confirm, name="sheet_confirm"),
    # the written exam's markers and the levée d'anonymat (marker_views)
    path(session + "correcteurs/", marker_views.markers, name="markers"),
    path(session + "correcteurs/<int:marker_pk>/retirer/", marker_views.remove_marker, name="remove_marker"),
    path(session + "levee-d-anonymat/", marker_views.lift_anonymity, name="lift_anonymity"),
    # convocations, attendance sheets and copy-code lists (document_views)
    path(session + "documents/", document_views.documents, name="documents"),
    path(session + "documents/telecharger/", document_views.download, name="documents_download"),
    path(session + "ma-convocation/", document_views.own_convocation, name="own_convocation"),
    # the live outcome (outcome_views)
    path(session + "resultats/", outcome_views.outcome, name="outcome"),
]
