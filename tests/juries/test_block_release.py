"""D55, D18: signing the original minutes of a blocks-scheme session writes the jury's block decisions
where capitalisation reads them at once, but the candidate and the employer read them (results page,
dashboard progress, enrolment list) only from the session's release time; the assessors, the CRFP and
the national administrator read them from the proclamation."""

import html
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from certifier.assessments.models import BlockDecision
from certifier.assessments.proposals import capitalised_codes
from certifier.assessments.services import do_decide_block
from certifier.core.enums import DecisionSource
from certifier.exams.services import do_register
from certifier.juries.deliberation import do_decide, proposals
from certifier.juries.sitting import do_open_deliberation, do_record_attendance
from certifier.referential.models import CertificationVersion
from tests.assessments.conftest import blocks, observe, score  # noqa: F401
from tests.factories import EnrolmentFactory
from tests.juries.results import proclaim

pytestmark = pytest.mark.django_db

BC01 = "RNCP35729BC01"
ASSESSOR_REASON = "Les situations observées ne couvrent pas la compétence 6."
JURY_REASON = "Le jury retient le bloc 1 au vu de l'ensemble du dossier."
FIVE_OF_SIX = {1: [True] * 5, 2: [True, True], 3: [True, True], 4: [True, True], 5: [True, True]}
RELEASE_IN = timedelta(days=2)


@pytest.fixture
def jury_validates_bc01(
    users,
    make_national_jury,
    session,
    own,
    blocks,  # noqa: F811
    observe,  # noqa: F811
    score,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    """The assessor decides BC01 not validated (overriding the engine), the national jury validates it
    (departing from the assessor's decision), the minutes are signed, results released in two days."""
    observe(own, blocks[BC01])
    score(own, blocks[BC01], FIVE_OF_SIX)
    do_decide_block(users["assessor"], own, blocks[BC01], "not_validated", ASSESSOR_REASON)
    do_register(None, session, [own])
    jury = make_national_jury(session)
    admin = users["national_admin"]
    opened = do_open_deliberation(admin, jury, session.national_jury_date, jury.place)
    do_record_attendance(admin, opened, jury.members.all())
    registration = session.registrations.get()
    proposal = proposals(opened).by_registration[registration.pk]
    assert proposal.blocks[BC01] == "not_validated"
    decided_blocks = {**proposal.blocks, BC01: "validated"}
    do_decide(admin, opened, registration, proposal.status, decided_blocks, JURY_REASON, 6, 1, 1, "", False)
    return proclaim(users, opened, django_capture_on_commit_callbacks, timezone.now() + RELEASE_IN)


def text_of(response) -> str:
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def bc01_section(client, own) -> str:
    page = text_of(client.get(reverse("assessments:results", args=[own.pk])))
    return re.search(rf"<h2 id=\"bloc-\d+\">{BC01} .*?</section>", page, re.S).group(0)


def validated_in_list(client) -> str:
    return text_of(client.get(reverse("pathways:enrolment_list")))


def test_the_jury_decision_is_written_at_once_shown_from_the_release(own, jury_validates_bc01):
    jury = BlockDecision.objects.get(source=DecisionSource.JURY)
    assert (jury.confirmed_status, jury.shown_from) == ("validated", jury_validates_bc01.released_at)
    assert jury.override_reason == JURY_REASON
    # D18: capitalisation reads every decision; as the candidate sees it, the jury's waits
    version = CertificationVersion.objects.create(
        certification=own.version.certification,
        code="rncp-2027",
        label="Référentiel 2027",
        scheme="blocks",
        rule_set="rncp35729",
    )
    later = EnrolmentFactory(
        candidate=own.candidate, version=version, option=None, training_centre=own.training_centre
    )
    assert capitalised_codes(later) == {BC01}
    assert capitalised_codes(later, timezone.now()) == set()
    assert capitalised_codes(later, jury_validates_bc01.released_at) == {BC01}


@pytest.mark.parametrize("persona", ["candidate", "employer_hr", "tutor", "manager"])
def test_before_the_release_the_candidate_and_the_employer_read_the_assessors_decision(
    client_for, own, jury_validates_bc01, persona
):
    section = bc01_section(client_for(persona), own)
    assert "Non validé" in section and JURY_REASON not in section
    assert not re.search(r"<strong>Validé</strong>", section)


@pytest.mark.parametrize("persona", ["assessor", "crfp_staff", "national_admin"])
def test_the_assessor_the_crfp_and_the_administrator_read_the_jurys_decision_at_once(
    client_for, own, jury_validates_bc01, persona
):
    section = bc01_section(client_for(persona), own)
    assert "<strong>Validé</strong>" in section and JURY_REASON in section


def test_after_the_release_the_candidate_and_the_employer_read_the_jurys_decision(
    client_for, own, jury_validates_bc01, monkeypatch
):
    released = jury_validates_bc01.released_at
    monkeypatch.setattr(timezone, "now", lambda: released + timedelta(minutes=1))
    candidate = bc01_section(client_for("candidate"), own)
    assert "<strong>Validé</strong>" in candidate and JURY_REASON in candidate
    employer = bc01_section(client_for("employer_hr"), own)
    assert "Décision : <strong>Validé</strong>" in employer and JURY_REASON not in employer


def test_the_candidates_progress_and_the_employers_list_count_the_block_from_the_release(
    client_for, own, jury_validates_bc01, monkeypatch
):
    home = text_of(client_for("candidate").get(reverse("people:home")))
    assert '<span class="count">0</span> bloc validé sur' in home
    assert "1 bloc validé" in validated_in_list(client_for("crfp_staff"))
    assert "1 bloc validé" not in validated_in_list(client_for("employer_hr"))
    assert "1 bloc validé" not in validated_in_list(client_for("tutor"))
    released = jury_validates_bc01.released_at
    monkeypatch.setattr(timezone, "now", lambda: released + timedelta(minutes=1))
    home = text_of(client_for("candidate").get(reverse("people:home")))
    assert '<span class="count">1</span> bloc validé sur' in home
    assert "1 bloc validé" in validated_in_list(client_for("employer_hr"))
