"""The competence logbook (D10): the tutor and the manager each sign; an attestation counts only
with both signatures; it is withdrawn with a reason, never deleted."""

from datetime import date

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory
from django.urls import reverse

from certifier.assessments.models import Attestation
from certifier.assessments.services import (
    AttestationData,
    do_record_attestation,
    do_sign_attestation,
    do_withdraw_attestation,
)
from certifier.core.enums import AuditAction
from certifier.core.models import AuditEvent, DomainError, NotAllowed

pytestmark = pytest.mark.django_db


def test_the_tutor_records_and_signs_then_the_manager_co_signs_and_only_then_it_counts(
    own, blocks, users, attest
):
    attestation = attest(own, blocks["RNCP35729BC01"], 4)
    assert attestation.tutor_signed_by == users["tutor"]
    assert not attestation.counts
    assert attestation.status == "En attente de la signature du manager"

    assert do_sign_attestation(users["manager"], attestation) == "manager"
    attestation.refresh_from_db()
    assert attestation.counts
    assert attestation.status == "Signée par le tuteur et le manager"
    assert list(
        AuditEvent.objects.filter(
            object_type="assessments.Attestation", object_id=str(attestation.pk)
        ).values_list("action", "reason")
    ) == [
        (AuditAction.ATTESTATION_SIGNED, "Attestation signée par le manager"),
        (AuditAction.ATTESTATION_RECORDED, ""),
    ]


def test_the_manager_may_record_first_and_the_tutor_co_signs(own, blocks, users, attest):
    attestation = attest(own, blocks["RNCP35729BC02"], 1, actor=users["manager"])
    assert attestation.status == "En attente de la signature du tuteur"
    do_sign_attestation(users["tutor"], attestation)
    attestation.refresh_from_db()
    assert attestation.counts


def test_the_tutor_cannot_sign_as_manager_nor_sign_twice(own, blocks, users, attest):
    attestation = attest(own, blocks["RNCP35729BC01"])
    with pytest.raises(DomainError):
        do_sign_attestation(users["tutor"], attestation)
    attestation.refresh_from_db()
    assert attestation.manager_signed_at is None


def test_one_person_who_is_both_tutor_and_manager_cannot_make_an_attestation_count_alone(
    own, blocks, users, attest
):
    from tests.factories import MembershipFactory

    MembershipFactory(user=users["tutor"], organisation=own.candidate.employer, role="manager")
    own.manager = users["tutor"]
    own.save()
    attestation = attest(own, blocks["RNCP35729BC01"])
    with pytest.raises(DomainError):
        do_sign_attestation(users["tutor"], attestation)


def test_only_the_enrolment_s_tutor_and_manager_attest(own, blocks, users):
    competence = blocks["RNCP35729BC01"].competences.first()
    data = AttestationData(competence, date(2026, 2, 1), "Situation", "")
    for persona in ("assessor", "employer_hr", "candidate"):
        with pytest.raises(NotAllowed):
            do_record_attestation(users[persona], own, data)


def test_an_attestation_of_a_future_day_is_refused(own, blocks, users):
    competence = blocks["RNCP35729BC01"].competences.first()
    with pytest.raises(DomainError, match="le 01/01/2099 est postérieur à aujourd'hui"):
        do_record_attestation(
            users["tutor"], own, AttestationData(competence, date(2099, 1, 1), "Situation", "")
        )


def test_a_withdrawn_attestation_stays_with_its_reason_and_no_longer_counts(
    own, blocks, users, attest, client_for
):
    attestation = attest(own, blocks["RNCP35729BC01"], 2)
    do_sign_attestation(users["manager"], attestation)
    do_withdraw_attestation(users["manager"], attestation, "Situation attestée par erreur pour ce candidat.")
    attestation.refresh_from_db()
    assert Attestation.objects.filter(pk=attestation.pk).exists()
    assert not attestation.counts
    assert attestation.withdrawn_by == users["manager"]
    page = client_for("candidate").get(reverse("assessments:logbook", args=[own.pk])).content.decode()
    assert "Retirée : elle ne compte plus." in page
    assert "Motif : Situation attestée par erreur pour ce candidat." in page
    with pytest.raises(DomainError, match="déjà été retirée"):
        do_withdraw_attestation(users["tutor"], attestation, "Encore")


def test_a_withdrawal_needs_a_reason(own, blocks, users, attest, client_for):
    attestation = attest(own, blocks["RNCP35729BC01"])
    response = client_for("tutor").post(
        reverse("assessments:attestation_withdraw", args=[attestation.pk]), {"reason": ""}
    )
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    attestation.refresh_from_db()
    assert not attestation.is_withdrawn


