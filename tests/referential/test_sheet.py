"""The public sheet of RNCP35729 carries every registry fact of domain.md §2."""

import re
from datetime import date

import pytest
from django.urls import reverse

from certifier.referential.models import Block, Certification, Criterion
from certifier.referential.services import do_load_referential

pytestmark = pytest.mark.django_db

SHEET = reverse("referential:certification_detail", args=["RNCP35729"])


def test_sheet_shows_the_registry_facts_of_rncp35729(client, referential):
    page = client.get(SHEET).content.decode()
    for fact in [
        "CQP Gestionnaire conseil de la Sécurité sociale",
        "Niveau 5",
        "313t : Instruction de dossiers, traitements de flux et de produits financiers",
        "300 : Spécialités plurivalentes des services",
        "13205 : Droit sécurité sociale",
        "K1205 : Information sociale",
        "M1602 : Opérations administratives",
        "M1606 : Saisie de données",
        "Ucanss",
        "78462143500048",
        "CPNEFP du régime général de sécurité sociale",
        "08/07/2026",
        "RNCP29851",
        "Technicien tarification ATMP",
        "Gestionnaire du recouvrement spécialisé",
        "Technicien du service médical",
        "pré-recruté sur un poste de Gestionnaire conseil",
        "trois représentants par confédération syndicale représentative",
        "préside le jury sans voix délibérative",
    ]:
        assert fact in page, fact


def test_sheet_lists_open_and_closed_access_routes(client, referential):
    routes = {route.kind: route.is_open for route in referential.access_routes.all()}
    assert routes == {
        "initial_training": False,
        "apprenticeship": False,
        "continuing_education": True,
        "professional_contract": True,
        "individual_application": False,
        "vae": True,
    }
    page = client.get(SHEET).content.decode()
    assert 'Par candidature individuelle</td><td><span class="badge badge-neutral">Fermée</span>' in page
    assert 'Par expérience (VAE)</td><td><span class="badge badge-ok">Ouverte</span>' in page


def test_sheet_opens_on_a_table_of_contents_and_says_each_paragraph_once(client, referential):
    page = client.get(SHEET).content.decode()
    assert page.index('<nav class="toc"') < page.index('<h2 id="essentiel">')
    for anchor in ("essentiel", "voies-acces", "statistiques"):
        assert f'href="#{anchor}"' in page and f'id="{anchor}"' in page
    paragraphs = re.findall(r"<(?:p|li|td)[^>]*>([^<]{40,})<", page)
    assert [text for text in set(paragraphs) if paragraphs.count(text) > 1] == []
    assert "Modalités d'évaluation communes à tous les blocs" in page


def test_sheet_shows_blocks_competences_and_assessment_methods(client, referential):
    page = client.get(SHEET).content.decode()
    assert "RNCP35729BC01 — Gestion de la relation usagers de la Sécurité sociale" in page
    assert "RNCP35729BC02 — Contribution à la maîtrise des risques" in page
    assert "RNCP35729BC03 — Gestion des droits de l&#x27;usager de la sécurité sociale" in page
    assert "20 minutes de double écoute" in page
    assert "une heure et trente minutes" in page
    counts = {block.code: block.competences.count() for block in Block.objects.filter(version__code="rncp")}
    assert counts == {"RNCP35729BC01": 6, "RNCP35729BC02": 5, "RNCP35729BC03": 5}


def test_assessment_methods_are_structured(referential):
    bc01, bc02, bc03 = Block.objects.filter(version__code="rncp").order_by("code")
    observation = bc01.methods.get(kind="observation")
    assert observation.questioning_minutes == 15
    assert [[req["kind"] for req in alternative] for alternative in observation.situations] == [
        ["double_listening", "interview", "letters_emails"],
        ["physical_reception", "interview", "letters_emails"],
    ]
    assert bc02.methods.get(kind="presentation").min_competences_covered == 2
    assert bc03.methods.get(kind="observation").observation_minutes == 90
    assert all(
        block.methods.get(kind="logbook").attested_by == ["tutor", "manager"] for block in (bc01, bc02, bc03)
    )


def test_sheet_shows_statistics_and_2013_options(client, referential):
    page = client.get(SHEET).content.decode()
    assert '<th scope="row">2019</th><td>1587</td><td>5</td>' in page
    assert '<th scope="row">2018</th><td>1075</td><td>4</td>' in page
    assert "Technicien tarification AT/MP (CARSAT)" in page
    assert "Dispositif 2013 (notes et coefficients)" in page


def test_sheet_says_plainly_that_registration_has_ended(client, referential):
    page = client.get(SHEET).content.decode()
    assert "Enregistrement au RNCP échu le 08/07/2026." in page
    assert "les candidats entrés en parcours avant cette date poursuivent" in page


def test_enrolments_starting_after_the_end_of_registration_are_refused(referential):
    version = referential.versions.get(code="rncp")
    assert version.enrolment_refusal(date(2026, 7, 8)) is None
    assert version.enrolment_refusal(date(2025, 9, 1)) is None
    assert version.enrolment_refusal(date(2026, 7, 9)) == (
        "La certification RNCP35729 n'accepte plus d'entrée en parcours après le 08/07/2026 "
        "(fin d'enregistrement au RNCP) : la date d'entrée du 09/07/2026 est refusée."
    )


def test_2013_version_refuses_enrolments_before_it_applied(referential):
    version = referential.versions.get(code="2013")
    assert "n'est applicable qu'à partir du 14/02/2013" in version.enrolment_refusal(date(2012, 12, 1))


def test_unknown_certification_is_404(client, db):
    assert client.get(reverse("referential:certification_detail", args=["RNCP00000"])).status_code == 404


def test_loading_the_referential_twice_changes_nothing(referential):
    histories = Criterion.history.count() + Certification.history.count() + Block.history.count()
    summary = do_load_referential()
    assert (summary.created, summary.updated) == (0, 0)
    assert Criterion.history.count() + Certification.history.count() + Block.history.count() == histories


def test_registry_free_text_is_shown_as_text_never_as_tags(client, referential):
    block = Block.objects.get(code="RNCP35729BC01")
    block.competences.all().delete()
    block.competences_text = "<script>alert(1)</script>"
    block.save()
    page = client.get(SHEET).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_sheet_renders_with_a_constant_number_of_queries(client, referential, django_assert_max_num_queries):
    with django_assert_max_num_queries(14):
        client.get(SHEET)
