"""In Debian's chromium: the verification page passes axe-core and fits a 390 px screen, valid,
revoked and unknown; printed, it keeps the certificate's facts and drops the menu and the buttons."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from certifier.certificates.models import RevocationReason
from certifier.certificates.revocation import do_revoke

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def fresh_answers():
    cache.clear()


def check(page, assert_accessible, assert_fits):
    assert page.get_by_role("heading", level=1).count() == 1, page.url
    assert_accessible(page)
    assert_fits(page)


def test_the_verification_page_passes_axe_and_fits_a_phone(
    narrow_page, assert_accessible, assert_fits, users, issued
):
    cqp = next(c for c in issued if c.kind == "cqp")
    narrow_page.goto(reverse("certificates:verify", args=[cqp.content["verification_code"]]))
    narrow_page.get_by_text("Ce certificat est valide").wait_for()
    check(narrow_page, assert_accessible, assert_fits)
    narrow_page.emulate_media(media="print")
    assert narrow_page.get_by_role("link", name="Télécharger l'attestation numérique signée").is_hidden()
    assert narrow_page.get_by_role("navigation").is_hidden()
    assert narrow_page.get_by_text(cqp.number).first.is_visible()
    narrow_page.emulate_media(media="screen")
    ccp = next(c for c in issued if c.kind == "ccp")
    do_revoke(users["national_admin"], ccp, RevocationReason.AMENDMENT)
    narrow_page.goto(reverse("certificates:verify", args=[ccp.verification_code]))
    narrow_page.get_by_text("Ce certificat a été révoqué").wait_for()
    check(narrow_page, assert_accessible, assert_fits)
    narrow_page.goto(reverse("certificates:verify", args=["0000-0000-0000-0000"]))
    narrow_page.get_by_text("Aucun certificat ne correspond à ce code").wait_for()
    check(narrow_page, assert_accessible, assert_fits)
