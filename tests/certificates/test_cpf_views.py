"""D62: the CPF declaration pages, for the national administrator alone: the overview (states, the
three-month limit, rejected passages to correct, fluxes, receipts, the running job), the flux started,
downloaded, the receipt loaded; an access matrix and a query bound."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from certifier.certificates import cpf
from certifier.certificates.models import CpfFlux, CpfPassage, CpfReceipt, PassageState
from certifier.core.enums import JobKind, JobStatus
from certifier.core.models import Job
from tests.certificates import test_cpf as flux_tests
from tests.certificates.test_cpf_receipt import MESSAGE, receipt

pytestmark = pytest.mark.django_db

admin, holders, schema, sitting = flux_tests.admin, flux_tests.holders, flux_tests.schema, flux_tests.sitting

PERSONAS = [
    "cpnefp",
    "crfp_staff",
    "employer_hr",
    "tutor",
    "manager",
    "assessor",
    "local_jury",
    "marker",
    "national_jury",
    "vae_jury",
    "candidate",
    "outsider",
]


@pytest.fixture
def flux(admin, holders):
    (written,) = cpf.write_flux(admin)
    return written


def pages(flux):
    return [
        ("get", reverse("certificates:cpf")),
        ("get", reverse("certificates:cpf_receipt")),
        ("get", reverse("certificates:cpf_flux", args=[flux.pk])),
        ("post", reverse("certificates:cpf_write")),
        ("post", reverse("certificates:cpf_receipt")),
    ]


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_other_role_is_refused_every_page(client_for, flux, persona):
    client = client_for(persona)
    for method, url in pages(flux):
        assert getattr(client, method)(url).status_code == 403, (persona, url)
    assert not Job.objects.filter(kind=JobKind.CPF_FLUX).exists()


def test_anonymous_visitors_are_sent_to_sign_in(client_for, flux):
    client = client_for("anonymous")
    for method, url in pages(flux):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "next=" in response["Location"], url


def test_the_overview_shows_states_limit_rejections_fluxes_and_receipts(
    client_for, admin, flux, holders, version
):
    rejected = holders[0]
    CpfPassage.objects.filter(certificate=rejected).update(state=PassageState.REJECTED, message=MESSAGE)
    CpfReceipt.objects.create(
        file="x.xml",
        file_name="accuse-1.xml",
        accepted=2,
        rejected=1,
        loaded_by=admin,
        loaded_at=timezone.now(),
    )
    late = flux_tests.certify(
        flux_tests.released_deliberation(version, admin, timezone.localdate() - timedelta(days=100)), admin
    )
    response = client_for("national_admin").get(reverse("certificates:cpf"))
    assert response.status_code == 200
    page = response.content.decode()
    enrolment = reverse("pathways:enrolment_detail", args=[rejected.decision.registration.enrolment_id])
    assert MESSAGE in page and enrolment in page
    assert late.number in page and "Dépassé" in page
    assert reverse("certificates:cpf_flux", args=[flux.pk]) in page
    assert "accuse-1.xml" in page
    assert "1 passage est à déclarer" in page  # the late one; the rejected one waits for its correction
    assert reverse("certificates:cpf_correct", args=[rejected.number]) in page


def test_the_overview_reads_a_bounded_number_of_queries(
    client_for, admin, flux, holders, sitting, django_assert_max_num_queries
):
    for _ in range(15):
        flux_tests.certify(sitting, admin)
    cpf.write_flux(admin)
    CpfPassage.objects.update(state=PassageState.REJECTED, message=MESSAGE)
    client = client_for("national_admin")
    with django_assert_max_num_queries(16):
        assert client.get(reverse("certificates:cpf")).status_code == 200


def test_the_overview_follows_a_running_flux_job(client_for, admin, holders):
    Job.objects.create(
        kind=JobKind.CPF_FLUX,
        started_by=admin,
        status=JobStatus.RUNNING,
        done=1000,
        total=3000,
        started_at=timezone.now(),
        heartbeat=timezone.now(),
    )
    page = client_for("national_admin").get(reverse("certificates:cpf")).content.decode()
    assert "1000 passages écrits sur 3000" in page
    assert 'data-job-waiting="3"' in page
    assert "Produire le flux de déclaration" not in page


def test_posting_starts_the_job_that_writes_the_flux(client_for, holders, django_capture_on_commit_callbacks):
    client = client_for("national_admin")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("certificates:cpf_write"))
    assert response.status_code == 302
    assert CpfFlux.objects.get().passages == 3
    page = client.get(reverse("certificates:cpf")).content.decode()
    assert "La production du flux est lancée" in page


def test_writing_is_a_post(client_for, holders):
    assert client_for("national_admin").get(reverse("certificates:cpf_write")).status_code == 405


def test_the_flux_downloads_as_its_xml(client_for, flux):
    response = client_for("national_admin").get(reverse("certificates:cpf_flux", args=[flux.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    assert 'attachment; filename="UCANSS00-' in response["Content-Disposition"]
    assert b"<cpf:passageCertification>" in b"".join(response.streaming_content)


def test_an_unknown_flux_is_not_found(client_for, flux):
    assert (
        client_for("national_admin").get(reverse("certificates:cpf_flux", args=[flux.pk + 1])).status_code
        == 404
    )


def test_loading_a_receipt_updates_the_passages(client_for, flux, holders):
    upload = SimpleUploadedFile(
        "accuse.xml", receipt(ok=[holders[0].number], ko=[(holders[1].number, MESSAGE)])
    )
    response = client_for("national_admin").post(
        reverse("certificates:cpf_receipt"), {"file": upload}, follow=True
    )
    assert "Accusé de traitement chargé : 1 passage accepté, 1 rejeté." in response.content.decode()
    assert CpfPassage.objects.get(certificate=holders[1]).message == MESSAGE


def test_a_refused_receipt_shows_its_errors_by_line_and_writes_nothing(client_for, flux, holders):
    upload = SimpleUploadedFile("accuse.xml", receipt(ok=[holders[0].number, "CQP-0000-000000"]))
    response = client_for("national_admin").post(reverse("certificates:cpf_receipt"), {"file": upload})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Accusé de traitement refusé : 1 erreur." in page
    assert "Ligne 9 : identifiant technique « CQP-0000-000000 » inconnu" in page
    assert not CpfReceipt.objects.exists()
    assert set(CpfPassage.objects.values_list("state", flat=True)) == {PassageState.SENT}


def test_a_receipt_must_be_an_xml_file(client_for, flux):
    upload = SimpleUploadedFile("accuse.pdf", b"%PDF")
    page = (
        client_for("national_admin")
        .post(reverse("certificates:cpf_receipt"), {"file": upload})
        .content.decode()
    )
    assert "L&#x27;accusé de traitement est un fichier XML (.xml)." in page


def test_the_administrator_says_a_rejected_passage_is_corrected_from_the_overview(client_for, flux, holders):
    rejected = holders[0]
    CpfPassage.objects.filter(certificate=rejected).update(state=PassageState.REJECTED, message=MESSAGE)
    client = client_for("national_admin")
    response = client.post(reverse("certificates:cpf_correct", args=[rejected.number]), follow=True)
    assert f"Passage {rejected.number} corrigé" in response.content.decode()
    assert CpfPassage.objects.get(certificate=rejected).state == PassageState.TO_SEND
    again = client.post(reverse("certificates:cpf_correct", args=[rejected.number]), follow=True)
    assert "pas un passage rejeté à corriger" in again.content.decode()


@pytest.mark.parametrize("persona", ["crfp_staff", "employer_hr", "candidate", "cpnefp"])
def test_no_one_else_corrects_a_passage(client_for, flux, holders, persona):
    rejected = holders[0]
    CpfPassage.objects.filter(certificate=rejected).update(state=PassageState.REJECTED, message=MESSAGE)
    response = client_for(persona).post(reverse("certificates:cpf_correct", args=[rejected.number]))
    assert response.status_code == 403
    assert CpfPassage.objects.get(certificate=rejected).state == PassageState.REJECTED
