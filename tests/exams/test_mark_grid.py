"""The online marks grid (D27, D48–D50): who reaches it, what each one sees, all-or-nothing saves with
every faulty row named, stale grids refused without losing anything, and a bounded number of queries."""

import html
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from certifier.core.enums import AuditAction
from certifier.core.models import AuditEvent
from certifier.exams import mark_views
from certifier.exams.marks import Entry, do_lock_marks, do_record_marks
from certifier.exams.models import Mark
from certifier.exams.services import do_register
from certifier.people.enums import Role
from tests.exams.conftest import registration_of
from tests.factories import CandidateFactory, EnrolmentFactory, MembershipFactory
from tests.personas import PERSONAS

pytestmark = pytest.mark.django_db

MARK_ROLES = {"national_admin", "crfp_staff", "local_jury", "marker"}
# Who enters each kind of mark (D29, D50); the national administrator reads every grid.
ENTERS = {"cc_common": "crfp_staff", "apt": "crfp_staff", "oral": "local_jury", "written": "marker"}


CONFIRMED = {"confirmation": "oui"}


def grid_url(session, exam, **query):
    url = reverse("exams:mark_grid", args=[session.pk, exam])
    return url + "".join(f"?{key}={value}" for key, value in query.items())


def row(registration, text, version=0, shown="", written=False):
    """A row as the grid posts it: named by the copy code on the anonymous written exam (D48)."""
    key = registration.copy_code if written else registration.pk
    return {f"mark-{key}": text, f"version-{key}": str(version), f"shown-{key}": shown}


def answer(response):
    """A status, with a redirect to the login page told apart from the others."""
    if response.status_code == 302 and "/connexion" in response["Location"]:
        return "login"
    return response.status_code


@pytest.fixture
def marked(users, marks_session):
    """Martin Léa's marks entered by whoever enters each; Durand Paul's continuous assessment by his CRFP."""
    own, foreign = registration_of(marks_session, "Martin"), registration_of(marks_session, "Durand")
    for exam, persona in ENTERS.items():
        do_record_marks(users[persona], marks_session, exam, [Entry(own.pk, "12", 0)])
    do_record_marks(None, marks_session, "cc_common", [Entry(foreign.pk, "9", 0)])
    return {
        "own": {mark.exam: mark for mark in Mark.objects.filter(registration=own)},
        "foreign": Mark.objects.get(registration=foreign),
    }


def text(response):
    return html.unescape(response.content.decode())


def login_answer(persona):
    return "login" if persona == "anonymous" else None


# Access matrix


@pytest.mark.parametrize("persona", PERSONAS)
def test_access_matrix_of_the_grid(client_for, marks_session, persona):
    client = client_for(persona)
    wanted, got = {}, {}
    for exam, enterer in ENTERS.items():
        allowed = {enterer, "national_admin"}
        wanted[exam] = login_answer(persona) or (200 if persona in allowed else 403)
        got[exam] = answer(client.get(grid_url(marks_session, exam)))
        unknown = reverse("exams:mark_grid", args=[marks_session.pk + 1000, exam])
        wanted[f"{exam} of an unknown session"] = login_answer(persona) or (
            404 if persona in MARK_ROLES else 403
        )
        got[f"{exam} of an unknown session"] = answer(client.get(unknown))
    wanted["unknown exam"] = login_answer(persona) or (404 if persona in MARK_ROLES else 403)
    got["unknown exam"] = answer(client.get(grid_url(marks_session, "pass_followed")))
    assert got == wanted


def test_a_blocks_scheme_session_has_no_grid(client_for, session):
    assert client_for("crfp_staff").get(grid_url(session, "cc_common")).status_code == 404


def test_a_marker_not_appointed_to_the_session_does_not_find_its_grid(client_for, marks_session):
    marks_session.markers.all().delete()
    assert client_for("marker").get(grid_url(marks_session, "written")).status_code == 404


