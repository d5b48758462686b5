"""The VAE jury's pages (D65, D66): who opens them, what the CPNEFP does there, what a member asks, what
the candidate reads of their convocation, and how many queries they cost."""

import html
from datetime import date, timedelta

import pytest
from django.urls import reverse

from certifier.core.enums import AuditAction
from certifier.core.models import AuditEvent
from certifier.vae.jury import do_appoint_session, do_schedule
from certifier.vae.models import VaeCandidacy, VaeJuryMember, VaeJurySession
from tests.personas import PERSONAS
from tests.vae import jury_fixtures
from tests.vae.jury_fixtures import HELD_ON, seat, slot

pytestmark = pytest.mark.django_db

jurors = jury_fixtures.jurors
session = jury_fixtures.session
composed = jury_fixtures.composed
submitted = jury_fixtures.submitted

JURY_PAGE_CODES = {"cpnefp": 200, "national_admin": 200, "vae_jury": 200, "anonymous": 302}


@pytest.fixture
def sitting(users, composed):
    """The `vae_jury` persona sits in the composed jury."""
    seat(users, composed, "vae_jury@test.example", sex="M", qualified=False)
    return composed


@pytest.fixture
def elsewhere(users, vae_version, jurors):
    """Another session, without the `vae_jury` persona, with Paul Durand scheduled."""
    other = do_appoint_session(
        users["cpnefp"], version=vae_version, held_on=HELD_ON + timedelta(days=14), place="CRFP de Lyon"
    )
    seat(users, other, "chloe@test.example", president=True)
    seat(users, other, "bruno@test.example", sex="M")
    return other


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_sessions_list_opens_to_the_cpnefp_the_national_admin_and_the_vae_jury(client_for, persona):
    response = client_for(persona).get(reverse("vae:jury_sessions"))
    assert response.status_code == JURY_PAGE_CODES.get(persona, 403)


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_cpnefp_opens_the_appointment_form(client_for, persona, vae_version):
    response = client_for(persona).get(reverse("vae:jury_session_create"))
    expected = {"cpnefp": 200, "anonymous": 302}.get(persona, 403)
    assert response.status_code == expected


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_session_page_opens_to_the_cpnefp_the_national_admin_and_its_members(
    client_for, sitting, persona
):
    response = client_for(persona).get(reverse("vae:jury_session", args=[sitting.pk]))
    assert response.status_code == JURY_PAGE_CODES.get(persona, 403)


def test_a_vae_jury_member_counts_every_member_of_their_session(client_for, sitting):
    listing = client_for("vae_jury").get(reverse("vae:jury_sessions")).content.decode()
    assert '<td class="num">3</td>' in listing  # Anne Petit, Bruno Morel and the persona


def test_a_vae_jury_member_sees_neither_another_session_nor_its_candidates(
    users, client_for, sitting, elsewhere, submitted
):
    candidacy = do_schedule(
        users["cpnefp"], elsewhere, submitted(other=True), interview_at=slot(9, day=elsewhere.held_on)
    )
    client = client_for("vae_jury")
    listing = client.get(reverse("vae:jury_sessions")).content.decode()
    assert reverse("vae:jury_session", args=[sitting.pk]) in listing
    assert reverse("vae:jury_session", args=[elsewhere.pk]) not in listing and "CRFP de Lyon" not in listing
    assert client.get(reverse("vae:jury_session", args=[elsewhere.pk])).status_code == 404
    assert client.get(reverse("vae:application_detail", args=[candidacy.application_id])).status_code == 404
    asked = client.post(
        reverse("vae:jury_interview_request", args=[candidacy.pk]),
        {f"demande-{candidacy.pk}-reason": "Voir."},
    )
    assert asked.status_code == 404


def test_the_cpnefp_appoints_a_session_through_the_form(users, client_for, vae_version):
    response = client_for("cpnefp").post(
        reverse("vae:jury_session_create"),
        {"version": vae_version.pk, "held_on": HELD_ON.isoformat(), "place": "Ucanss, Paris"},
    )
    appointed = VaeJurySession.objects.get()
    assert (appointed.place, appointed.held_on, appointed.appointed_by) == (
        "Ucanss, Paris",
        HELD_ON,
        users["cpnefp"],
    )
    assert response.url == reverse("vae:jury_session", args=[appointed.pk])
    assert AuditEvent.objects.filter(action=AuditAction.VAE_JURY_APPOINTED).count() == 1


