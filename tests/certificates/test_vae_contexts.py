"""D59–D62 for a decision that is not the national jury's: a VAE jury's outcome (D67) issues its CCPs
and its CQP through the same `Context`, its certificates name their jury, are read from the outcome's
release time, and its CQP is declared to the CPF as a VAE (`modaliteAcces` VAE with `voieAccessVAE`),
valid against the CDC's schema. The vae app builds these contexts from its decisions
(tests/vae cover that path end to end)."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from certifier.certificates import cpf
from certifier.certificates.issuance import Context, Declaration, issue_for
from certifier.certificates.models import CertificateKind, VaeRoute
from certifier.certificates.verification import find
from certifier.referential.enums import AccessRouteKind
from certifier.referential.models import Block
from tests.certificates.test_cpf import NS, flux_tree, schema  # noqa: F401

pytestmark = pytest.mark.django_db

VAE_JURY = "jury de validation des acquis de l'expérience"
JURY_DAY = date(2026, 10, 14)


def vae_context(enrolment, validated, certified, public_from, route=VaeRoute.LEAVE) -> Context:
    version = enrolment.version
    return Context(
        candidate=enrolment.candidate,
        enrolment_id=enrolment.pk,
        version=version,
        blocks=list(Block.objects.filter(version=version).order_by("position", "code")),
        validated=frozenset(validated),
        certified=certified,
        jury_date=JURY_DAY,
        jury_place="Ucanss, Paris",
        president_name="Claire Lambert",
        president_capacity="Présidente du jury VAE",
        declaration=Declaration(
            access_route=AccessRouteKind.VAE,
            assessed_from=date(2026, 9, 1),
            assessed_to=JURY_DAY,
            public_from=public_from,
            vae_route=route,
        ),
        reference={"vae_decision": 1},
        jury_name=VAE_JURY,
    )


def codes(version) -> list[str]:
    return list(Block.objects.filter(version=version).order_by("position").values_list("code", flat=True))


def test_a_vae_outcome_issues_a_ccp_per_validated_block_and_the_cqp_naming_its_jury(users, own, referential):
    every = codes(own.version)
    issued = issue_for(vae_context(own, every, True, timezone.now()), users["national_admin"])
    assert [c.kind for c in issued] == [CertificateKind.CCP] * len(every) + [CertificateKind.CQP]
    cqp = issued[-1]
    assert cqp.content["jury"] == VAE_JURY
    assert cqp.access_route == AccessRouteKind.VAE and cqp.vae_route == VaeRoute.LEAVE
    assert cqp.valid_from == JURY_DAY and cqp.enrolment_id == own.pk
    assert VAE_JURY in cqp.credential["credentialSubject"]["achievement"]["criteria"]["narrative"]


def test_a_partial_validation_issues_only_its_blocks_ccps(users, own, referential):
    first = codes(own.version)[:2]
    issued = issue_for(vae_context(own, first, False, timezone.now()), users["national_admin"])
    assert sorted(c.block_code for c in issued) == sorted(first)
    assert {c.kind for c in issued} == {CertificateKind.CCP}


def test_a_vae_certificate_is_public_only_from_its_outcomes_release(users, own, referential):
    later = timezone.now() + timedelta(days=1)
    (ccp,) = issue_for(vae_context(own, codes(own.version)[:1], False, later), users["national_admin"])
    assert find(ccp.verification_code, "192.0.2.1", timezone.now()) == (None, None)
    found, _ = find(ccp.verification_code, "192.0.2.1", later + timedelta(seconds=1))
    assert found.pk == ccp.pk


@pytest.mark.parametrize(
    ("route", "declared"), [(VaeRoute.LEAVE, "CONGES_VAE"), (VaeRoute.STANDARD, "VAE_CLASSIQUE")]
)
def test_a_vae_cqp_is_declared_to_the_cpf_as_a_vae(users, own, referential, schema, route, declared):  # noqa: F811
    issued = issue_for(
        vae_context(own, codes(own.version), True, timezone.now(), route), users["national_admin"]
    )
    (flux,) = cpf.write_flux(users["national_admin"])
    tree = flux_tree(flux)
    assert schema.validate(tree), schema.error_log
    (passage,) = tree.iterfind(".//cpf:passageCertification", NS)
    assert passage.findtext("cpf:idTechnique", namespaces=NS) == issued[-1].number
    assert passage.findtext("cpf:modalitesInscription/cpf:modaliteAcces", namespaces=NS) == "VAE"
    assert passage.findtext("cpf:modalitesInscription/cpf:voieAccessVAE", namespaces=NS) == declared
    assert passage.findtext("cpf:dateDebutValidite", namespaces=NS) == JURY_DAY.isoformat()
    assert passage.findtext("cpf:dateFinExamen", namespaces=NS) == JURY_DAY.isoformat()