@pytest.mark.parametrize("persona", PERSONAS)
def test_access_matrix_of_the_lock(client_for, marked, marks_session, persona):
    client = client_for(persona)
    wanted, got = {}, {}
    for exam, enterer in ENTERS.items():
        url = reverse("exams:mark_lock", args=[marks_session.pk, exam])
        wanted[exam] = login_answer(persona) or (302 if persona == enterer else 403)
        got[exam] = answer(client.post(url, CONFIRMED))
        wanted[f"{exam} read"] = login_answer(persona) or (405 if persona in MARK_ROLES else 403)
        got[f"{exam} read"] = answer(client.get(url))
    assert got == wanted
    locked = set(Mark.objects.filter(locked_at__isnull=False).values_list("exam", flat=True))
    assert locked == {exam for exam, enterer in ENTERS.items() if enterer == persona}


@pytest.mark.parametrize("persona", PERSONAS)
def test_access_matrix_of_a_marks_history(client_for, marked, persona):
    client = client_for(persona)
    wanted, got = {}, {}
    marks = {**{f"own {exam}": mark for exam, mark in marked["own"].items()}, "foreign": marked["foreign"]}
    for name, mark in marks.items():
        sees = persona == "national_admin" or (name != "foreign" and ENTERS[mark.exam] == persona)
        wanted[name] = login_answer(persona) or (200 if sees else 404 if persona in MARK_ROLES else 403)
        got[name] = answer(client.get(reverse("exams:mark_history", args=[mark.pk])))
    wanted["unknown"] = login_answer(persona) or (404 if persona in MARK_ROLES else 403)
    got["unknown"] = answer(client.get(reverse("exams:mark_history", args=[marked["foreign"].pk + 1000])))
    assert got == wanted


# What each one sees


def test_a_crfp_sees_and_enters_only_its_own_candidates(client_for, marks_session):
    page = client_for("crfp_staff").get(grid_url(marks_session, "cc_common")).content.decode()
    own, foreign = registration_of(marks_session, "Martin"), registration_of(marks_session, "Durand")
    assert "MARTIN Léa" in page and own.candidate_number in page
    assert "DURAND" not in page and foreign.candidate_number not in page
    assert f'name="mark-{own.pk}"' in page and f'name="mark-{foreign.pk}"' not in page


def test_a_crfp_posting_another_crfps_row_is_refused_and_nothing_is_written(client_for, marks_session):
    own, foreign = registration_of(marks_session, "Martin"), registration_of(marks_session, "Durand")
    response = client_for("crfp_staff").post(
        grid_url(marks_session, "cc_common"), {**row(own, "14"), **row(foreign, "3")}
    )
    assert response.status_code == 403
    assert not Mark.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.MARK_ENTERED).exists()


def test_the_written_grid_names_copies_by_copy_code_only(client_for, users, marks_session, marked):
    users["marker"].first_name, users["marker"].last_name = "Agnès", "Correctrice"
    users["marker"].save()
    own, foreign = registration_of(marks_session, "Martin"), registration_of(marks_session, "Durand")
    page = client_for("marker").get(grid_url(marks_session, "written")).content.decode()
    history = client_for("marker").get(reverse("exams:mark_history", args=[marked["own"]["written"].pk]))
    for shown in (page, history.content.decode()):
        assert own.copy_code in shown
        for secret in ("Martin", "MARTIN", "Léa", own.candidate_number, "Bordeaux", "Gironde"):
            assert secret not in shown
    assert foreign.copy_code in page
    assert page.index(min(own.copy_code, foreign.copy_code)) < page.index(
        max(own.copy_code, foreign.copy_code)
    )
    for secret in ("Durand", "DURAND", foreign.candidate_number, "Lyon", "Rhône"):
        assert secret not in page


