# ruff: noqa: F811 (the fixtures shared with test_outcome and test_minutes are imported, then requested by name)
"""The VAE jury's outcome pages: who reads and who acts (access matrix), the members' decision form, the
president's signature, the outcome on the application page, and the employer's list of the outcomes of the
applications it funds (nothing else); every list page read in a bounded number of queries."""

import html

import pytest
from django.urls import reverse

from certifier.core.enums import JobStatus
from certifier.people.enums import Role
from certifier.vae.enums import VaeOutcome
from certifier.vae.models import VaeDecision, VaeMinutes
from tests.certificates.conftest import credential_key_file, credential_settings  # noqa: F401
from tests.factories import MembershipFactory
from tests.juries.minutes_fixtures import signing_files, signing_settings  # noqa: F401
from tests.personas import PERSONAS

from .test_minutes import partial, sign, signed  # noqa: F401
from .test_outcome import ARGUMENT, candidacy, codes, decide, jurors, newcomer, vae_session  # noqa: F401

pytestmark = pytest.mark.django_db

READERS = {"national_admin", "cpnefp", "vae_jury"}


def text_of(response) -> str:
    return html.unescape(response.content.decode())


def posted(candidacy, validated, **overrides):
    prefix = f"c{candidacy.pk}-"
    data = {
        "candidacy": candidacy.pk,
        f"{prefix}argument": ARGUMENT,
        f"{prefix}votes_for": 3,
        f"{prefix}votes_against": 0,
        f"{prefix}abstentions": 0,
        f"{prefix}casting_vote": "",
    }
    for code in validated:
        data[f"{prefix}block_{code}"] = "on"
    return data | {f"{prefix}{key}": value for key, value in overrides.items()}


# who reads


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", ["vae:deliberation", "vae:minutes"])
def test_who_opens_the_jurys_decisions_and_minutes(client_for, candidacy, vae_session, persona, name):
    response = client_for(persona).get(reverse(name, args=[vae_session.pk]))
    expected = 200 if persona in READERS else 302 if persona == "anonymous" else 403
    assert response.status_code == expected


def test_a_vae_juror_of_another_session_finds_nothing(organisations, candidacy, vae_session, client):
    other = MembershipFactory(organisation=organisations["cpnefp"], role=Role.VAE_JURY).user
    client.force_login(other)
    assert client.get(reverse("vae:deliberation", args=[vae_session.pk])).status_code == 404
    assert client.get(reverse("vae:minutes", args=[vae_session.pk])).status_code == 404


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_downloads_the_signed_minutes(client_for, signed, vae_session, persona):
    response = client_for(persona).get(reverse("vae:minutes_download", args=[vae_session.pk]))
    expected = 200 if persona in READERS else 302 if persona == "anonymous" else 403
    assert response.status_code == expected
    if expected == 200:
        assert response["Content-Type"] == "application/pdf"
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
        assert b"".join(response.streaming_content if response.streaming else [response.content]).startswith(
            b"%PDF"
        )


def test_the_unsigned_minutes_are_not_downloaded(client_for, partial, vae_session):
    assert (
        client_for("vae_jury").get(reverse("vae:minutes_download", args=[vae_session.pk])).status_code == 404
    )


# the members' decisions


def test_a_member_decides_through_the_form_and_sees_the_engines_proposal(client_for, candidacy, vae_session):
    client = client_for("vae_jury")
    url = reverse("vae:deliberation", args=[vae_session.pk])
    first = codes(vae_session.version)[:1]
    response = client.post(url, posted(candidacy, first))
    assert response.status_code == 302 and response["Location"].endswith(f"#candidature-{candidacy.pk}")
    decision = VaeDecision.objects.get()
    assert decision.confirmed_status == VaeOutcome.PARTIAL and decision.argument == ARGUMENT
    page = text_of(client.get(url))
    assert "Proposition du moteur" in page and "Validation partielle" in page and first[0] in page


def test_a_refused_decision_is_said_on_the_form(client_for, candidacy, vae_session):
    url = reverse("vae:deliberation", args=[vae_session.pk])
    response = client_for("vae_jury").post(
        url, posted(candidacy, [], votes_for=1, votes_against=1, abstentions=0)
    )
    assert response.status_code == 200
    page = text_of(response)
    assert "la voix prépondérante du président départage" in page and 'role="alert"' in page
    assert not VaeDecision.objects.exists()


def test_an_empty_argument_is_marked_on_its_field(client_for, candidacy, vae_session):
    url = reverse("vae:deliberation", args=[vae_session.pk])
    page = text_of(client_for("vae_jury").post(url, posted(candidacy, [], argument="")))
    assert "toujours motivée" in page and 'aria-invalid="true"' in page
    assert not VaeDecision.objects.exists()


@pytest.mark.parametrize("persona", ["cpnefp", "national_admin"])
def test_readers_who_do_not_sit_see_no_form_and_may_not_post(client_for, candidacy, vae_session, persona):
    client = client_for(persona)
    url = reverse("vae:deliberation", args=[vae_session.pk])
    assert "Enregistrer la décision" not in text_of(client.get(url))
    assert client.post(url, posted(candidacy, [])).status_code == 403
    assert not VaeDecision.objects.exists()


def test_the_decisions_page_reads_in_the_same_queries_for_one_or_three_candidates(
    users, client_for, candidacy, vae_session, newcomer, django_assert_max_num_queries
):
    client = client_for("vae_jury")
    url = reverse("vae:deliberation", args=[vae_session.pk])
    decide(users["vae_jury"], candidacy, [])
    with django_assert_max_num_queries(12):
        client.get(url)
    for _ in range(2):
        decide(users["vae_jury"], newcomer(), [])
    with django_assert_max_num_queries(12):
        assert text_of(client.get(url)).count("Modifier la décision") == 3


