from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("certifier.people.urls")),
    path("", include("certifier.referential.urls")),
    path("", include("certifier.pathways.urls")),
    path("", include("certifier.assessments.urls")),
    path("", include("certifier.exams.urls")),
    path("", include("certifier.juries.urls")),
    path("", include("certifier.certificates.urls")),
    path("", include("certifier.vae.urls")),
]
