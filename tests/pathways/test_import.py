"""Bulk import from Excel or CSV: every row checked first, all errors reported, all or nothing."""

import csv
from datetime import datetime

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from certifier.core.enums import AuditAction
from certifier.core.models import AuditEvent
from certifier.pathways.importers import HEADERS, import_candidates
from certifier.pathways.models import Candidate, Enrolment
from certifier.people.models import User

pytestmark = pytest.mark.django_db


def row(**overrides):
    values = {
        "Nom de naissance": "Lefèvre",
        "Nom d'usage": "",
        "Prénom": "Éloïse",
        "Autres prénoms": "",
        "Sexe": "F",
        "Date de naissance": "02/04/1998",
        "Code INSEE de naissance": "33063",
        "Courriel": "eloise@test.example",
        "SIRET employeur": None,  # the employer persona's, filled in by `rows`
        "Matricule": "A1",
        "Certification": "RNCP35729",
        "Option": "Gestionnaire conseil allocataire",
        "Voie d'accès": "Contrat de professionnalisation",
        "CRFP": "CRFP de Bordeaux",
        "Tuteur (courriel)": "tutor@test.example",
        "Manager (courriel)": "",
        "Date de pré-recrutement": "01/09/2025",
        "Date d'entrée en parcours": "05/01/2026",
    }
    return values | overrides


@pytest.fixture
def rows(organisations, referential):
    siret = organisations["employer"].siret

    def make(*overrides):
        return [row(**({"SIRET employeur": siret} | override)) for override in overrides]

    return make


def xlsx(tmp_path, rows, headers=HEADERS):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for values in rows:
        sheet.append([values[header] for header in HEADERS])
    path = tmp_path / "candidats.xlsx"
    workbook.save(path)
    return path


def csv_file(tmp_path, rows, encoding="utf-8-sig"):
    path = tmp_path / "candidats.csv"
    with path.open("w", encoding=encoding, newline="") as output:
        writer = csv.writer(output, delimiter=";")
        writer.writerow(HEADERS)
        writer.writerows([[values[header] or "" for header in HEADERS] for values in rows])
    return path


THREE = [
    {},
    {
        "Matricule": "A2",
        "Prénom": "Hugo",
        "Sexe": "M",
        "Option": "recouvrement",
        "Voie d'accès": "Formation continue",
    },
    {
        "Matricule": "A3",
        "Prénom": "Inès",
        "CRFP": "Bordeaux",
        "Voie d'accès": "VAE",
        "Date de pré-recrutement": "",
    },
]


def test_an_excel_file_creates_candidates_and_enrolments(tmp_path, users, rows):
    report = import_candidates(users["crfp_staff"], xlsx(tmp_path, rows(*THREE)).read_bytes())
    assert report.errors == []
    assert (report.summary.created, report.summary.updated, report.summary.unchanged) == (3, 0, 0)
    hugo = Enrolment.objects.get(candidate__first_name="Hugo")
    assert hugo.option.code == "recouvrement"
    assert hugo.access_route == "continuing_education"
    assert hugo.version.code == "rncp"
    assert hugo.tutor == users["tutor"]
    assert Enrolment.objects.get(candidate__first_name="Inès").training_centre.name == "CRFP de Bordeaux"
    assert (
        AuditEvent.objects.filter(action=AuditAction.CANDIDATE_ENROLLED, actor=users["crfp_staff"]).count()
        == 3
    )
    assert Enrolment.history.filter(history_user=users["crfp_staff"], history_type="+").count() == 3
    assert all(candidate.identity_key.startswith("lefevre|") for candidate in Candidate.objects.all())


def test_a_csv_file_with_a_byte_order_mark_is_accepted(tmp_path, users, rows):
    report = import_candidates(users["crfp_staff"], csv_file(tmp_path, rows(*THREE)).read_bytes())
    assert report.errors == []
    assert report.summary.created == 3


def test_importing_the_same_rows_again_changes_nothing(tmp_path, users, rows):
    content = xlsx(tmp_path, rows(*THREE)).read_bytes()
    import_candidates(users["crfp_staff"], content)
    events, histories = AuditEvent.objects.count(), Candidate.history.count() + Enrolment.history.count()
    report = import_candidates(users["crfp_staff"], content)
    assert (report.summary.created, report.summary.updated, report.summary.unchanged) == (0, 0, 3)
    assert AuditEvent.objects.count() == events
    assert Candidate.history.count() + Enrolment.history.count() == histories