# the president's signature


def test_the_president_signs_from_the_page(
    client_for, partial, vae_session, django_capture_on_commit_callbacks
):
    client = client_for("vae_jury")
    url = reverse("vae:minutes", args=[vae_session.pk])
    assert "Signer le procès-verbal" in text_of(client.get(url))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"confirm": "on"})
    assert response.status_code == 302
    page = text_of(client.get(url))
    minutes = VaeMinutes.objects.get()
    assert minutes.sha256 in page and reverse("vae:minutes_download", args=[vae_session.pk]) in page
    assert "CCP émis : 2" in page


def test_the_signature_needs_the_confirmation(client_for, partial, vae_session):
    response = client_for("vae_jury").post(reverse("vae:minutes", args=[vae_session.pk]), {})
    assert response.status_code == 200 and "Cochez la case de confirmation" in text_of(response)
    assert not VaeMinutes.objects.exists()


def test_a_member_who_does_not_preside_may_not_sign(client, jurors, partial, vae_session):
    client.force_login(jurors["bruno"])
    url = reverse("vae:minutes", args=[vae_session.pk])
    assert "Signer le procès-verbal" not in text_of(client.get(url))
    assert client.post(url, {"confirm": "on"}).status_code == 403


def test_after_signature_the_decisions_page_has_no_form(client_for, signed, vae_session):
    page = text_of(client_for("vae_jury").get(reverse("vae:deliberation", args=[vae_session.pk])))
    assert "Le procès-verbal est signé" in page and "Modifier la décision" not in page


# the outcome on the application page


def test_the_candidate_reads_the_outcome_and_her_certificates_link_once_signed(client_for, signed, partial):
    application = partial.candidacy.application
    page = text_of(client_for("candidate").get(reverse("vae:application_detail", args=[application.pk])))
    assert "Décision du jury VAE" in page and "Validation partielle" in page and ARGUMENT in page
    assert "RNCP35729BC01" in page and reverse("certificates:mine") in page


@pytest.mark.parametrize(
    ("persona", "reads"),
    [("national_admin", True), ("vae_jury", True), ("crfp_staff", False), ("cpnefp", False)],
)
def test_the_jurys_reasons_are_read_by_the_candidate_the_administrator_and_the_jury_only(
    client_for, signed, partial, persona, reads
):
    application = partial.candidacy.application
    page = text_of(client_for(persona).get(reverse("vae:application_detail", args=[application.pk])))
    assert "Validation partielle" in page and (ARGUMENT in page) is reads


def test_the_outcome_is_not_shown_before_the_signature(client_for, partial):
    application = partial.candidacy.application
    page = text_of(client_for("candidate").get(reverse("vae:application_detail", args=[application.pk])))
    assert "Décision du jury VAE" not in page and ARGUMENT not in page


# the employer


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_opens_the_employers_vae_outcomes(client_for, persona):
    response = client_for(persona).get(reverse("vae:employer_outcomes"))
    assert response.status_code == (
        200 if persona == "employer_hr" else 302 if persona == "anonymous" else 403
    )


def test_the_funding_employer_reads_the_outcome_only(client_for, signed, partial):
    page = text_of(client_for("employer_hr").get(reverse("vae:employer_outcomes")))
    assert "MARTIN Léa" in page and "Validation partielle" in page and "RNCP35729BC01" in page
    assert ARGUMENT not in page
    application = partial.candidacy.application
    assert client_for("employer_hr").get(
        reverse("vae:application_detail", args=[application.pk])
    ).status_code in (
        403,
        404,
    )


def test_an_employer_reads_only_the_outcomes_of_the_applications_it_funds(
    users, organisations, client_for, partial, vae_session, newcomer, django_capture_on_commit_callbacks
):
    decide(users["vae_jury"], newcomer(funder=organisations["other_employer"]), [])
    decide(users["vae_jury"], newcomer(), [])
    assert sign(users["vae_jury"], vae_session, django_capture_on_commit_callbacks).status == JobStatus.DONE
    page = text_of(client_for("employer_hr").get(reverse("vae:employer_outcomes")))
    assert "MARTIN Léa" in page and "ROUX Zoé" not in page


def test_an_unsigned_outcome_is_not_shown_to_the_employer(client_for, partial):
    page = text_of(client_for("employer_hr").get(reverse("vae:employer_outcomes")))
    assert "MARTIN Léa" not in page
    home = text_of(client_for("employer_hr").get(reverse("people:home")))
    assert '<span class="count">0</span> résultat de VAE financée' in home


def test_the_employers_home_page_counts_the_signed_outcomes_it_funds(client_for, signed):
    home = text_of(client_for("employer_hr").get(reverse("people:home")))
    assert '<span class="count">1</span> résultat de VAE financée' in home
    assert reverse("vae:employer_outcomes") in home


def test_the_employers_list_reads_in_a_bounded_number_of_queries(
    users,
    organisations,
    client_for,
    partial,
    vae_session,
    newcomer,
    django_capture_on_commit_callbacks,
    django_assert_max_num_queries,
):
    for _ in range(2):
        decide(users["vae_jury"], newcomer(funder=organisations["employer"]), [])
    sign(users["vae_jury"], vae_session, django_capture_on_commit_callbacks)
    client = client_for("employer_hr")
    with django_assert_max_num_queries(6):
        page = text_of(client.get(reverse("vae:employer_outcomes")))
    assert page.count("<tr>") == 1 + 3
