"""`import_rncp` reads the France compétences registry export: all or nothing, idempotent, streamed."""

import re
import zipfile
from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from certifier.core.enums import AuditAction
from certifier.core.models import AuditEvent
from certifier.referential import registry
from certifier.referential.models import (
    AccessRoute,
    Block,
    Certification,
    CertificationVersion,
    Certifier,
    Competence,
    Criterion,
    Statistic,
)

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).resolve().parents[2] / ".." / "shared" / "reference" / "rncp-export-v4.1-sample.xml"
SAMPLE_NUMBERS = {
    "RNCP34762",
    "RNCP35809",
    "RNCP35625",
    "RNCP35419",
    "RNCP37488",
    "RNCP40344",
    "RNCP36612",
    "RNCP37674",
    "RNCP36490",
    "RNCP35959",
    "RNCP37873",
    "RNCP39568",
}
MODELS = [Certification, Certifier, AccessRoute, Statistic, CertificationVersion, Block]


@pytest.fixture
def sample() -> Path:
    if not SAMPLE.is_file():
        pytest.skip(f"Échantillon du registre absent ({SAMPLE}) : voir ../shared/reference/README.md.")
    return SAMPLE


def run(*args: object) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_rncp", *[str(arg) for arg in args], stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_failing(*args: object) -> str:
    with pytest.raises(CommandError) as failure:
        run(*args)
    return str(failure.value)


def export(*fiches: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<FICHES><VERSION_FLUX>4.1</VERSION_FLUX>{}</FICHES>'.format(
            "".join(fiches)
        )
    )


def fiche(body: str = "", number: str = "RNCP35729") -> str:
    return (
        f"<FICHE><ID_FICHE>20000</ID_FICHE><NUMERO_FICHE>{number}</NUMERO_FICHE>"
        f"<INTITULE>CQP Gestionnaire conseil de la Sécurité sociale</INTITULE>{body}</FICHE>"
    )


