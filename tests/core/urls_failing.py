"""A URL configuration with a view that fails, to see how a server error is logged."""

from django.urls import path

from certifier.people.permissions import public


@public
def failing(request):
    raise RuntimeError("panne simulée")


urlpatterns = [path("panne/", failing)]