def test_the_grid_reads_label_weight_and_threshold_from_the_rule_set(client_for, marks_session):
    written = client_for("marker").get(grid_url(marks_session, "written")).content.decode()
    assert "éliminatoire si ≤ 6" in written
    assert re.search(r"<dt>Coefficient</dt><dd>3</dd>", written)
    assert "ABS absent non justifié" in written and 'inputmode="decimal"' in written
    apt = client_for("crfp_staff").get(grid_url(marks_session, "apt")).content.decode()
    assert "aucune note éliminatoire" in apt and re.search(r"<dt>Coefficient</dt><dd>2</dd>", apt)


def test_the_national_admin_reads_every_grid_without_entering_marks(client_for, marks_session, marked):
    client = client_for("national_admin")
    page = client.get(grid_url(marks_session, "cc_common")).content.decode()
    assert "MARTIN Léa" in page and "DURAND Paul" in page
    assert 'name="mark-' not in page and "Consultation seule" in page
    own = registration_of(marks_session, "Martin")
    assert client.post(grid_url(marks_session, "cc_common"), row(own, "20", 1, "12")).status_code == 403
    assert Mark.objects.get(registration=own, exam="cc_common").value == Decimal("12")


def test_each_row_says_its_status_who_entered_it_and_links_its_history(client_for, users, marks_session):
    own = registration_of(marks_session, "Martin")
    users["local_jury"].first_name, users["local_jury"].last_name = "Claire", "Jurée"
    users["local_jury"].save()
    do_record_marks(users["local_jury"], marks_session, "oral", [Entry(own.pk, "15,5", 0)])
    mark = Mark.objects.get()
    page = client_for("local_jury").get(grid_url(marks_session, "oral")).content.decode()
    assert 'value="15,5"' in page and "saisie" in page and "Claire Jurée" in page
    assert reverse("exams:mark_history", args=[mark.pk]) in page


# Saving


def test_saving_the_grid_records_the_changed_rows_and_says_how_many(client_for, marks_session):
    own, foreign = registration_of(marks_session, "Martin"), registration_of(marks_session, "Durand")
    client = client_for("marker")
    response = client.post(
        grid_url(marks_session, "written"),
        {**row(own, "12,5", written=True), **row(foreign, "abs", written=True)},
        follow=True,
    )
    assert "2 notes enregistrées." in response.content.decode()
    assert {(mark.status, mark.value) for mark in Mark.objects.all()} == {
        ("marked", Decimal("12.5")),
        ("absent", None),
    }
    again = client.post(
        grid_url(marks_session, "written"),
        {**row(own, "13", 1, "12,5", written=True), **row(foreign, "ABS", 1, "ABS", written=True)},
        follow=True,
    )
    assert "1 note enregistrée." in again.content.decode()
    assert Mark.objects.get(registration=own).version == 2


def test_a_grid_with_nothing_changed_writes_nothing(client_for, marks_session, marked):
    own = registration_of(marks_session, "Martin")
    response = client_for("crfp_staff").post(
        grid_url(marks_session, "apt"), row(own, "12", 1, "12"), follow=True
    )
    assert "Aucune note n'a changé" in text(response)
    assert Mark.objects.get(registration=own, exam="apt").version == 1


def test_a_bad_cell_refuses_the_whole_grid_and_names_its_row(client_for, marks_session):
    own, foreign = registration_of(marks_session, "Martin"), registration_of(marks_session, "Durand")
    response = client_for("marker").post(
        grid_url(marks_session, "written"),
        {**row(own, "12", written=True), **row(foreign, "25", written=True)},
    )
    page = text(response)
    assert response.status_code == 200
    assert not Mark.objects.exists()
    assert "Aucune note n'a été enregistrée : 1 ligne à corriger." in page
    assert f'<a href="#mark-{foreign.copy_code}">Copie {foreign.copy_code} : 25 dépasse 20</a>' in page
    faulty = re.search(rf'<input[^>]*id="mark-{foreign.copy_code}"[^>]*>', page).group()
    assert (
        'aria-invalid="true"' in faulty and f"erreur-{foreign.copy_code}" in faulty and 'value="25"' in faulty
    )
    kept = re.search(rf'<input[^>]*id="mark-{own.copy_code}"[^>]*>', page).group()
    assert 'value="12"' in kept and "aria-invalid" not in kept


