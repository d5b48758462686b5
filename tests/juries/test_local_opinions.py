"""D19, D51: the local jury of a CRFP gives each of its candidates an opinion of attribution or
non-attribution of the CQP, the latter argued for the national jury; its CRFP and the national
administrator read them."""

import html

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from certifier.core.enums import AuditAction
from certifier.core.models import AuditEvent, DomainError, NotAllowed
from certifier.exams.services import do_register
from certifier.juries.models import LocalOpinion
from certifier.juries.services import do_give_opinion
from tests.exams.conftest import registration_of
from tests.factories import CandidateFactory, EnrolmentFactory
from tests.personas import PERSONAS

pytestmark = pytest.mark.django_db

READERS = {"national_admin", "crfp_staff", "local_jury"}


def url_of(session) -> str:
    return reverse("juries:local_opinions", args=[session.pk])


def page_of(client, session) -> str:
    response = client.get(url_of(session))
    assert response.status_code == 200
    return html.unescape(response.content.decode())


# the service


def test_the_local_jury_gives_an_opinion_and_each_change_is_audited_before_and_after(users, marks_session):
    own = registration_of(marks_session, "Martin")
    jury = users["local_jury"]
    do_give_opinion(jury, own, True, "")
    do_give_opinion(jury, own, False, "  Moyenne insuffisante à l'oral.  ")
    opinion = LocalOpinion.objects.get(registration=own)
    assert (opinion.favourable, opinion.argument, opinion.given_by) == (
        False,
        "Moyenne insuffisante à l'oral.",
        jury,
    )
    events = AuditEvent.objects.filter(object_type="juries.LocalOpinion").order_by("id")
    assert [(event.action, event.before, event.after) for event in events] == [
        (AuditAction.LOCAL_OPINION_GIVEN, None, {"favourable": True, "argument": ""}),
        (
            AuditAction.LOCAL_OPINION_CHANGED,
            {"favourable": True, "argument": ""},
            {"favourable": False, "argument": "Moyenne insuffisante à l'oral."},
        ),
    ]
    assert all(event.actor == jury for event in events)


def test_giving_the_same_opinion_again_writes_nothing(users, marks_session):
    own = registration_of(marks_session, "Martin")
    do_give_opinion(users["local_jury"], own, False, "Argument")
    do_give_opinion(users["local_jury"], own, False, "Argument ")
    assert AuditEvent.objects.filter(object_type="juries.LocalOpinion").count() == 1


@pytest.mark.parametrize("argument", ["", "   \n "])
def test_a_non_attribution_without_an_argument_is_refused(users, marks_session, argument):
    with pytest.raises(DomainError, match="argumenté pour le jury national"):
        do_give_opinion(users["local_jury"], registration_of(marks_session, "Martin"), False, argument)
    assert not LocalOpinion.objects.exists()
    assert not AuditEvent.objects.filter(object_type="juries.LocalOpinion").exists()


def test_an_argument_too_long_is_refused(users, marks_session):
    with pytest.raises(DomainError, match="5000 au plus"):
        do_give_opinion(users["local_jury"], registration_of(marks_session, "Martin"), False, "x" * 5001)
    assert not LocalOpinion.objects.exists()


@pytest.mark.parametrize(
    "persona", sorted({"national_admin", "crfp_staff", "national_jury", "marker", "outsider"})
)
def test_only_the_local_jury_gives_an_opinion(users, marks_session, persona):
    with pytest.raises(NotAllowed):
        do_give_opinion(users[persona], registration_of(marks_session, "Martin"), True, "")
    assert not LocalOpinion.objects.exists()


def test_the_system_gives_no_opinion(marks_session):
    with pytest.raises(NotAllowed):
        do_give_opinion(None, registration_of(marks_session, "Martin"), True, "")


def test_a_local_jury_gives_no_opinion_on_another_crfps_candidate(users, marks_session):
    with pytest.raises(NotAllowed, match="jury local du CRFP du candidat"):
        do_give_opinion(users["local_jury"], registration_of(marks_session, "Durand"), True, "")
    assert not LocalOpinion.objects.exists()


