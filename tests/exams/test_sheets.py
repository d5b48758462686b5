"""Excel marking sheets (D50, issue 8 item 6): downloaded for one exam of one session, filled in,
uploaded back, previewed, then recorded all or nothing."""

import io
import zipfile
from decimal import Decimal

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from certifier.core.enums import AuditAction
from certifier.core.models import AuditEvent
from certifier.exams.marks import Entry, do_record_marks
from certifier.exams.models import Mark, MarkStatus, Registration
from certifier.exams.services import do_register
from certifier.pathways.models import Candidate
from tests.exams.conftest import registration_of
from tests.factories import CandidateFactory, EnrolmentFactory

pytestmark = pytest.mark.django_db


def url(name: str, session, exam: str) -> str:
    return reverse(f"exams:{name}", args=[session.pk, exam])


def download(client, session, exam: str = "written") -> bytes:
    response = client.get(url("sheet_download", session, exam))
    assert response.status_code == 200, response.status_code
    return response.content


def rows_by_key(content: bytes) -> dict[str, int]:
    sheet = load_workbook(io.BytesIO(content))["Notes"]
    return {row[0].value: row[0].row for row in sheet.iter_rows(min_row=2)}


def fill(content: bytes, cells: dict[str, object]) -> bytes:
    """`fill(content, {"D2": "12,5"})`: the sheet as a user would save it after typing in it."""
    workbook = load_workbook(io.BytesIO(content))
    for reference, value in cells.items():
        workbook["Notes"][reference] = value
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def upload(client, session, content: bytes, exam: str = "written"):
    return client.post(
        url("sheet_upload", session, exam), {"file": SimpleUploadedFile("notes.xlsx", content)}
    )


def refusal(response) -> list[str]:
    assert response.status_code == 200
    assert response.context["refusal"] is not None, "the sheet was not refused"
    return [str(fault) for fault in response.context["faults"]]


def written(session, exam: str = "written") -> dict[str, str]:
    return {
        mark.registration.enrolment.candidate.birth_name: (mark.status, mark.value)
        for mark in Mark.objects.filter(registration__session=session, exam=exam).select_related(
            "registration__enrolment__candidate"
        )
    }


@pytest.fixture
def marker(client_for):
    return client_for("marker")


@pytest.fixture
def codes(marks_session):
    return {
        "Martin": registration_of(marks_session, "Martin").copy_code,
        "Durand": registration_of(marks_session, "Durand").copy_code,
    }


def test_a_filled_sheet_is_previewed_then_recorded_with_its_audit(marker, marks_session, codes, users):
    content = download(marker, marks_session)
    rows = rows_by_key(content)
    filled = fill(content, {f"B{rows[codes['Martin']]}": "12,5", f"B{rows[codes['Durand']]}": "ABS"})

    preview = upload(marker, marks_session, filled)

    assert preview.status_code == 200 and "refusal" not in preview.context
    reading = preview.context["reading"]
    assert (len(reading.new), len(reading.changed), reading.plan.unchanged) == (2, 0, 0)
    assert "2 nouvelles notes" in preview.content.decode()
    assert not Mark.objects.exists()

    confirmed = marker.post(
        url("sheet_confirm", marks_session, "written"), {"lines": preview.context["token"]}
    )

    assert confirmed.status_code == 302
    assert confirmed["Location"] == url("mark_grid", marks_session, "written")
    assert written(marks_session) == {
        "Martin": (MarkStatus.MARKED, Decimal("12.50")),
        "Durand": (MarkStatus.ABSENT, None),
    }
    events = AuditEvent.objects.filter(action=AuditAction.MARK_ENTERED)
    assert events.count() == 2 and {event.actor for event in events} == {users["marker"]}


def test_a_confirmation_sent_twice_is_told_the_marks_are_already_recorded(marker, marks_session, codes):
    content = download(marker, marks_session)
    rows = rows_by_key(content)
    preview = upload(marker, marks_session, fill(content, {f"B{rows[codes['Martin']]}": "12,5"}))
    confirmation = {"lines": preview.context["token"]}
    marker.post(url("sheet_confirm", marks_session, "written"), confirmation)
    again = marker.post(url("sheet_confirm", marks_session, "written"), confirmation, follow=True)
    assert "déjà enregistrées" in again.content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.MARK_ENTERED).count() == 1