def test_a_session_in_the_past_is_refused_on_the_form(client_for, vae_version):
    response = client_for("cpnefp").post(
        reverse("vae:jury_session_create"),
        {
            "version": vae_version.pk,
            "held_on": (date.today() - timedelta(days=2)).isoformat(),
            "place": "Paris",
        },
    )
    assert response.status_code == 200
    assert "La date de la séance est passée" in html.unescape(response.content.decode())


def test_the_cpnefp_seats_a_member_and_sees_the_composition_problems(client_for, session, jurors):
    client = client_for("cpnefp")
    page = html.unescape(client.get(reverse("vae:jury_session", args=[session.pk])).content.decode())
    assert "Le jury VAE compte au moins deux membres ; il en compte 0." in page
    response = client.post(
        reverse("vae:jury_member_add", args=[session.pk]),
        {
            "membre-email": "anne@test.example",
            "membre-capacity": "Conseillère, professionnelle du métier",
            "membre-sex": "F",
            "membre-qualified": "on",
            "membre-president": "on",
        },
    )
    assert response.status_code == 302
    member = VaeJuryMember.objects.get(session=session)
    assert (member.last_name, member.president, member.qualified) == ("Petit", True, True)
    page = html.unescape(client.get(reverse("vae:jury_session", args=[session.pk])).content.decode())
    assert "il en compte 1" in page and "composition déséquilibrée entre femmes et hommes" in page


def test_an_account_without_the_role_is_refused_on_the_page(client_for, session):
    response = client_for("cpnefp").post(
        reverse("vae:jury_member_add", args=[session.pk]),
        {"membre-email": "tutor@test.example", "membre-capacity": "Tuteur", "membre-sex": "M"},
    )
    assert response.status_code == 200
    assert "ne détient le rôle « Jury VAE »" in html.unescape(response.content.decode())
    assert not VaeJuryMember.objects.exists()


@pytest.mark.parametrize("persona", ["national_admin", "vae_jury"])
def test_the_national_admin_and_the_members_only_read_the_composition(client_for, sitting, persona):
    member = sitting.members.first()
    client = client_for(persona)
    assert client.post(reverse("vae:jury_member_remove", args=[sitting.pk, member.pk])).status_code == 403
    assert client.post(reverse("vae:jury_member_add", args=[sitting.pk]), {}).status_code == 403
    page = client.get(reverse("vae:jury_session", args=[sitting.pk])).content.decode()
    assert reverse("vae:jury_member_add", args=[sitting.pk]) not in page
    assert sitting.members.count() == 3


def test_the_cpnefp_removes_a_member_from_the_page(client_for, sitting, users):
    member = sitting.members.get(user=users["vae_jury"])
    response = client_for("cpnefp").post(reverse("vae:jury_member_remove", args=[sitting.pk, member.pk]))
    assert response.status_code == 302
    assert not sitting.members.filter(pk=member.pk).exists()


def test_the_cpnefp_schedules_a_candidate_at_a_time_of_the_session_day(client_for, composed, submitted):
    application = submitted()
    client = client_for("cpnefp")
    page = client.get(reverse("vae:jury_session", args=[composed.pk])).content.decode()
    assert f'value="{application.pk}"' in page
    response = client.post(
        reverse("vae:jury_schedule", args=[composed.pk]),
        {"inscription-application": application.pk, "inscription-interview_time": "09:30"},
    )
    assert response.status_code == 302
    assert VaeCandidacy.objects.get(application=application).interview_at == slot(9, 30)
    page = client.get(reverse("vae:jury_session", args=[composed.pk])).content.decode()
    assert "MARTIN Léa" in page and "09:30" in page


