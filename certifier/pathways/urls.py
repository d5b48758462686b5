from django.urls import path

from . import views

app_name = "pathways"

urlpatterns = [
    path("inscriptions/", views.enrolment_list, name="enrolment_list"),
    path("inscriptions/nouvelle/", views.enrolment_create, name="enrolment_create"),
    path("inscriptions/import/", views.enrolment_import, name="enrolment_import"),
    path("inscriptions/modele-import.xlsx", views.enrolment_template, name="enrolment_template"),
    path("inscriptions/<int:pk>/", views.enrolment_detail, name="enrolment_detail"),
    path("inscriptions/<int:pk>/modifier/", views.enrolment_edit, name="enrolment_edit"),
    path("inscriptions/<int:pk>/presences/", views.attendance_edit, name="attendance_edit"),
    path("inscriptions/<int:pk>/evaluateurs/", views.assessor_assign, name="assessor_assign"),
    path("inscriptions/<int:pk>/prise-en-charge/", views.funding_request, name="funding_request"),
    path(
        "inscriptions/<int:pk>/prise-en-charge.pdf",
        views.funding_request_document,
        {"extension": "pdf"},
        name="funding_request_pdf",
    ),
    path(
        "inscriptions/<int:pk>/prise-en-charge.xlsx",
        views.funding_request_document,
        {"extension": "xlsx"},
        name="funding_request_xlsx",
    ),
    path("sessions-de-formation/", views.session_list, name="session_list"),
    path("sessions-de-formation/nouvelle/", views.session_create, name="session_create"),
    path("parcours/", views.training_paths, name="training_paths"),
]