def test_a_stale_grid_is_refused_without_losing_either_mark(client_for, users, organisations, marks_session):
    own = registration_of(marks_session, "Martin")
    colleague = MembershipFactory(organisation=organisations["crfp"], role=Role.CRFP_STAFF).user
    client = client_for("crfp_staff")
    shown = client.get(grid_url(marks_session, "cc_option")).content.decode()
    assert f'name="version-{own.pk}" value="0"' in shown
    do_record_marks(colleague, marks_session, "cc_option", [Entry(own.pk, "10", 0)])

    refused = client.post(grid_url(marks_session, "cc_option"), row(own, "14"))
    page = refused.content.decode()
    assert refused.status_code == 200
    assert "modifiée par une autre personne" in page and "elle vaut maintenant 10" in page
    assert re.search(rf'<input[^>]*id="mark-{own.pk}"[^>]*value="14"', page)  # what was typed is kept
    assert Mark.objects.get(registration=own, exam="cc_option").value == Decimal("10")

    # told of the colleague's mark, the user may now replace it knowingly
    assert f'name="version-{own.pk}" value="1"' in page
    client.post(grid_url(marks_session, "cc_option"), row(own, "14", 1, "10"))
    mark = Mark.objects.get(registration=own, exam="cc_option")
    assert (mark.value, mark.entered_by) == (Decimal("14"), users["crfp_staff"])


def test_an_untouched_row_changed_meanwhile_does_not_block_the_others(
    client_for, users, marks_session, marked
):
    own, foreign = registration_of(marks_session, "Martin"), registration_of(marks_session, "Durand")
    do_record_marks(None, marks_session, "written", [Entry(foreign.pk, "8", 0)])
    shown_then = {**row(own, "13", 1, "12", written=True), **row(foreign, "8", 1, "8", written=True)}
    do_record_marks(users["marker"], marks_session, "written", [Entry(foreign.pk, "9", 1)])
    response = client_for("marker").post(grid_url(marks_session, "written"), shown_then)
    assert response.status_code == 302
    values = dict(Mark.objects.filter(exam="written").values_list("registration_id", "value"))
    assert values == {own.pk: Decimal("13"), foreign.pk: Decimal("9")}


def test_locking_from_the_grid_freezes_the_entered_marks(client_for, marks_session, marked):
    own = registration_of(marks_session, "Martin")
    client = client_for("local_jury")
    grid_page = client.get(grid_url(marks_session, "oral")).content.decode()
    assert "Les notes verrouillées ne peuvent plus être modifiées" in grid_page
    unconfirmed = client.post(reverse("exams:mark_lock", args=[marks_session.pk, "oral"]), follow=True)
    assert "Cochez la case de confirmation" in text(unconfirmed)
    assert not Mark.objects.filter(locked_at__isnull=False).exists()
    response = client.post(
        reverse("exams:mark_lock", args=[marks_session.pk, "oral"]), CONFIRMED, follow=True
    )
    page = response.content.decode()
    assert "1 note verrouillée." in page
    assert f'name="mark-{own.pk}"' not in page and "verrouillée" in page
    assert "Verrouiller les notes saisies" not in page
    assert "Enregistrer les notes" not in page and "Télécharger la feuille de notes" not in page
    again = client.post(reverse("exams:mark_lock", args=[marks_session.pk, "oral"]), CONFIRMED, follow=True)
    assert "Aucune note à verrouiller" in again.content.decode()