def test_a_clash_is_refused_on_the_page(users, client_for, composed, submitted):
    do_schedule(users["cpnefp"], composed, submitted(), interview_at=slot(9, 30))
    other = submitted(other=True)
    response = client_for("cpnefp").post(
        reverse("vae:jury_schedule", args=[composed.pk]),
        {"inscription-application": other.pk, "inscription-interview_time": "09:30"},
    )
    assert response.status_code == 200
    assert "Un autre candidat a déjà un entretien à 09:30" in html.unescape(response.content.decode())
    assert not VaeCandidacy.objects.filter(application=other).exists()


def test_a_member_asks_for_an_interview_from_the_page_and_the_cpnefp_sets_it(
    users, client_for, sitting, submitted
):
    candidacy = do_schedule(
        users["cpnefp"], sitting, submitted(prior_certification="vademecaf", obtained_on=date(2011, 6, 1))
    )
    member = client_for("vae_jury")
    page = html.unescape(member.get(reverse("vae:jury_session", args=[sitting.pk])).content.decode())
    assert "Décision sur dossier" in page
    response = member.post(
        reverse("vae:jury_interview_request", args=[candidacy.pk]),
        {f"demande-{candidacy.pk}-reason": "Préciser la gestion des flux."},
    )
    assert response.status_code == 302
    candidacy.refresh_from_db()
    assert (candidacy.interview_requested_by, candidacy.interview_request_reason) == (
        users["vae_jury"],
        "Préciser la gestion des flux.",
    )
    response = client_for("cpnefp").post(
        reverse("vae:jury_interview_set", args=[candidacy.pk]),
        {f"entretien-{candidacy.pk}-interview_time": "16:00"},
    )
    assert response.status_code == 302
    candidacy.refresh_from_db()
    assert candidacy.interview_at == slot(16)


@pytest.mark.parametrize(("persona", "code"), [("candidate", 200), ("crfp_staff", 200), ("cpnefp", 200)])
def test_the_application_page_shows_the_convocation(users, client_for, composed, submitted, persona, code):
    application = submitted()
    do_schedule(users["cpnefp"], composed, application, interview_at=slot(14, 15))
    response = client_for(persona).get(reverse("vae:application_detail", args=[application.pk]))
    assert response.status_code == code
    page = html.unescape(response.content.decode())
    assert "Passage devant le jury VAE" in page and "Ucanss, Paris" in page and "à 14:15" in page


def test_the_convocation_of_a_dossier_only_candidate_says_so(users, client_for, composed, submitted):
    application = submitted(prior_certification="tam_tam", obtained_on=date(2009, 6, 1))
    do_schedule(users["cpnefp"], composed, application)
    page = html.unescape(
        client_for("candidate").get(reverse("vae:application_detail", args=[application.pk])).content.decode()
    )
    assert "décision sur dossier" in page


def test_the_sessions_list_costs_a_bounded_number_of_queries(
    users, client_for, vae_version, jurors, django_assert_max_num_queries
):
    for day in range(6):
        other = do_appoint_session(
            users["cpnefp"], version=vae_version, held_on=HELD_ON + timedelta(days=day), place=f"Salle {day}"
        )
        seat(users, other, "anne@test.example", president=True)
        seat(users, other, "vae_jury@test.example", sex="M")
    for persona in ("cpnefp", "vae_jury"):
        client = client_for(persona)
        with django_assert_max_num_queries(6):
            response = client.get(reverse("vae:jury_sessions"))
        assert response.content.decode().count("Salle ") == 6


def test_the_session_page_costs_a_bounded_number_of_queries(
    users, client_for, sitting, submitted, django_assert_max_num_queries
):
    do_schedule(users["cpnefp"], sitting, submitted(), interview_at=slot(9))
    do_schedule(
        users["cpnefp"],
        sitting,
        submitted(other=True, prior_certification="tam_tam", obtained_on=date(2010, 1, 1)),
    )
    for persona in ("cpnefp", "vae_jury", "national_admin"):
        client = client_for(persona)
        with django_assert_max_num_queries(12):
            response = client.get(reverse("vae:jury_session", args=[sitting.pk]))
        assert "DURAND Paul" in response.content.decode()