def test_no_one_deletes_evidence_not_even_in_the_admin(users):
    request = RequestFactory().get("/admin/")
    request.user = users["national_admin"]
    for model, model_admin in site._registry.items():
        if model._meta.app_label == "assessments":
            assert not model_admin.has_delete_permission(request), model
            assert not model_admin.has_change_permission(request), model
            assert model_admin.has_view_permission(request), model


def test_the_logbook_page_shows_each_competence_with_its_attestations_in_words(
    own, blocks, users, attest, client_for
):
    counted = attest(own, blocks["RNCP35729BC01"], 1)
    do_sign_attestation(users["manager"], counted)
    attest(own, blocks["RNCP35729BC01"], 3)
    page = client_for("candidate").get(reverse("assessments:logbook", args=[own.pk])).content.decode()
    assert "Compétence 1 : Proposer l&#x27;offre de service adaptée à la situation de l&#x27;usager" in page
    assert "Signée par le tuteur et le manager." in page
    assert "En attente de la signature du manager." in page
    assert "<strong>Attestée</strong> : 1 attestation signée par le tuteur et le manager." in page
    assert "Signer en tant que" not in page


def test_the_manager_signs_from_the_logbook_page(own, blocks, users, attest, client_for):
    attestation = attest(own, blocks["RNCP35729BC01"])
    manager = client_for("manager")
    page = manager.get(reverse("assessments:logbook", args=[own.pk])).content.decode()
    assert "Signer en tant que manager" in page
    response = manager.post(reverse("assessments:attestation_sign", args=[attestation.pk]))
    assert response.status_code == 302
    attestation.refresh_from_db()
    assert attestation.counts


def test_a_tutor_trying_to_sign_as_manager_is_told_there_is_nothing_to_sign(own, blocks, attest, client_for):
    attestation = attest(own, blocks["RNCP35729BC01"])
    response = client_for("tutor").post(
        reverse("assessments:attestation_sign", args=[attestation.pk]), follow=True
    )
    assert "Cette attestation porte déjà la signature attendue de vous" in response.content.decode()
    attestation.refresh_from_db()
    assert attestation.manager_signed_at is None


def test_the_attestation_form_records_and_signs(own, blocks, client_for):
    competence = blocks["RNCP35729BC03"].competences.get(number=2)
    url = reverse("assessments:attestation_create", args=[own.pk])
    page = client_for("tutor").get(url, {"competence": competence.pk}).content.decode()
    assert f'<option value="{competence.pk}" selected>' in page
    response = client_for("tutor").post(
        url,
        {
            "competence": competence.pk,
            "observed_on": "2026-03-04",
            "situation": "Dossier complexe instruit.",
            "comment": "",
        },
    )
    assert response.status_code == 302
    attestation = Attestation.objects.get()
    assert attestation.competence == competence
    assert attestation.tutor_signed_at is not None


def test_the_attestation_form_says_what_is_missing(own, client_for):
    response = client_for("manager").post(reverse("assessments:attestation_create", args=[own.pk]), {})
    page = response.content.decode()
    assert "Choisissez la compétence attestée." in page
    assert "Décrivez la situation de travail." in page
    assert not Attestation.objects.exists()


def test_the_national_admin_reads_evidence_in_the_admin(own, blocks, users, attest, observe, client_for):
    attestation = attest(own, blocks["RNCP35729BC01"])
    observation = observe(own, blocks["RNCP35729BC01"])
    admin = client_for("national_admin")
    for name, pk in (("attestation", attestation.pk), ("observation", observation.pk)):
        assert admin.get(reverse(f"admin:assessments_{name}_changelist")).status_code == 200
        assert admin.get(reverse(f"admin:assessments_{name}_change", args=[pk])).status_code == 200
        assert admin.get(reverse(f"admin:assessments_{name}_history", args=[pk])).status_code == 200
    for name in ("criterionresult", "blockdecision"):
        assert admin.get(reverse(f"admin:assessments_{name}_changelist")).status_code == 200


def test_an_attestation_submitted_twice_is_recorded_once(own, blocks, users, attest):
    attest(own, blocks["RNCP35729BC01"])
    with pytest.raises(DomainError, match="Cette attestation figure déjà dans le carnet"):
        attest(own, blocks["RNCP35729BC01"])
    assert Attestation.objects.filter(enrolment=own).count() == 1
