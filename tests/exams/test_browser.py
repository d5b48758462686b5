"""In Debian's chromium: the exam pages pass axe-core, the session form in error included, and a CRFP
registers a candidate by ticking them."""

import pytest

from certifier.exams.services import do_register

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, email):
    page.goto("/connexion/")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill("motdepasse-test")
    page.get_by_role("button", name="Se connecter").click()


def test_the_exam_pages_pass_axe(page, assert_accessible, users, session, enrolments):
    do_register(None, session, [enrolments["foreign"]])
    sign_in(page, "national_admin@test.example")
    page.goto("/sessions-d-examen/nouvelle/")
    assert_accessible(page)
    page.get_by_role("button", name="Créer la session").click()
    page.get_by_role("alert").wait_for()
    assert_accessible(page)
    page.goto("/sessions-d-examen/")
    assert_accessible(page)
    page.get_by_role("link", name=str(session)).click()
    page.get_by_text("DURAND Paul").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Se déconnecter").click()

    sign_in(page, "crfp_staff@test.example")
    page.goto(f"/sessions-d-examen/{session.pk}/")
    page.get_by_role("link", name="Inscrire des candidats").click()
    assert_accessible(page)
    page.get_by_label("MARTIN Léa").check()
    page.get_by_role("button", name="Inscrire les candidats cochés").click()
    page.get_by_text("1 candidat inscrit à la session.").wait_for()
    assert page.get_by_text("DURAND Paul").count() == 0
    assert_accessible(page)
