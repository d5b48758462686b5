"""The enrolment's CRFP assigns the assessors who will observe and score the candidate."""

import pytest
from django.urls import reverse

from certifier.core.enums import AuditAction
from certifier.core.models import AuditEvent, DomainError
from certifier.pathways.models import AssessorAssignment
from certifier.pathways.services import do_assign_assessor
from certifier.people.enums import Role
from certifier.referential.models import Block
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def test_crfp_assigns_an_assessor_for_one_block(client_for, own, users):
    block = Block.objects.get(version=own.version, code="RNCP35729BC01")
    url = reverse("pathways:assessor_assign", args=[own.pk])
    response = client_for("crfp_staff").post(url, {"assessor": users["assessor"].pk, "block": block.pk})
    assert response.status_code == 302
    assert AssessorAssignment.objects.filter(enrolment=own, assessor=users["assessor"], block=block).exists()
    event = AuditEvent.objects.get(action=AuditAction.ASSESSOR_ASSIGNED)
    assert event.after == {"assessor": str(users["assessor"]), "scope": "le bloc RNCP35729BC01"}
    page = client_for("crfp_staff").get(reverse("pathways:enrolment_detail", args=[own.pk])).content.decode()
    assert "bloc RNCP35729BC01" in page


def test_only_assessors_of_the_crfp_or_employer_are_offered(client_for, own, users):
    response = client_for("crfp_staff").post(
        reverse("pathways:assessor_assign", args=[own.pk]), {"assessor": users["tutor"].pk}
    )
    assert "Cet évaluateur n&#x27;existe pas." in response.content.decode()
    assert not AssessorAssignment.objects.filter(enrolment=own, assessor=users["tutor"]).exists()


def test_assigning_twice_is_refused_in_french(client_for, own, users):
    # the fixture already assigns the assessor to every block of `own`
    url = reverse("pathways:assessor_assign", args=[own.pk])
    response = client_for("crfp_staff").post(url, {"assessor": users["assessor"].pk})
    assert "est déjà affecté à ce candidat pour tous les blocs." in response.content.decode()
    assert AssessorAssignment.objects.filter(enrolment=own).count() == 1


def test_the_service_refuses_an_assessor_of_another_crfp(own, users, organisations):
    lyon_assessor = MembershipFactory(
        user__email="ev@lyon.example", organisation=organisations["other_crfp"], role=Role.ASSESSOR
    ).user
    with pytest.raises(DomainError, match="n'est pas évaluateur au CRFP de l'inscription"):
        do_assign_assessor(users["crfp_staff"], own, lyon_assessor, None)
    assert not AssessorAssignment.objects.filter(assessor=lyon_assessor).exists()
