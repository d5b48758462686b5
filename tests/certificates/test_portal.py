"""D60, D25, D55: the candidate lists their certificates on the results portal from the release time
and downloads each signed PDF; nobody else downloads it (an employer never does), but the national
administrator; a revoked certificate is said revoked and its PDF no longer served."""

import html
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from certifier.certificates.models import Certificate
from certifier.core.enums import JobStatus
from tests.juries.minutes_fixtures import sign
from tests.personas import PERSONAS

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def cqp_of(issued):
    return next(certificate for certificate in issued if certificate.kind == "cqp")


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_opens_the_certificates_page(client_for, issued, persona):
    response = client_for(persona).get(reverse("certificates:mine"))
    expected = 302 if persona == "anonymous" else (200 if persona == "candidate" else 403)
    assert response.status_code == expected


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_holder_and_the_national_administrator_download_a_certificate(client_for, issued, persona):
    """Martin Léa (the candidate persona) holds the CQP: her employer, her tutor, her assessor, the
    jury… get a 404 as for a certificate that does not exist (D25)."""
    response = client_for(persona).get(reverse("certificates:download", args=[cqp_of(issued).pk]))
    if persona == "anonymous":
        assert response.status_code == 302
    elif persona in {"candidate", "national_admin"}:
        assert response.status_code == 200
    else:
        assert response.status_code == 404


def test_the_holder_downloads_the_signed_pdf_under_its_number(client_for, issued):
    cqp = cqp_of(issued)
    response = client_for("candidate").get(reverse("certificates:download", args=[cqp.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert f'attachment; filename="certificat-{cqp.number}.pdf"' in response["Content-Disposition"]
    with cqp.pdf.open("rb") as stored:
        assert response.content == stored.read()


def test_a_certificate_whose_file_is_lost_is_not_found_not_an_error(client_for, issued):
    cqp = cqp_of(issued)
    cqp.pdf.storage.delete(cqp.pdf.name)
    response = client_for("candidate").get(reverse("certificates:download", args=[cqp.pk]))
    assert response.status_code == 404
    assert "introuvable" in response.content.decode()


def test_a_candidate_does_not_download_anothers_certificate(client_for, issued):
    durand = next(certificate for certificate in issued if certificate.candidate.birth_name == "Durand")
    assert client_for("candidate").get(reverse("certificates:download", args=[durand.pk])).status_code == 404
    assert (
        client_for("candidate").get(reverse("certificates:download", args=[durand.pk + 1000])).status_code
        == 404
    )


def test_the_holder_lists_their_certificates_with_number_status_and_links(client_for, issued):
    page = text_of(client_for("candidate").get(reverse("certificates:mine")))
    own = [certificate for certificate in issued if certificate.candidate.birth_name == "Martin"]
    for certificate in own:
        assert certificate.number in page
        assert reverse("certificates:verify", args=[certificate.verification_code]) in page
        assert reverse("certificates:download", args=[certificate.pk]) in page
        assert certificate.content["verification_code"] in page
    assert page.count("Valide") == len(own) == 4
    assert "CCP RNCP35729BC01 — Gestion de la relation usagers" in page
    for certificate in issued:
        if certificate.candidate.birth_name == "Durand":
            assert certificate.number not in page


def test_a_revoked_certificate_is_said_revoked_and_no_longer_downloaded(client_for, issued):
    cqp = cqp_of(issued)
    Certificate.objects.filter(pk=cqp.pk).update(revoked_at=timezone.now(), revocation_reason="amendment")
    page = text_of(client_for("candidate").get(reverse("certificates:mine")))
    assert "Révoqué" in page and "décision rectifiée par le jury" in page
    assert reverse("certificates:download", args=[cqp.pk]) not in page
    for persona in ("candidate", "national_admin"):
        assert client_for(persona).get(reverse("certificates:download", args=[cqp.pk])).status_code == 404


def test_before_the_release_the_holder_sees_and_downloads_nothing(
    users, client_for, blocks_decided, django_capture_on_commit_callbacks
):
    release_at = timezone.now() + timedelta(days=2)
    job = sign(users["national_admin"], blocks_decided, django_capture_on_commit_callbacks, release_at)
    assert job.status == JobStatus.DONE, job.outcome
    cqp = Certificate.objects.get(kind="cqp")  # issued at the proclamation, shown from the release
    page = text_of(client_for("candidate").get(reverse("certificates:mine")))
    assert cqp.number not in page and "Aucun certificat ne vous a été délivré" in page
    assert client_for("candidate").get(reverse("certificates:download", args=[cqp.pk])).status_code == 404
    assert (
        client_for("national_admin").get(reverse("certificates:download", args=[cqp.pk])).status_code == 200
    )


def test_the_certificates_page_reads_in_a_bounded_number_of_queries(
    client_for, issued, django_assert_max_num_queries
):
    client = client_for("candidate")
    client.get(reverse("certificates:mine"))
    with django_assert_max_num_queries(6):
        text_of(client.get(reverse("certificates:mine")))