def test_a_blocks_scheme_session_takes_no_local_opinion(users, organisations, session):
    do_register(
        None, session, [EnrolmentFactory(version=session.version, training_centre=organisations["crfp"])]
    )
    registration = session.registrations.get()
    with pytest.raises(DomainError, match="dispositif 2013"):
        do_give_opinion(users["local_jury"], registration, True, "")
    assert not LocalOpinion.objects.exists()


# the page


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_opens_the_local_opinions_page(client_for, marks_session, persona):
    response = client_for(persona).get(url_of(marks_session))
    expected = 302 if persona == "anonymous" else (200 if persona in READERS else 403)
    assert response.status_code == expected


def test_an_unknown_session_is_not_found(client_for, marks_session):
    assert (
        client_for("local_jury")
        .get(reverse("juries:local_opinions", args=[marks_session.pk + 99]))
        .status_code
        == 404
    )


def test_the_local_jury_sees_its_crfps_candidates_with_a_form_each(client_for, marks_session):
    page = page_of(client_for("local_jury"), marks_session)
    own = registration_of(marks_session, "Martin")
    assert "MARTIN Léa" in page and own.candidate_number in page
    assert "DURAND" not in page and registration_of(marks_session, "Durand").candidate_number not in page
    assert f'name="inscription" value="{own.pk}"' in page
    assert "En attente" in page  # the live outcome: no mark entered yet


def test_the_crfp_reads_its_candidates_opinions_without_a_form(client_for, users, marks_session):
    do_give_opinion(users["local_jury"], registration_of(marks_session, "Martin"), False, "Oral trop faible.")
    page = page_of(client_for("crfp_staff"), marks_session)
    assert "MARTIN Léa" in page and "Avis défavorable" in page and "Oral trop faible." in page
    assert "DURAND" not in page
    assert 'name="inscription"' not in page


def test_the_national_admin_reads_every_crfps_opinions(client_for, users, marks_session):
    do_give_opinion(users["local_jury"], registration_of(marks_session, "Martin"), True, "")
    page = page_of(client_for("national_admin"), marks_session)
    assert "MARTIN Léa" in page and "DURAND Paul" in page
    assert "CRFP de Bordeaux" in page and "CRFP de Lyon" in page
    assert "Avis favorable" in page and "avis non donné" in page
    assert 'name="inscription"' not in page


def test_once_proclaimed_the_page_is_read_only_and_says_why(client_for, users, marks_session):
    own = registration_of(marks_session, "Martin")
    do_give_opinion(users["local_jury"], own, False, "Oral trop faible.")
    type(marks_session).objects.filter(pk=marks_session.pk).update(proclaimed_at=timezone.now())
    page = page_of(client_for("local_jury"), marks_session)
    assert "Les résultats de cette session ont été proclamés le" in page
    assert "ne sont plus modifiables" in page
    assert 'name="inscription"' not in page and "<form" not in page.split("<main", 1)[1]
    assert '<th scope="col">Résultat</th>' in page and "Résultat provisoire" not in page
    assert "Avis défavorable" in page and "Oral trop faible." in page


def test_once_proclaimed_a_posted_opinion_is_refused_and_nothing_changes(client_for, users, marks_session):
    own = registration_of(marks_session, "Martin")
    do_give_opinion(users["local_jury"], own, False, "Oral trop faible.")
    type(marks_session).objects.filter(pk=marks_session.pk).update(proclaimed_at=timezone.now())
    prefix = f"avis-{own.pk}"
    response = client_for("local_jury").post(
        url_of(marks_session), {"inscription": own.pk, f"{prefix}-opinion": "favorable"}, follow=True
    )
    assert "les avis ne sont plus modifiables" in html.unescape(response.content.decode())
    opinion = LocalOpinion.objects.get()
    assert (opinion.favourable, opinion.argument) == (False, "Oral trop faible.")


def test_the_opinion_is_chosen_in_a_group_of_radio_buttons(client_for, marks_session):
    own = registration_of(marks_session, "Martin")
    page = page_of(client_for("local_jury"), marks_session)
    assert '<fieldset class="choice-group">' in page and "<legend>Avis du jury local</legend>" in page
    assert f'<label class="choice" for="id_avis-{own.pk}-opinion_0">' in page