def test_the_preview_shows_each_changed_mark_before_and_after(marker, marks_session, codes, users):
    martin, durand = registration_of(marks_session, "Martin"), registration_of(marks_session, "Durand")
    do_record_marks(
        users["marker"], marks_session, "written", [Entry(martin.pk, "8", 0), Entry(durand.pk, "9", 0)]
    )
    content = download(marker, marks_session)
    rows = rows_by_key(content)
    assert load_workbook(io.BytesIO(content))["Notes"][f"B{rows[codes['Martin']]}"].value == "8"

    preview = upload(marker, marks_session, fill(content, {f"B{rows[codes['Martin']]}": 11.75}))

    reading = preview.context["reading"]
    assert (len(reading.new), reading.plan.unchanged) == (0, 1)
    [shown] = reading.changed
    assert (shown.row, shown.key, shown.before, shown.after) == (
        rows[codes["Martin"]],
        codes["Martin"],
        "8",
        "11,75",
    )
    marker.post(url("sheet_confirm", marks_session, "written"), {"lines": preview.context["token"]})
    assert written(marks_session)["Martin"] == (MarkStatus.MARKED, Decimal("11.75"))
    assert AuditEvent.objects.get(action=AuditAction.MARK_CHANGED).before == {"mark": "8"}


def test_a_sheet_of_another_exam_or_session_is_refused_whole(
    client_for, marks_session, make_session, organisations, marks_version
):
    staff = client_for("crfp_staff")
    cc_sheet = download(staff, marks_session, "cc_common")
    refused = upload(staff, marks_session, cc_sheet, "cc_option")
    assert "concerne une autre épreuve ou session" in str(refused.context["refusal"])

    other = make_session(version=marks_version, year=2027)
    do_register(None, other, [EnrolmentFactory(version=marks_version, training_centre=organisations["crfp"])])
    refused = upload(staff, other, cc_sheet, "cc_common")
    assert "concerne une autre épreuve ou session" in str(refused.context["refusal"])
    assert not Mark.objects.exists()


def test_a_changed_key_is_refused_naming_its_row(marker, marks_session, codes):
    content = download(marker, marks_session)
    rows = rows_by_key(content)
    row = rows[codes["Durand"]]
    tampered = fill(content, {f"A{row}": codes["Martin"], f"B{rows[codes['Martin']]}": "10"})

    faults = refusal(upload(marker, marks_session, tampered))

    assert faults == [
        f"Ligne {row}, colonne « Code de copie » : « {codes['Martin']} » n'est pas la valeur téléchargée "
        "(colonne modifiée, ou ligne qui ne vous est plus confiée) : téléchargez la feuille de nouveau."
    ]
    assert not Mark.objects.exists()


def test_added_and_removed_rows_are_refused_naming_them(marker, marks_session, codes):
    content = download(marker, marks_session)
    rows = rows_by_key(content)
    changed = fill(content, {f"A{rows[codes['Durand']]}": None, "A4": "ZZZZ-ZZZZ-ZZ", "B4": "12"})

    faults = refusal(upload(marker, marks_session, changed))

    assert faults == sorted(
        [
            f"Ligne {rows[codes['Durand']]} : la ligne a été vidée ou supprimée depuis le téléchargement de la feuille.",
            "Ligne 4 : ligne ajoutée après le téléchargement de la feuille : seules les lignes téléchargées sont lues.",
        ]
    )


def test_a_stale_sheet_is_refused_naming_the_rows_changed_since_its_download(
    marker, marks_session, codes, users
):
    content = download(marker, marks_session)
    rows = rows_by_key(content)
    martin = registration_of(marks_session, "Martin")
    do_record_marks(users["marker"], marks_session, "written", [Entry(martin.pk, "14", 0)])

    faults = refusal(upload(marker, marks_session, fill(content, {f"B{rows[codes['Durand']]}": "9"})))

    row = rows[codes["Martin"]]
    assert faults == [
        f"Ligne {row} : la note a été modifiée depuis le téléchargement de la feuille : "
        "téléchargez-la de nouveau."
    ]
    assert written(marks_session) == {"Martin": (MarkStatus.MARKED, Decimal("14.00"))}