def write(tmp_path: Path, text: str, name: str = "export.xml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def counts() -> dict[str, int]:
    rows = {model.__name__: model.objects.count() for model in MODELS}
    history = {f"history of {model.__name__}": model.history.count() for model in MODELS}
    return rows | history | {"audit": AuditEvent.objects.count()}


def test_imports_the_twelve_sheets_of_the_sample(sample):
    out, _ = run(sample)

    assert out.strip() == "12 fiches lues, 12 créées, 0 modifiée, 0 inchangée."
    assert set(Certification.objects.values_list("number", flat=True)) == SAMPLE_NUMBERS
    assert Block.objects.count() == 53
    web = Certification.objects.get(number="RNCP35959")
    assert web.title == "Développeur web"
    assert web.level == 5
    assert [code["code"] for code in web.nsf_codes] == ["326t", "320t", "320m"]
    assert web.nsf_codes[0]["label"] == "Programmation, mise en place de logiciels"
    assert (web.decision_date, web.registration_end) == (date(2021, 10, 15), date(2026, 10, 15))
    assert web.predecessors == ["RNCP13595"]
    assert "Développeur front end" in web.accessible_jobs
    assert web.certifiers.get().siret == "77572257201109"
    statistic = web.statistics.get(year=2019)
    assert (statistic.certified, statistic.certified_vae) == (79, 0)
    assert statistic.insertion_rate_6m == Decimal("82")
    assert statistic.job_insertion_rate_2y == Decimal("90")
    assert statistic.job_insertion_rate_6m is None
    version = web.versions.get(code="rncp")
    assert version.label == "Référentiel enregistré au RNCP"
    assert (version.scheme, version.valid_from, version.valid_until) == (
        "blocks",
        web.decision_date,
        date(2026, 10, 15),
    )
    assert list(version.blocks.values_list("code", flat=True)) == [f"RNCP35959BC0{n}" for n in range(1, 6)]


def test_sample_facts_of_a_master_programme(sample):
    run(sample)

    programme = Certification.objects.get(number="RNCP34762")
    assert programme.level == 7
    assert programme.abbreviation == "Diplôme visé grade de master"
    assert (programme.predecessors, programme.successors) == (["RNCP24998"], ["RNCP39568"])
    assert programme.decision_date == date(2020, 9, 1)  # DATE_EFFET when there is no DATE_DECISION
    assert programme.description_url == "https://www.grenoble-em.com/programme-grande-ecole"
    assert (programme.new_caledonia, programme.french_polynesia) == (False, False)
    assert set(programme.certifiers.values_list("siret", flat=True)) == {"81738914100018", "11004401300040"}
    routes = dict(programme.access_routes.values_list("kind", "is_open"))
    assert routes["individual_application"] is False
    assert routes["vae"] is True
    vae = programme.access_routes.get(kind="vae")
    assert vae.jury_composition.startswith("Le jury est nommé par le Recteur d’Académie.")
    assert programme.statistics.get(year=2018).certified_vae == 1
    assert Certification.objects.get(number="RNCP35809").new_caledonia is True


def test_sample_access_routes_and_blocks_of_other_sheets(sample):
    run(sample)

    application_designer = Certification.objects.get(number="RNCP37873")
    routes = dict(application_designer.access_routes.values_list("kind", "is_open"))
    assert routes == {
        "initial_training": False,
        "apprenticeship": True,
        "continuing_education": True,
        "professional_contract": True,
        "individual_application": False,
        "vae": True,
    }
    theatre = Certification.objects.get(number="RNCP35625")
    assert theatre.registry_status == "Modifications à valider par le ministère"
    assert theatre.versions.get().blocks.count() == 10
    # CCI FRANCE is listed twice (an active and an inactive SIRET): the active one is kept.
    payroll = Certification.objects.get(number="RNCP36612")
    assert list(payroll.certifiers.values_list("name", "siret", "status")) == [
        ("CCI FRANCE", "18750002000073", "Actif")
    ]


def test_free_texts_are_split_into_lines(sample):
    run(sample)

    block = Block.objects.get(code="RNCP34762BC01")
    lines = block.competences_text.splitlines()
    assert lines[0].startswith("A1C1. Evaluer, depuis son périmètre")
    assert lines[1].startswith("A1C2.Apprécier")
    assert "R&D" in block.competences_text
    assert Certification.objects.get(number="RNCP35419").accessible_jobs[:2] == [
        "Analyste-Programmeur",
        "Architecte logiciel",
    ]
    texts = [
        text for block in Block.objects.all() for text in (block.competences_text, block.assessment_text)
    ]
    assert not any(re.search(r"</?[a-zA-Z][^<>]*>", text) for text in texts)


def test_every_imported_sheet_is_attributed(sample):
    run(sample)

    events = AuditEvent.objects.filter(action=AuditAction.REGISTRY_IMPORTED)
    assert events.count() == 12
    event = events.get(object_id=str(Certification.objects.get(number="RNCP35959").pk))
    assert event.actor is None
    assert event.before is None
    assert event.after["title"] == "Développeur web"
    assert event.after["registration_end"] == "2026-10-15"
    assert event.after["statistics"]["2019"]["insertion_rate_6m"] == "82.00"
    reasons = set(Certification.history.values_list("history_change_reason", flat=True))
    reasons |= set(Block.history.values_list("history_change_reason", flat=True))
    assert reasons == {"Import du registre RNCP (rncp-export-v4.1-sample.xml)"}


def test_a_second_run_changes_nothing(sample):
    run(sample)
    before = counts()

    out, _ = run(sample)

    assert out.strip() == "12 fiches lues, 0 créée, 0 modifiée, 12 inchangées."
    assert counts() == before


def test_a_changed_sheet_records_only_its_changes(sample, tmp_path):
    run(sample)
    text = sample.read_text(encoding="utf-8")
    changed = text.replace(
        "<INTITULE>Développeur web</INTITULE>", "<INTITULE>Développeuse ou développeur web</INTITULE>"
    )
    changed = changed.replace(
        "<NOMBRE_CERTIFIES>79</NOMBRE_CERTIFIES>", "<NOMBRE_CERTIFIES>80</NOMBRE_CERTIFIES>"
    )
    assert changed.count("Développeuse ou développeur web") == 1
    history = Certification.history.count()

    out, _ = run(write(tmp_path, changed))

    assert out.strip() == "12 fiches lues, 0 créée, 1 modifiée, 11 inchangées."
    web = Certification.objects.get(number="RNCP35959")
    event = AuditEvent.objects.filter(object_id=str(web.pk)).first()
    assert event.before == {"title": "Développeur web", "statistics": {"2019": {"certified": 79}}}
    assert event.after == {
        "title": "Développeuse ou développeur web",
        "statistics": {"2019": {"certified": 80}},
    }
    assert Certification.history.count() == history + 1
    assert web.statistics.get(year=2019).history.count() == 2


def test_number_imports_only_the_requested_sheets(sample):
    out, _ = run(sample, "--number", "RNCP35959", "rncp34762")

    assert out.strip() == "12 fiches lues, 2 créées, 0 modifiée, 0 inchangée."
    assert set(Certification.objects.values_list("number", flat=True)) == {"RNCP35959", "RNCP34762"}


def test_a_number_absent_from_the_file_imports_nothing(sample):
    message = run_failing(sample, "--number", "RNCP35959", "--number", "RNCP99999")

    assert "RNCP99999" in message
    assert "Rien n'a été importé." in message
    assert Certification.objects.count() == 0


def test_reads_the_export_inside_a_zip(sample, tmp_path):
    archive = tmp_path / "export-fiches-rncp.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        zipped.write(sample, "export-fiches-rncp-v4-1.xml")

    out, _ = run(archive)

    assert out.strip() == "12 fiches lues, 12 créées, 0 modifiée, 0 inchangée."
    assert Block.objects.count() == 53


def test_reads_the_older_export_shape(tmp_path):
    older = fiche(
        "<ANCIENNE_CERTIFICATION>RNCP29851</ANCIENNE_CERTIFICATION>"
        "<ABREGE><CODE>CQP</CODE><INTITULE>Certificat de qualification professionnelle</INTITULE></ABREGE>"
        "<CODES_NSF><NSF><CODE>313t</CODE><INTITULE>Instruction de dossiers</INTITULE></NSF></CODES_NSF>"
        "<SI_JURY_FI>Non</SI_JURY_FI><SI_JURY_FC>Oui</SI_JURY_FC><SI_JURY_VAE>Oui</SI_JURY_VAE>"
        "<BLOCS_COMPETENCES><BLOC_COMPETENCES><CODE>RNCP35729BC01</CODE>"
        "<INTITULE>Gestion de la relation usagers de la Sécurité sociale</INTITULE>"
        "</BLOC_COMPETENCES></BLOCS_COMPETENCES>"
    )

    run(write(tmp_path, export(older)))

    certification = Certification.objects.get(number="RNCP35729")
    assert certification.predecessors == ["RNCP29851"]
    assert certification.abbreviation == "Certificat de qualification professionnelle"
    assert certification.nsf_codes == [{"code": "313t", "label": "Instruction de dossiers"}]
    assert dict(certification.access_routes.values_list("kind", "is_open")) == {
        "initial_training": False,
        "continuing_education": True,
        "vae": True,
    }
    block = Block.objects.get(code="RNCP35729BC01")
    assert block.title == "Gestion de la relation usagers de la Sécurité sociale"
    assert block.position == 1


def test_html_in_free_texts_is_stored_as_plain_text(tmp_path):
    sheet = fiche(
        "<ACTIVITES_VISEES>&lt;p&gt;Accueillir l&amp;#39;usager&lt;/p&gt;&lt;script&gt;alert(1)&lt;/script&gt;"
        "</ACTIVITES_VISEES>"
        "<BLOCS_COMPETENCES><BLOC_COMPETENCES><CODE>RNCP35729BC01</CODE><LIBELLE>Relation usagers</LIBELLE>"
        "<LISTE_COMPETENCES>&lt;ul&gt;&lt;li&gt;Proposer l’offre de service&lt;/li&gt;"
        "&lt;li&gt;Tracer les échanges &amp;amp; assurer le suivi&lt;/li&gt;&lt;/ul&gt;</LISTE_COMPETENCES>"
        "<MODALITES_EVALUATION><p>Observation en situation réelle<br/>Questionnement de 15 minutes</p>"
        "</MODALITES_EVALUATION></BLOC_COMPETENCES></BLOCS_COMPETENCES>"
    )

    run(write(tmp_path, export(sheet)))

    block = Block.objects.get(code="RNCP35729BC01")
    assert block.competences_text == "Proposer l’offre de service\nTracer les échanges & assurer le suivi"
    assert block.assessment_text == "Observation en situation réelle\nQuestionnement de 15 minutes"
    assert Certification.objects.get().activities == "Accueillir l'usager"


def test_a_truncated_file_imports_nothing(sample, tmp_path):
    content = sample.read_bytes()
    truncated = tmp_path / "truncated.xml"
    truncated.write_bytes(content[: len(content) // 2])

    message = run_failing(truncated)

    assert message.startswith("Fichier XML invalide ou tronqué (ligne ")
    assert message.endswith("Rien n'a été importé.")
    assert Certification.objects.count() == 0


def test_a_malformed_date_in_the_last_sheet_imports_nothing(sample, tmp_path):
    text = sample.read_text(encoding="utf-8")
    last = text.rindex("<FICHE>")
    tail = text[last:].replace(
        "<DATE_FIN_ENREGISTREMENT>31/08/2029</DATE_FIN_ENREGISTREMENT>",
        "<DATE_FIN_ENREGISTREMENT>31/02/2024</DATE_FIN_ENREGISTREMENT>",
    )
    assert tail != text[last:]

    message = run_failing(write(tmp_path, text[:last] + tail))

    assert message.startswith("Fiche n° 12 (RNCP39568), élément DATE_FIN_ENREGISTREMENT (ligne ")
    assert "date « 31/02/2024 » invalide, attendu JJ/MM/AAAA." in message
    assert message.endswith("Rien n'a été importé.")
    assert Certification.objects.count() == 0
    assert AuditEvent.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "element", "problem"),
    [
        (
            "<NOMENCLATURE_EUROPE><NIVEAU>NIV9</NIVEAU></NOMENCLATURE_EUROPE>",
            "NOMENCLATURE_EUROPE/NIVEAU",
            "NIV9",
        ),
        (
            "<ACCESSIBLE_NOUVELLE_CALEDONIE>Peut-être</ACCESSIBLE_NOUVELLE_CALEDONIE>",
            "ACCESSIBLE_NOUVELLE_CALEDONIE",
            "attendu Oui ou Non",
        ),
        (
            "<CERTIFICATEURS><CERTIFICATEUR><SIRET_CERTIFICATEUR>1234</SIRET_CERTIFICATEUR>"
            "<NOM_CERTIFICATEUR>Ucanss</NOM_CERTIFICATEUR></CERTIFICATEUR></CERTIFICATEURS>",
            "CERTIFICATEURS/CERTIFICATEUR/SIRET_CERTIFICATEUR",
            "SIRET « 1234 » invalide",
        ),
        (
            "<STATISTIQUES_PROMOTIONS><STATISTIQUES_PROMOTION><ANNEE>2019</ANNEE>"
            "<TAUX_INSERTION_GLOBAL_6MOIS>120</TAUX_INSERTION_GLOBAL_6MOIS>"
            "</STATISTIQUES_PROMOTION></STATISTIQUES_PROMOTIONS>",
            "STATISTIQUES_PROMOTIONS/STATISTIQUES_PROMOTION/TAUX_INSERTION_GLOBAL_6MOIS",
            "taux « 120 » invalide",
        ),
        (
            "<STATISTIQUES_PROMOTIONS><STATISTIQUES_PROMOTION><ANNEE>2019</ANNEE>"
            "<TAUX_INSERTION_METIER_2ANS>NaN</TAUX_INSERTION_METIER_2ANS>"
            "</STATISTIQUES_PROMOTION></STATISTIQUES_PROMOTIONS>",
            "STATISTIQUES_PROMOTIONS/STATISTIQUES_PROMOTION/TAUX_INSERTION_METIER_2ANS",
            "taux « NaN » invalide",
        ),
        (
            "<SI_JURY_VAE><COMPOSITION>Jury paritaire</COMPOSITION></SI_JURY_VAE>",
            "SI_JURY_VAE/ACTIF",
            "manquant",
        ),
        (
            "<BLOCS_COMPETENCES><BLOC_COMPETENCES><LIBELLE>Sans code</LIBELLE></BLOC_COMPETENCES></BLOCS_COMPETENCES>",
            "BLOCS_COMPETENCES/BLOC_COMPETENCES/CODE",
            "manquant",
        ),
    ],
)
def test_a_malformed_element_is_named(tmp_path, body, element, problem):
    path = write(tmp_path, export(fiche(number="RNCP35729"), fiche(body, number="RS5000")))

    message = run_failing(path)

    assert message.startswith(f"Fiche n° 2 (RS5000), élément {element} (ligne ")
    assert problem in message
    assert Certification.objects.count() == 0


def test_a_sheet_without_a_valid_number_is_refused(tmp_path):
    message = run_failing(write(tmp_path, export(fiche(number="35729"))))

    assert message.startswith("Fiche n° 1, élément NUMERO_FICHE (ligne 2) : numéro « 35729 » invalide")


def test_a_sheet_number_repeated_in_the_file_is_refused(tmp_path):
    message = run_failing(write(tmp_path, export(fiche(), fiche())))

    assert "Fiche n° 2 (RNCP35729) : ce numéro figure déjà dans la fiche n° 1." in message
    assert Certification.objects.count() == 0


def test_a_document_type_declaration_is_refused(tmp_path):
    attack = (
        '<?xml version="1.0"?>\n<!DOCTYPE FICHES [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'
        "<FICHES><FICHE><NUMERO_FICHE>RNCP35729</NUMERO_FICHE><INTITULE>&secret;</INTITULE></FICHE></FICHES>"
    )

    message = run_failing(write(tmp_path, attack))

    assert "DOCTYPE" in message
    assert Certification.objects.count() == 0


def test_a_file_that_is_not_a_registry_export_is_refused(tmp_path):
    message = run_failing(write(tmp_path, "<html><body>Maintenance</body></html>"))

    assert message == (
        "Ce fichier n'est pas un export du répertoire national de France compétences : "
        "il commence par « html » au lieu de « FICHES ». Rien n'a été importé."
    )


def test_a_missing_file_is_reported(tmp_path):
    message = run_failing(tmp_path / "absent.xml")

    assert message.startswith("Fichier introuvable : ")


def test_existing_competences_and_criteria_of_a_block_are_kept(tmp_path):
    certification = Certification.objects.create(number="RNCP35729", title="CQP Gestionnaire conseil")
    version = CertificationVersion.objects.create(
        certification=certification,
        code="rncp",
        label="Référentiel enregistré au RNCP (blocs)",
        scheme="blocks",
    )
    block = Block.objects.create(version=version, code="RNCP35729BC01", title="Relation usagers", position=1)
    competence = Competence.objects.create(
        block=block, number=1, title="Proposer l'offre", text="Proposer l'offre"
    )
    Criterion.objects.create(competence=competence, position=1, text="Argumentaire clair")
    blocks = (
        "<BLOCS_COMPETENCES>"
        "<BLOC_COMPETENCES><CODE>RNCP35729BC01</CODE>"
        "<LIBELLE>Gestion de la relation usagers de la Sécurité sociale</LIBELLE></BLOC_COMPETENCES>"
        "<BLOC_COMPETENCES><CODE>RNCP35729BC02</CODE><LIBELLE>Maîtrise des risques</LIBELLE></BLOC_COMPETENCES>"
        "</BLOCS_COMPETENCES><DATE_FIN_ENREGISTREMENT>08/07/2026</DATE_FIN_ENREGISTREMENT>"
    )

    out, _ = run(write(tmp_path, export(fiche(blocks))))

    assert out.strip() == "1 fiche lue, 0 créée, 1 modifiée, 0 inchangée."
    block.refresh_from_db()
    assert block.title == "Gestion de la relation usagers de la Sécurité sociale"
    assert list(block.competences.values_list("criteria__text", flat=True)) == ["Argumentaire clair"]
    version.refresh_from_db()
    assert version.label == "Référentiel enregistré au RNCP (blocs)"
    assert version.valid_until == date(2026, 7, 8)
    assert list(version.blocks.values_list("code", flat=True)) == ["RNCP35729BC01", "RNCP35729BC02"]


def test_progress_is_reported_on_stderr(sample, monkeypatch):
    monkeypatch.setattr(registry, "PROGRESS_EVERY", 5)

    _, err = run(sample)

    assert err.splitlines() == ["5 fiches lues…", "10 fiches lues…", "12 fiches enregistrées sur 12…"]
