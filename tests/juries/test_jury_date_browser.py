"""In Debian's chromium: the national administrator moves a late session's national jury beyond the
month after its last exam; the missing derogation's reason is an accessible error on a 390 px screen,
then recorded (D58)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from certifier.exams.rules import one_month_after
from tests.exams.conftest import calendar

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_national_admin_records_a_derogation_and_errors_are_accessible(
    narrow_page, assert_accessible, assert_fits, users, make_session
):
    late = make_session(year=timezone.localdate().year - 2, **calendar(-110))
    new_date = one_month_after(late.dates.last_exam) + timedelta(days=20)
    page = narrow_page
    page.goto("/connexion/")
    page.get_by_label("Adresse électronique").fill("national_admin@test.example")
    page.get_by_label("Mot de passe").fill("motdepasse-test")
    page.get_by_role("button", name="Se connecter").click()
    page.goto(reverse("juries:national_jury", args=[late.pk]))
    page.get_by_role("textbox", name="Date du jury national").fill(new_date.isoformat())
    page.get_by_role("button", name="Enregistrer la date").click()
    page.get_by_role("alert").wait_for()
    assert_accessible(page)
    assert_fits(page)
    page.get_by_label("Motif de dérogation").fill("Indisponibilité des membres pendant les congés d'été.")
    page.get_by_role("button", name="Enregistrer la date").click()
    page.get_by_text("La date du jury national est enregistrée avec le motif de la dérogation.").wait_for()
    assert_accessible(page)
    assert_fits(page)
    late.refresh_from_db()
    assert (late.national_jury_date, bool(late.derogation_reason)) == (new_date, True)