def test_a_changed_row_updates_its_candidate_only(tmp_path, users, rows):
    import_candidates(users["crfp_staff"], xlsx(tmp_path, rows(*THREE)).read_bytes())
    changed = [THREE[0] | {"Nom d'usage": "Bernard"}, *THREE[1:]]
    report = import_candidates(users["crfp_staff"], xlsx(tmp_path, rows(*changed)).read_bytes())
    assert (report.summary.created, report.summary.updated, report.summary.unchanged) == (0, 1, 2)
    event = AuditEvent.objects.get(action=AuditAction.ENROLMENT_UPDATED)
    assert (event.before, event.after) == ({"usage_name": ""}, {"usage_name": "Bernard"})


def test_one_bad_row_refuses_the_whole_file_and_names_its_row_and_column(tmp_path, users, rows):
    bad = [{}, {"Matricule": "A2", "Prénom": "Hugo", "Date de naissance": "31/02/1990"}]
    events = AuditEvent.objects.count()
    report = import_candidates(users["crfp_staff"], xlsx(tmp_path, rows(*bad)).read_bytes())
    assert [str(error) for error in report.errors] == [
        "Ligne 3, colonne « Date de naissance » : date « 31/02/1990 » invalide (attendu JJ/MM/AAAA)."
    ]
    assert report.summary is None
    assert not Candidate.objects.exists()
    assert AuditEvent.objects.count() == events


def test_every_error_of_every_row_is_reported(tmp_path, users, organisations, rows):
    bad = [
        {"Sexe": "X", "Code INSEE de naissance": "330", "Courriel": "pas-une-adresse"},
        {"Matricule": "A2", "Prénom": "", "SIRET employeur": "12345678901234", "CRFP": "CRFP de Nulle-Part"},
        {"Matricule": "A3", "Prénom": "Inès", "Voie d'accès": "Apprentissage", "Option": "Inconnue"},
        {
            "Matricule": "A4",
            "Prénom": "Zoé",
            "Voie d'accès": "Par correspondance",
            "Date d'entrée en parcours": "09/07/2026",
        },
        {"Matricule": "A5", "Prénom": "Léo", "Date de pré-recrutement": "", "CRFP": "CRFP de Lyon"},
        {"Matricule": "A5", "Prénom": "INES", "Nom de naissance": "LEFEVRE"},
    ]
    report = import_candidates(users["crfp_staff"], csv_file(tmp_path, rows(*bad)).read_bytes())
    found = {(error.line, error.column): error.message for error in report.errors}
    assert found[(2, "Sexe")] == "valeur « X » inconnue (attendu : M ou F)."
    assert found[(2, "Code INSEE de naissance")].startswith(
        "le code INSEE de naissance doit comporter 5 caractères"
    )
    assert found[(2, "Courriel")] == "adresse électronique « pas-une-adresse » invalide."
    assert found[(3, "Prénom")] == "valeur obligatoire manquante."
    assert found[(3, "SIRET employeur")] == "aucun organisme employeur n'a le SIRET « 12345678901234 »."
    assert found[(3, "CRFP")] == "CRFP « CRFP de Nulle-Part » inconnu."
    assert found[(4, "Option")].startswith(
        "option « Inconnue » inconnue pour cette certification (options possibles : "
    )
    assert found[(5, "Voie d'accès")].startswith(
        "valeur « Par correspondance » inconnue (attendu : Formation continue, "
    )
    assert found[(6, "CRFP")].startswith("vous ne pouvez pas inscrire de candidats au CRFP de Lyon")
    assert found[(6, "Date de pré-recrutement")].startswith("prérequis manquant")
    assert found[(7, "Matricule")] == "même SIRET employeur et même matricule qu'à la ligne 6."
    assert found[(7, "Nom de naissance")] == (
        "même personne (nom de naissance, prénom, date et lieu de naissance) qu'à la ligne 4."
    )
    # a row with a closed route is checked once the rest of it reads right
    fixed = [bad[2] | {"Option": "allocataire"}, bad[3] | {"Voie d'accès": "VAE"}]
    report = import_candidates(users["crfp_staff"], csv_file(tmp_path, rows(*fixed)).read_bytes())
    assert [str(error) for error in report.errors] == [
        "Ligne 2, colonne « Voie d'accès » : la voie d'accès « En contrat d'apprentissage » n'est pas ouverte "
        "pour la certification RNCP35729.",
        "Ligne 3, colonne « Date d'entrée en parcours » : la certification RNCP35729 n'accepte plus d'entrée "
        "en parcours après le 08/07/2026 (fin d'enregistrement au RNCP) : la date d'entrée du 09/07/2026 est refusée.",
    ]
    assert not Candidate.objects.exists()


