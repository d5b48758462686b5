from django.urls import path

from . import job_views, views

app_name = "people"

urlpatterns = [
    path("", views.home, name="home"),
    path("accessibilite/", views.accessibility, name="accessibility"),
    path("connexion/", views.login, name="login"),
    path("deconnexion/", views.logout, name="logout"),
    path("mot-de-passe/<uidb64>/<token>/", views.set_password, name="set_password"),
    path("traitements/<int:pk>/", job_views.job_detail, name="job_detail"),
    path("traitements/<int:pk>/relancer/", job_views.job_restart, name="job_restart"),
    path("journal-d-audit/", views.audit_log, name="audit_log"),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation_detail"),
    path("organisations/<int:pk>/modifier/", views.organisation_edit, name="organisation_edit"),
]