def test_a_marks_history_shows_who_when_and_before_after(client_for, users, marks_session, marked):
    own = registration_of(marks_session, "Martin")
    do_record_marks(users["crfp_staff"], marks_session, "apt", [Entry(own.pk, "ABJ", 1)])
    page = client_for("crfp_staff").get(reverse("exams:mark_history", args=[marked["own"]["apt"].pk]))
    shown = text(page)
    assert "MARTIN Léa" in shown and own.candidate_number in shown
    assert "Modification d'une note" in shown and "Saisie d'une note" in shown
    changed = re.search(
        r"Modification d'une note</td>\s*<td>(.*?)</td>\s*<td>(.*?)</td>\s*<td>(.*?)</td>", shown
    )
    assert changed.groups()[1:] == ("12", "ABJ")
    assert str(users["crfp_staff"]) in changed.group(1)


# Queries


def add_candidates(session, count, centre, employer):
    enrolments = [
        EnrolmentFactory(
            version=session.version, candidate=CandidateFactory(employer=employer), training_centre=centre
        )
        for _ in range(count)
    ]
    registrations = do_register(None, session, enrolments)
    do_record_marks(
        None, session, "cc_common", [Entry(registration.pk, "11", 0) for registration in registrations]
    )
    do_record_marks(
        None, session, "written", [Entry(registration.pk, "11", 0) for registration in registrations]
    )


@pytest.mark.parametrize(
    ("persona", "exam"), [("crfp_staff", "cc_common"), ("marker", "written"), ("national_admin", "cc_common")]
)
def test_the_grid_costs_the_same_queries_for_3_or_30_rows(
    client_for, organisations, marks_session, persona, exam
):
    client = client_for(persona)
    costs = []
    for more in (2, 27):
        add_candidates(marks_session, more, organisations["crfp"], organisations["employer"])
        with CaptureQueriesContext(connection) as queries:
            assert client.get(grid_url(marks_session, exam)).status_code == 200
        costs.append(len(queries))
    assert costs[0] == costs[1] <= 12


def test_a_long_grid_is_split_in_pages_each_saved_on_its_own(client_for, marks_session, monkeypatch):
    monkeypatch.setattr(mark_views, "PAGE_SIZE", 1)
    first, second = sorted(marks_session.registrations.all(), key=lambda registration: registration.copy_code)
    client = client_for("marker")
    page_two = client.get(grid_url(marks_session, "written", page=2)).content.decode()
    assert second.copy_code in page_two and first.copy_code not in page_two
    assert "Page 2 sur 2" in page_two
    response = client.post(grid_url(marks_session, "written", page=2), row(second, "14", written=True))
    assert response["Location"] == grid_url(marks_session, "written", page=2)
    assert Mark.objects.get().registration == second


def test_a_full_page_of_the_grid_fits_in_one_request():
    fields_per_row = 3  # the mark, its version and the mark shown
    assert mark_views.PAGE_SIZE * fields_per_row + 1 <= settings.DATA_UPLOAD_MAX_NUMBER_FIELDS


# In the browser


def sign_in(page, email):
    page.goto("/connexion/")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill("motdepasse-test")
    page.get_by_role("button", name="Se connecter").click()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_marker_keys_the_column_down_with_enter_and_fixes_a_refused_row(
    page, assert_accessible, assert_fits, narrow_page, users, marks_session
):
    first, second = sorted(marks_session.registrations.all(), key=lambda registration: registration.copy_code)
    sign_in(page, "marker@test.example")
    page.goto(grid_url(marks_session, "written"))
    assert_accessible(page)
    page.get_by_role("textbox", name=f"Note sur 20 {first.copy_code}").fill("12,5")
    page.keyboard.press("Enter")  # moves down instead of saving
    page.keyboard.type("25")
    page.keyboard.press("Enter")  # the last row saves the grid
    page.get_by_role("alert").wait_for()
    assert not Mark.objects.exists()
    assert page.get_by_role("textbox", name=f"Note sur 20 {first.copy_code}").input_value() == "12,5"
    assert_accessible(page)
    page.get_by_role("link", name=f"Copie {second.copy_code} : 25 dépasse 20").click()
    assert page.evaluate("document.activeElement.id") == f"mark-{second.copy_code}"
    page.keyboard.press("Control+A")
    page.keyboard.type("ABS")
    page.get_by_role("button", name="Enregistrer les notes").click()
    page.get_by_text("2 notes enregistrées.").wait_for()
    page.get_by_label("Je confirme que ces notes sont définitives").check()
    page.get_by_role("button", name="Verrouiller les notes saisies").click()
    page.get_by_text("2 notes verrouillées.").wait_for()
    page.get_by_role("link", name=f"Historique de la note : copie {first.copy_code}").click()
    assert_accessible(page)

    sign_in(narrow_page, "marker@test.example")
    narrow_page.goto(grid_url(marks_session, "written"))
    assert_fits(narrow_page)