def test_a_person_already_enrolled_under_another_number_is_refused(tmp_path, users, organisations, rows):
    import_candidates(users["national_admin"], xlsx(tmp_path, rows({})).read_bytes())
    other = rows(
        {
            "Matricule": "B7",
            "SIRET employeur": organisations["other_employer"].siret,
            "Prénom": "ELOISE",
            "Tuteur (courriel)": "",
        }
    )
    report = import_candidates(users["national_admin"], xlsx(tmp_path, other).read_bytes())
    assert [error.column for error in report.errors] == ["Nom de naissance"]
    assert report.errors[0].message.startswith("cette personne est déjà inscrite")


def test_a_crfp_cannot_change_an_enrolment_held_by_another_crfp(tmp_path, users, rows):
    lyon = rows({"CRFP": "Lyon"})
    import_candidates(users["national_admin"], xlsx(tmp_path, lyon).read_bytes())
    report = import_candidates(users["crfp_staff"], xlsx(tmp_path, rows({})).read_bytes())
    assert [str(error) for error in report.errors] == [
        "Ligne 2, colonne « Matricule » : ce matricule désigne, chez cet employeur, un candidat dont le parcours "
        "est suivi par un autre CRFP : vous ne pouvez ni modifier son identité ni l'inscrire. "
        "Adressez-vous à l'administrateur national."
    ]


def test_excel_dates_and_numbers_are_read_as_typed(tmp_path, users, organisations, rows):
    typed = rows(
        {
            "Date de naissance": datetime(1998, 4, 2),
            "Date d'entrée en parcours": datetime(2026, 1, 5),
            "SIRET employeur": int(organisations["employer"].siret),
            "Code INSEE de naissance": 1053,  # Bourg-en-Bresse, 01053, lost its leading zero in Excel
            "Matricule": 778899,
        }
    )
    report = import_candidates(users["crfp_staff"], xlsx(tmp_path, typed).read_bytes())
    assert report.errors == []
    candidate = Candidate.objects.get()
    assert (candidate.birth_insee_code, candidate.employee_number) == ("01053", "778899")


def test_unknown_tutors_and_managers_get_invited_accounts(tmp_path, users, rows):
    invited = rows(
        {"Tuteur (courriel)": "t.nouveau@test.example", "Manager (courriel)": "m.nouveau@test.example"}
    )
    report = import_candidates(users["crfp_staff"], xlsx(tmp_path, invited).read_bytes())
    assert report.summary.invited == ["t.nouveau@test.example", "m.nouveau@test.example"]
    assert not User.objects.get(email="t.nouveau@test.example").has_usable_password()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b"\xd0\xcf\x11\xe0 old binary .xls",
            "Le fichier est un classeur Excel 97-2003 (.xls) : enregistrez-le au format .xlsx ou CSV.",
        ),
        (
            "Nom;Prénom\n".encode("latin-1"),
            "Le fichier n'est ni un classeur Excel (.xlsx) ni un fichier CSV encodé en UTF-8 (caractère "
            "illisible à la ligne 1) : enregistrez-le au format .xlsx, ou au format « CSV UTF-8 (délimité "
            "par des points-virgules) ».",
        ),
        (
            b"PK\x03\x04 not really a zip",
            "Le fichier est endommagé ou tronqué (le classeur est illisible) : enregistrez-le de nouveau au "
            "format .xlsx à partir du modèle.",
        ),
    ],
)
def test_a_file_neither_xlsx_nor_utf8_csv_is_refused_in_french(users, referential, content, message):
    report = import_candidates(users["crfp_staff"], content)
    assert [str(error) for error in report.errors] == [message]


def test_columns_out_of_order_are_refused(tmp_path, users, rows):
    swapped = [HEADERS[1], HEADERS[0], *HEADERS[2:]]
    report = import_candidates(users["crfp_staff"], xlsx(tmp_path, rows({}), headers=swapped).read_bytes())
    assert str(report.errors[0]).startswith(
        "La première ligne doit contenir les colonnes du modèle, dans cet ordre : « Nom de naissance », « Nom d'usage »"
    )