def test_bad_cells_are_all_named_at_once_and_nothing_is_written(marker, marks_session, codes):
    content = download(marker, marks_session)
    rows = rows_by_key(content)
    bad = fill(content, {f"B{rows[codes['Martin']]}": "21", f"B{rows[codes['Durand']]}": "douze"})

    faults = refusal(upload(marker, marks_session, bad))

    assert faults == sorted(
        [
            f"Ligne {rows[codes['Martin']]}, colonne « Note » : 21 dépasse 20.",
            f"Ligne {rows[codes['Durand']]}, colonne « Note » : « douze » n'est ni une note de 0 à 20 "
            "(deux décimales au plus) ni ABS, ABJ ou FRA.",
        ]
    )
    assert not Mark.objects.exists()


def test_a_mark_changed_between_preview_and_confirmation_refuses_the_whole_sheet(
    marker, marks_session, codes, users
):
    content = download(marker, marks_session)
    rows = rows_by_key(content)
    preview = upload(
        marker,
        marks_session,
        fill(content, {f"B{rows[codes['Martin']]}": "12", f"B{rows[codes['Durand']]}": "13"}),
    )
    durand = registration_of(marks_session, "Durand")
    do_record_marks(users["marker"], marks_session, "written", [Entry(durand.pk, "4", 0)])

    refused = marker.post(url("sheet_confirm", marks_session, "written"), {"lines": preview.context["token"]})

    [fault] = refusal(refused)
    assert fault.startswith(f"Ligne {rows[codes['Durand']]}, colonne « Note » : cette note a été modifiée")
    assert written(marks_session) == {"Durand": (MarkStatus.MARKED, Decimal("4.00"))}


def test_a_forged_or_borrowed_confirmation_is_refused(client_for, marker, marks_session, codes, users):
    registration = registration_of(marks_session, "Martin")
    confirm = url("sheet_confirm", marks_session, "written")
    forged = signing.dumps([[2, registration.pk, "20", 0]], salt="anything", compress=True)

    assert "déposez la feuille de nouveau" in str(marker.post(confirm, {"lines": forged}).context["refusal"])
    assert "déposez la feuille de nouveau" in str(marker.post(confirm, {"lines": "abc"}).context["refusal"])

    content = download(marker, marks_session)
    rows = rows_by_key(content)
    token = upload(marker, marks_session, fill(content, {f"B{rows[codes['Martin']]}": "12"})).context["token"]
    other_session_url = url("sheet_confirm", marks_session, "oral")
    assert client_for("local_jury").post(other_session_url, {"lines": token}).context["refusal"] is not None
    assert not Mark.objects.exists()
    assert marker.get(confirm).status_code == 405


def test_formula_like_text_is_written_as_text(client_for, marks_session, organisations, marks_version):
    enrolment = EnrolmentFactory(
        version=marks_version,
        candidate=CandidateFactory(birth_name='=HYPERLINK("http://evil")', first_name="+cmd"),
        training_centre=organisations["crfp"],
    )
    do_register(None, marks_session, [enrolment])

    content = download(client_for("crfp_staff"), marks_session, "cc_common")

    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheets = [name for name in archive.namelist() if name.startswith("xl/worksheets/")]
        assert sheets and not any(b"<f>" in archive.read(name) for name in sheets)
    names = [
        (row[1].value, row[2].value)
        for row in load_workbook(io.BytesIO(content))["Notes"].iter_rows(min_row=2)
    ]
    assert ('=HYPERLINK("HTTP://EVIL")', "+cmd") in names


def test_the_written_sheet_names_no_candidate_crfp_or_employer(marker, marks_session, organisations):
    response = marker.get(url("sheet_download", marks_session, "written"))
    forbidden = [
        *[
            value
            for candidate in Candidate.objects.all()
            for value in (candidate.birth_name, candidate.first_name)
        ],
        *Registration.objects.values_list("candidate_number", flat=True),
        *[organisation.name for organisation in organisations.values()],
    ]
    assert response["Content-Disposition"].startswith('attachment; filename="notes-epreuve-ecrite-session-')

    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        parts = {name: archive.read(name).decode() for name in archive.namelist()}
    assert "docProps/core.xml" in parts and "docProps/app.xml" in parts
    for name, text in parts.items():
        for value in forbidden:
            assert value.lower() not in text.lower(), (name, value)
    assert any(registration_of(marks_session, "Martin").copy_code in text for text in parts.values())