def test_the_anonymous_grid_names_its_rows_by_copy_code_never_by_registration(client_for, marks_session):
    """D48: registration ids follow the order of registration (by name, CRFP by CRFP): never shown."""
    own, foreign = registration_of(marks_session, "Martin"), registration_of(marks_session, "Durand")
    page = client_for("marker").get(grid_url(marks_session, "written")).content.decode()
    assert f'name="mark-{own.copy_code}"' in page and f'name="mark-{foreign.copy_code}"' in page
    assert f'name="mark-{own.pk}"' not in page


@pytest.mark.parametrize("key", ["²", "9999999999999999999999999", "ZZZZ-ZZZZ-ZZ"])
def test_a_forged_row_name_is_refused_without_writing(client_for, marks_session, key):
    url = grid_url(marks_session, "written")
    response = client_for("marker").post(
        url, {f"mark-{key}": "12", f"version-{key}": "0", f"shown-{key}": ""}
    )
    assert response.status_code == 403
    assert not Mark.objects.exists()


def test_a_refused_row_of_a_named_grid_is_named_with_its_candidate_number(client_for, marks_session):
    own = registration_of(marks_session, "Martin")
    page = text(client_for("crfp_staff").post(grid_url(marks_session, "cc_common"), row(own, "12,345")))
    assert f'<a href="#mark-{own.pk}">MARTIN Léa ({own.candidate_number}) : « 12,345 »' in page
    assert not Mark.objects.exists()


def test_a_crfp_without_candidates_in_the_session_is_told_so(client_for, organisations, marks_session):
    marks_session.registrations.filter(enrolment__training_centre=organisations["crfp"]).delete()
    page = text(client_for("crfp_staff").get(grid_url(marks_session, "cc_common")))
    assert "Aucun des candidats dont vous saisissez cette note n'est inscrit à cette session." in page


@pytest.mark.parametrize("persona", PERSONAS)
def test_access_matrix_of_the_unlock(client_for, users, marks_session, marked, persona):
    do_lock_marks(users["local_jury"], marks_session, "oral")
    url = reverse("exams:mark_unlock", args=[marks_session.pk, "oral"])
    got = (
        answer(client_for(persona).post(url, {"motif": "Erreur de report"})),
        answer(client_for(persona).get(url)),
    )
    wanted = {"anonymous": ("login", "login"), "national_admin": (302, 405)}.get(persona, (403, 403))
    assert got == wanted
    unlocked = Mark.objects.get(exam="oral").locked_at is None
    assert unlocked == (persona == "national_admin")


def test_the_national_admin_finds_the_unlock_on_a_locked_grid(client_for, users, marks_session, marked):
    page = client_for("national_admin").get(grid_url(marks_session, "oral")).content.decode()
    assert "Déverrouiller les notes" not in page
    do_lock_marks(users["local_jury"], marks_session, "oral")
    page = client_for("national_admin").get(grid_url(marks_session, "oral")).content.decode()
    assert "Déverrouiller les notes" in page
