"""In Debian's chromium: the candidate's certificates page passes axe-core and fits a 390 px screen."""

import pytest
from django.urls import reverse

from tests.juries.test_portal_browser import check, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_certificates_page_passes_axe_and_fits_a_phone(
    narrow_page, assert_accessible, assert_fits, issued
):
    cqp = next(certificate for certificate in issued if certificate.kind == "cqp")
    sign_in(narrow_page, "candidate@test.example")
    narrow_page.goto(reverse("certificates:mine"))
    narrow_page.get_by_text(cqp.number, exact=True).wait_for()
    assert narrow_page.get_by_role("link", name="Mes certificats").get_attribute("aria-current") == "page"
    check(narrow_page, assert_accessible, assert_fits)
