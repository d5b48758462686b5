"""In Debian's chromium, on a desktop screen: the local jury's opinion is chosen among radio buttons of
an ordinary size, left-aligned in their column; once the results are proclaimed the page is read only.
Both pass axe-core."""

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.exams.conftest import registration_of
from tests.exams.test_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_opinion_radios_are_of_an_ordinary_size_and_aligned_left(page, assert_accessible, marks_session):
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, "local_jury@test.example")
    page.goto(reverse("juries:local_opinions", args=[marks_session.pk]))
    radio = page.get_by_role("radio", name="Favorable à l'attribution")
    box = radio.bounding_box()
    cell = page.locator(f"#candidat-{registration_of(marks_session, 'Martin').pk} td").last.bounding_box()
    assert box is not None and cell is not None
    assert box["width"] <= 24 and box["height"] <= 24
    assert box["x"] - cell["x"] < 48  # at the start of its cell, not centred
    assert_accessible(page)
    radio.check()
    page.get_by_role("button", name="Enregistrer l'avis").click()
    page.get_by_text("est enregistré").wait_for()


def test_a_proclaimed_sessions_opinions_are_read_only(page, assert_accessible, marks_session):
    type(marks_session).objects.filter(pk=marks_session.pk).update(proclaimed_at=timezone.now())
    sign_in(page, "local_jury@test.example")
    page.goto(reverse("juries:local_opinions", args=[marks_session.pk]))
    page.get_by_text("ne sont plus modifiables").wait_for()
    assert page.get_by_role("radio").count() == 0
    assert page.get_by_role("columnheader", name="Résultat", exact=True).count() == 1
    assert_accessible(page)
