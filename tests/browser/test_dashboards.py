"""Each role's dashboard, on a 390 px phone: what it shows, every page it links to fits the screen
and passes axe-core (the Django admin included)."""

import re

import pytest
from django.urls import reverse

from certifier.demo.services import DEMO_PASSWORD, do_load_demo
from certifier.pathways.services import do_load_training_paths
from certifier.referential.services import do_load_referential

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Demo account → what its dashboard must show (README lists the accounts).
DASHBOARDS = {
    "admin@ucanss.example": [
        "inscriptions",
        "candidat sans évaluateur",
        "Gérer les comptes",
        "journal d'audit",
    ],
    "cpnefp@cpnefp.example": ["Consulter le référentiel et l'historique de ses modifications"],
    "crfp@crfp-bordeaux.example": ["inscriptions", "candidat sans évaluateur", "Inscrire un candidat"],
    "rh@caf33.example": ["salariés en parcours de certification", "1 résultat de VAE financée"],
    "tuteur@caf33.example": ["candidats en tutorat", "à contresigner"],
    "manager@caf33.example": ["collaborateurs candidats", "attestations à contresigner"],
    "evaluateur@crfp-bordeaux.example": ["candidats confiés", "blocs à évaluer"],
    "candidat@caf33.example": ["Votre inscription", "sur 3", "Ma convocation"],
    "jury-local@crfp-bordeaux.example": ["0 oral à noter", "0 avis du jury local à donner"],
    "correcteur@ucanss.example": ["0 copie à noter"],
    "jury-vae@cpnefp.example": ["0 session du jury VAE à tenir"],
    "julie.roche@cpam33.example": ["Ma demande de VAE"],
}
# Dashboard links that download a file rather than open a page.
DOWNLOADS = {"/ma-convocation/": "application/pdf"}


def sign_in(page, email):
    page.goto("/connexion/")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("heading", level=1, name=re.compile("^Bonjour")).wait_for()


def sign_out(page):
    page.get_by_role("button", name=re.compile("^Se déconnecter")).click()


def visit(page, url, assert_accessible, assert_fits):
    page.goto(url)
    assert page.get_by_role("heading", level=1).count() == 1, url
    assert_fits(page)
    assert_accessible(page)


def test_every_roles_dashboard_and_the_pages_it_links_to(narrow_page, assert_accessible, assert_fits):
    do_load_referential()
    do_load_training_paths()
    do_load_demo()
    page = narrow_page
    visit(page, "/", assert_accessible, assert_fits)
    for email, expected in DASHBOARDS.items():
        sign_in(page, email)
        dashboard = page.locator("main").inner_text()
        for words in expected:
            assert words in dashboard, f"{email}: « {words} » missing from the dashboard"
        assert_fits(page)
        assert_accessible(page)
        links = page.locator(".task a, .task-details a").evaluate_all(
            "links => links.map(link => link.getAttribute('href'))"
        )
        for url in dict.fromkeys(links):  # each page once, in the dashboard's order
            download = next((kind for end, kind in DOWNLOADS.items() if url.endswith(end)), None)
            if download:
                response = page.request.get(url)
                assert response.ok and response.headers["content-type"] == download, url
                continue
            visit(page, url, assert_accessible, assert_fits)
        page.goto("/")
        sign_out(page)


def test_the_national_admin_lists_sorts_exports_and_opens_the_admin(
    narrow_page, assert_accessible, assert_fits
):
    do_load_referential()
    do_load_training_paths()
    do_load_demo()
    page = narrow_page
    sign_in(page, "admin@ucanss.example")
    for url in (
        "/inscriptions/?tri=avancement",
        "/sessions-de-formation/",
        "/organisations/",
        "/certifications/RNCP35729/",
        reverse("referential:registry_upload"),
        reverse("people:audit_log"),
    ):
        visit(page, url, assert_accessible, assert_fits)
    page.goto("/inscriptions/")
    page.get_by_role("link", name=re.compile("^Candidat")).click()
    assert page.locator("th[aria-sort=ascending]").inner_text().startswith("Candidat")
    with page.expect_download() as download:
        page.get_by_role("link", name="Exporter la liste (CSV)").click()
    assert download.value.suggested_filename == "inscriptions.csv"
    for url in ("/admin/", "/admin/pathways/enrolment/"):
        page.goto(url)
        assert_accessible(page)
