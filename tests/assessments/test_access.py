"""Who sees what (issue 4 §7, D25): 404 when invisible, 403 when read-only, login when anonymous.

One test per persona walks every view of the app on the enrolment in the personas' scope (`own`)
and on the one outside it (`foreign`), so that a failure lists every view that answered wrongly.
"""

import pytest
from django.urls import reverse

from certifier.assessments.services import do_decide_block
from certifier.pathways.models import AssessorAssignment
from certifier.referential.models import Block
from tests.assessments.helpers import assessed_method
from tests.factories import MembershipFactory
from tests.personas import PERSONAS, SEES_OWN, SIGNED_IN

pytestmark = pytest.mark.django_db

SIGNATORIES = {"tutor", "manager"}
ASSESSORS = {"assessor"}
BC01 = "RNCP35729BC01"


def expected(persona, allowed, visible, readable):
    """role_required answers first (302 or 403); then the scoped getter (404); then the view (403)."""
    if persona == "anonymous":
        return 302
    if persona not in allowed:
        return 403
    if persona not in visible:
        return 404
    return 200 if persona in readable else 403


@pytest.fixture
def setting(enrolments, blocks, users, organisations, attest):
    """For each enrolment, its tutor's attestation on BC01, awaiting the manager's signature."""
    foreign_tutor = MembershipFactory(organisation=organisations["other_employer"], role="tutor").user
    enrolments["foreign"].tutor = foreign_tutor
    enrolments["foreign"].save()
    tutors = {"own": users["tutor"], "foreign": foreign_tutor}
    return {
        name: {
            "enrolment": enrolment,
            "attestation": attest(enrolment, blocks[BC01], actor=tutors[name]),
            "method": assessed_method(blocks[BC01]),
        }
        for name, enrolment in enrolments.items()
    }


# view name → (how to call it, roles let through by the decorator, who may read `own` among those who see it)
VIEWS = {
    "logbook": ("get", SIGNED_IN, SEES_OWN - {"employer_hr"}),
    "results": ("get", SIGNED_IN, SEES_OWN),
    "attestation_create": ("get", SIGNATORIES, SIGNATORIES),
    "attestation_withdraw": ("get", SIGNATORIES, SIGNATORIES),
    # the tutor, who already signed, is sent back to the logbook with a message (see test_logbook)
    "attestation_sign": ("post", SIGNATORIES, SIGNATORIES),
    "block_assessment": ("get", ASSESSORS, ASSESSORS),
    "block_decision": ("post", ASSESSORS, ASSESSORS),
    "observation_create": ("get", ASSESSORS, ASSESSORS),
}


def url(name, target, blocks):
    enrolment = target["enrolment"].pk
    args = {
        "attestation_withdraw": [target["attestation"].pk],
        "attestation_sign": [target["attestation"].pk],
        "block_assessment": [enrolment, blocks[BC01].pk],
        "block_decision": [enrolment, blocks[BC01].pk],
        "observation_create": [enrolment, target["method"].pk],
    }.get(name, [enrolment])
    return reverse(f"assessments:{name}", args=args)


@pytest.mark.parametrize("persona", PERSONAS)
def test_access_matrix_of_every_assessments_view(client_for, setting, blocks, persona):
    client = client_for(persona)
    wanted, got = {}, {}
    for name, (method, allowed, readable) in VIEWS.items():
        for target, visible in (("own", SEES_OWN), ("foreign", {"national_admin"})):
            key = f"{name} {target}"
            wanted[key] = expected(persona, allowed, visible, readable)
            response = getattr(client, method)(url(name, setting[target], blocks))
            got[key] = 200 if response.status_code == 302 and persona != "anonymous" else response.status_code
    assert got == wanted


def test_anonymous_visitors_are_sent_to_the_login_page(client_for, own):
    response = client_for("anonymous").get(reverse("assessments:logbook", args=[own.pk]))
    assert response["Location"].startswith(reverse("people:login") + "?next=")


def test_an_assessor_assigned_to_another_block_cannot_open_this_block_s_grid(own, blocks, client_for):
    AssessorAssignment.objects.filter(enrolment=own).update(block=blocks["RNCP35729BC02"])
    assessor = client_for("assessor")
    assert (
        assessor.get(reverse("assessments:block_assessment", args=[own.pk, blocks[BC01].pk])).status_code
        == 403
    )
    assert (
        assessor.get(
            reverse("assessments:block_assessment", args=[own.pk, blocks["RNCP35729BC02"].pk])
        ).status_code
        == 200
    )


def test_a_block_of_another_certification_version_is_not_found(own, blocks, client_for, referential):
    other = Block.objects.create(
        version=referential.versions.get(code="2013"), code="X", title="Bloc d'un autre référentiel"
    )
    assert (
        client_for("assessor")
        .get(reverse("assessments:block_assessment", args=[own.pk, other.pk]))
        .status_code
        == 404
    )


# What each persona who sees the enrolment reads on its results page (D25, issue 7 §1.6): the
# employer's side (HR, tutor, manager) the outcome only; the candidate and those who run or assess
# the enrolment the detail too: the engine's figures, the reason for an override, the evidence.
EMPLOYER_SIDE = {"employer_hr", "tutor", "manager"}
DETAIL = {
    "engine figures": "5 compétences acquises sur 6",
    "override reason": "Motif réservé au candidat et à l'évaluation.",
    "criterion comment": "Commentaire réservé au candidat.",
    "observation": "Double écoute",
    "engine proposal": "Proposition du moteur de décision",
}


@pytest.mark.parametrize("persona", sorted(SEES_OWN))
def test_the_results_page_shows_the_employer_side_the_outcome_only(
    own, blocks, users, observe, score, client_for, persona
):
    observe(own, blocks[BC01])
    fives = {1: [True] * 5, 2: [True] * 2, 3: [True] * 2, 4: [True] * 2, 5: [True] * 2, 6: [False] * 2}
    score(own, blocks[BC01], fives, comment=DETAIL["criterion comment"])
    do_decide_block(users["assessor"], own, blocks[BC01], "not_validated", DETAIL["override reason"])
    page = client_for(persona).get(reverse("assessments:results", args=[own.pk])).content.decode()
    page = page.replace("&#x27;", "'")
    assert "<strong>Non validé</strong>" in page
    shown = {name for name, text in DETAIL.items() if text in page}
    assert shown == (set() if persona in EMPLOYER_SIDE else set(DETAIL))


def test_the_employer_side_opens_neither_the_grid_nor_hr_the_logbook(own, blocks, client_for):
    assert client_for("employer_hr").get(reverse("assessments:logbook", args=[own.pk])).status_code == 403
    grid = reverse("assessments:block_assessment", args=[own.pk, blocks[BC01].pk])
    for persona in EMPLOYER_SIDE:
        assert client_for(persona).get(grid).status_code == 403


def test_the_results_page_offers_the_grid_only_to_the_assigned_assessor(own, client_for):
    results = reverse("assessments:results", args=[own.pk])
    assert "Évaluer ce bloc" in client_for("assessor").get(results).content.decode()
    assert "Évaluer ce bloc" not in client_for("crfp_staff").get(results).content.decode()