def test_key_columns_are_locked_the_note_column_open_and_the_manifest_very_hidden(
    marker, client_for, marks_session
):
    workbook = load_workbook(io.BytesIO(download(marker, marks_session)))
    notes = workbook["Notes"]
    assert workbook.sheetnames == ["Notes", "Légende", "manifeste"]
    assert notes.protection.sheet and workbook["manifeste"].protection.sheet
    assert [cell.value for cell in notes[1]] == ["Code de copie", "Note"]
    assert notes["A2"].protection.locked and not notes["B2"].protection.locked
    assert workbook["manifeste"].sheet_state == "veryHidden"
    assert "ABS absent non justifié" in " ".join(str(row[0].value) for row in workbook["Légende"].iter_rows())

    staff_sheet = load_workbook(io.BytesIO(download(client_for("crfp_staff"), marks_session, "cc_common")))[
        "Notes"
    ]
    assert [[cell.value for cell in row] for row in staff_sheet.iter_rows()] == [
        ["N° de candidat", "Nom", "Prénom", "Note"],
        [registration_of(marks_session, "Martin").candidate_number, "MARTIN", "Léa", None],
    ]
    assert staff_sheet["C2"].protection.locked and not staff_sheet["D2"].protection.locked


# persona → expected status of the written exam's and the oral's sheet download and upload page
ACCESS = {
    "anonymous": (302, 302),
    "national_admin": (403, 403),
    "cpnefp": (403, 403),
    "crfp_staff": (403, 403),
    "employer_hr": (403, 403),
    "tutor": (403, 403),
    "assessor": (403, 403),
    "local_jury": (403, 200),
    "marker": (200, 403),
    "national_jury": (403, 403),
    "candidate": (403, 403),
    "outsider": (403, 403),
}


@pytest.mark.parametrize("persona", ACCESS)
def test_access_matrix(client_for, marks_session, persona):
    client = client_for(persona)
    expected = ACCESS[persona]
    for view in ("sheet_download", "sheet_upload"):
        statuses = tuple(
            client.get(url(view, marks_session, exam)).status_code for exam in ("written", "oral")
        )
        assert statuses == expected, (view, statuses)
    # the marker's forged confirmation is refused on the page (200); the others never reach it
    assert (
        client.post(url("sheet_confirm", marks_session, "written"), {"lines": "x"}).status_code == expected[0]
    )


def test_unknown_exams_and_sessions_out_of_reach_are_not_found(
    marker, client_for, marks_session, make_session, marks_version
):
    assert marker.get(url("sheet_download", marks_session, "nope")).status_code == 404
    other = make_session(version=marks_version, year=2027)
    assert marker.get(url("sheet_download", other, "written")).status_code == 404
    assert client_for("crfp_staff").get(url("sheet_download", marks_session, "cc_common")).status_code == 200
    foreign_only = make_session(version=marks_version, year=2028)
    do_register(None, foreign_only, [registration_of(marks_session, "Durand").enrolment])
    assert client_for("crfp_staff").get(url("sheet_download", foreign_only, "cc_common")).status_code == 403


def test_an_edited_manifest_or_a_file_of_another_kind_is_refused_whole(
    marker, marks_session, make_session, marks_version
):
    other = make_session(version=marks_version, year=2027)
    workbook = load_workbook(io.BytesIO(download(marker, marks_session)))
    workbook["manifeste"]["B1"] = other.pk  # retargeted at another session by hand
    output = io.BytesIO()
    workbook.save(output)

    refused = upload(marker, marks_session, output.getvalue())
    assert (
        str(refused.context["refusal"])
        == "Le manifeste de cette feuille a été modifié : téléchargez-la de nouveau."
    )

    refused = upload(marker, marks_session, b"Code de copie;Note\r\nABCD;12\r\n")
    assert "n'est pas une feuille de notes téléchargée depuis la plateforme" in str(
        refused.context["refusal"]
    )
    refused = upload(marker, marks_session, b"PK\x03\x04 not a zip")
    assert "endommagé" in str(refused.context["refusal"])
    assert not Mark.objects.exists()
