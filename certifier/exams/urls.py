from django.urls import path

from . import views

app_name = "exams"

urlpatterns = [
    path("sessions-d-examen/", views.session_list, name="session_list"),
    path("sessions-d-examen/nouvelle/", views.session_create, name="session_create"),
    path("sessions-d-examen/<int:pk>/", views.session_detail, name="session_detail"),
    path("sessions-d-examen/<int:pk>/inscrire/", views.session_register, name="session_register"),
]
