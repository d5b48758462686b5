from django.urls import path

from . import cpf_views, credential_views, portal_views, views

app_name = "certificates"

urlpatterns = [
    # D61: the public verification page, and the signed credential it declares
    path("verifier/<str:code>/", views.verify, name="verify"),
    path("verifier/<str:code>/attestation.json", views.credential, name="credential"),
    # D60: the issuer's controller document (public keys) and the revocation status lists
    path("certificateur/cles/", credential_views.controller, name="controller"),
    path("certificateur/statuts/<int:number>/", credential_views.status_list, name="status_list"),
    # D60, D25: the holder's own certificates from the results portal
    path("mes-resultats/certificats/", portal_views.mine, name="mine"),
    path("mes-resultats/certificats/<int:pk>/pdf/", portal_views.download, name="download"),
    # D62: the declaration to the CPF (national administrator)
    path("cpf/", cpf_views.overview, name="cpf"),
    path("cpf/flux/", cpf_views.write_flux, name="cpf_write"),
    path("cpf/flux/<int:pk>/", cpf_views.download_flux, name="cpf_flux"),
    path("cpf/accuses/", cpf_views.load_receipt, name="cpf_receipt"),
    path("cpf/passages/<str:number>/corrige/", cpf_views.correct, name="cpf_correct"),
]
