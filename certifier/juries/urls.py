from django.urls import path

from . import views

app_name = "juries"

urlpatterns = [
    path("sessions-d-examen/<int:pk>/avis-du-jury-local/", views.local_opinions, name="local_opinions"),
]