def test_files_over_10_mb_or_20000_rows_are_refused(users, referential):
    too_big = import_candidates(users["crfp_staff"], b"x" * (10 * 1024 * 1024 + 1))
    assert (
        str(too_big.errors[0])
        == "Le fichier dépasse la taille maximale de 10 Mo : découpez-le en plusieurs fichiers."
    )
    too_long = (";".join(HEADERS) + "\n" + "a;\n" * 20_001).encode()
    report = import_candidates(users["crfp_staff"], too_long)
    assert str(report.errors[0]) == (
        "Le fichier CSV dépasse 20\u00a0001 lignes (ligne des titres comprise ; ligne 20\u00a0002 atteinte) : "
        "supprimez les lignes vides en fin de feuille ou découpez le fichier en plusieurs fichiers."
    )


def test_the_command_imports_and_reports(tmp_path, users, rows, capsys):
    path = xlsx(tmp_path, rows(*THREE))
    call_command("import_candidates", str(path), "--user", "crfp_staff@test.example")
    assert (
        "Import terminé : 3 lignes lues ; inscriptions créées : 3, mises à jour : 0, inchangées : 0."
        in capsys.readouterr().out
    )
    assert (
        AuditEvent.objects.filter(actor=users["crfp_staff"], action=AuditAction.CANDIDATE_ENROLLED).count()
        == 3
    )


def test_the_command_fails_with_the_french_report_and_writes_nothing(tmp_path, users, rows):
    path = csv_file(
        tmp_path, rows({}, {"Matricule": "A2", "Prénom": "Hugo", "Date de naissance": "31/02/1990"})
    )
    with pytest.raises(CommandError) as raised:
        call_command("import_candidates", str(path))
    assert str(raised.value).splitlines() == [
        "Import refusé : 1 erreur. Aucune ligne n'a été enregistrée.",
        "Ligne 3, colonne « Date de naissance » : date « 31/02/1990 » invalide (attendu JJ/MM/AAAA).",
    ]
    assert not Candidate.objects.exists()


def test_the_web_import_shows_the_counts(client_for, tmp_path, rows, django_capture_on_commit_callbacks):
    client = client_for("crfp_staff")
    with xlsx(tmp_path, rows(*THREE)).open("rb") as upload, django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("pathways:enrolment_import"), {"file": upload})
    page = client.get(response.url).content.decode()
    assert "Import terminé" in page
    assert "Inscriptions créées : 3" in page


def test_the_web_import_lists_the_errors_in_a_table(
    client_for, tmp_path, rows, django_capture_on_commit_callbacks
):
    client = client_for("crfp_staff")
    path = csv_file(tmp_path, rows({"Date de naissance": "31/02/1990"}))
    with path.open("rb") as upload, django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("pathways:enrolment_import"), {"file": upload})
    page = client.get(response.url).content.decode()
    assert "Import refusé : 1 erreur." in page
    assert (
        '<th scope="row">2</th><td>Date de naissance</td><td>date « 31/02/1990 » invalide (attendu JJ/MM/AAAA).</td>'
        in page
    )
    assert not Candidate.objects.exists()


def test_the_enrolment_page_offers_the_upload_with_a_progress_script(client_for, referential):
    page = client_for("crfp_staff").get(reverse("pathways:enrolment_list")).content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert "js/import-progress.js" in page
    assert 'role="status" aria-live="polite"' in page
    assert reverse("pathways:enrolment_template") in page


def test_the_template_has_the_columns_in_order(client_for, tmp_path, referential):
    response = client_for("crfp_staff").get(reverse("pathways:enrolment_template"))
    path = tmp_path / "modele.xlsx"
    path.write_bytes(response.content)
    sheet = load_workbook(path).worksheets[0]
    assert [cell.value for cell in sheet[1]] == HEADERS


def test_a_crfp_is_found_by_its_name_or_its_city(tmp_path, users, rows):
    from tests.factories import OrganisationFactory

    OrganisationFactory(name="CRFP Hauts-de-France", city="Lille")
    by_city = rows({"CRFP": "lille"}, {"Matricule": "A2", "Prénom": "Hugo", "CRFP": "crfp hauts-de-france"})
    report = import_candidates(users["national_admin"], xlsx(tmp_path, by_city).read_bytes())
    assert report.errors == []
    assert set(Enrolment.objects.values_list("training_centre__name", flat=True)) == {"CRFP Hauts-de-France"}


def test_the_import_reports_its_progress_every_500_rows_checked(tmp_path, users, rows):
    many = rows(
        *({"Matricule": f"P{index}", "Courriel": "", "Tuteur (courriel)": ""} for index in range(1200))
    )
    reports = []
    import_candidates(
        users["crfp_staff"], csv_file(tmp_path, many).read_bytes(), lambda *step: reports.append(step)
    )
    assert reports == [(0, 1200), (500, 1200), (1000, 1200), (1200, 1200)]