def test_the_local_jury_records_an_opinion_through_the_form(client_for, marks_session):
    own = registration_of(marks_session, "Martin")
    prefix = f"avis-{own.pk}"
    response = client_for("local_jury").post(
        url_of(marks_session),
        {"inscription": own.pk, f"{prefix}-opinion": "defavorable", f"{prefix}-argument": "Absent à l'oral."},
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"#candidat-{own.pk}")
    opinion = LocalOpinion.objects.get()
    assert (opinion.registration, opinion.favourable, opinion.argument) == (own, False, "Absent à l'oral.")


def test_an_unargued_non_attribution_is_shown_in_an_error_summary_and_nothing_is_written(
    client_for, marks_session
):
    own = registration_of(marks_session, "Martin")
    prefix = f"avis-{own.pk}"
    response = client_for("local_jury").post(
        url_of(marks_session),
        {"inscription": own.pk, f"{prefix}-opinion": "defavorable", f"{prefix}-argument": " "},
    )
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert "L'avis n'a pas été enregistré" in page
    assert "Un avis de non-attribution est argumenté pour le jury national" in page
    assert f'href="#id_{prefix}-argument"' in page and 'aria-invalid="true"' in page
    assert not LocalOpinion.objects.exists()


@pytest.mark.parametrize("persona", ["local_jury", "crfp_staff", "national_admin"])
def test_no_one_writes_through_the_page_an_opinion_the_service_would_refuse(
    client_for, marks_session, persona
):
    """The other CRFP's candidate for the local jury; any candidate for the readers; malformed ids."""
    client = client_for(persona)
    targets = [registration_of(marks_session, "Durand").pk, "x", 10**30, ""]
    if persona != "local_jury":
        targets.append(registration_of(marks_session, "Martin").pk)
    for target in targets:
        prefix = f"avis-{target}"
        response = client.post(
            url_of(marks_session), {"inscription": target, f"{prefix}-opinion": "favorable"}
        )
        assert response.status_code == 302
    assert not LocalOpinion.objects.exists()
    assert "ne relève pas de votre jury local" in html.unescape(
        client.get(url_of(marks_session)).content.decode()
    )


def test_a_blocks_scheme_session_page_says_there_is_no_local_opinion(client_for, organisations, session):
    do_register(
        None, session, [EnrolmentFactory(version=session.version, training_centre=organisations["crfp"])]
    )
    page = page_of(client_for("local_jury"), session)
    assert "le jury local n'y donne pas d'avis" in page
    assert 'name="inscription"' not in page


def test_the_session_page_links_the_opinions_for_the_local_jury_and_not_the_national_jury(
    client_for, marks_session
):
    link = url_of(marks_session)
    detail = reverse("exams:session_detail", args=[marks_session.pk])
    assert link in client_for("local_jury").get(detail).content.decode()
    assert link not in client_for("national_jury").get(detail).content.decode()


@pytest.mark.parametrize("persona", ["local_jury", "national_admin"])
def test_the_page_makes_a_constant_number_of_queries(
    client_for, users, organisations, marks_session, persona
):
    client = client_for(persona)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url_of(marks_session)).status_code == 200
        return len(captured)

    def register(how_many: int) -> None:
        enrolments = [
            EnrolmentFactory(
                version=marks_session.version,
                candidate=CandidateFactory(),
                training_centre=organisations["crfp"],
            )
            for _ in range(how_many)
        ]
        do_register(None, marks_session, enrolments)
        for registration in marks_session.registrations.filter(enrolment__in=enrolments)[: how_many // 2]:
            do_give_opinion(users["local_jury"], registration, registration.pk % 2 == 0, "Argumenté.")

    register(2)  # 3 candidates of the CRFP with Martin
    few = queries()
    register(27)  # 30
    many = queries()
    assert many == few


def test_the_local_jury_is_told_at_home_how_many_opinions_wait(client_for, users, marks_session):
    def home() -> str:
        return html.unescape(client_for("local_jury").get(reverse("people:home")).content.decode())

    # Martin Léa, the only candidate of its CRFP
    assert '<span class="count">1</span> avis du jury local à donner' in home()
    do_give_opinion(users["local_jury"], registration_of(marks_session, "Martin"), True, "")
    assert '<span class="count">0</span> avis du jury local à donner' in home()
