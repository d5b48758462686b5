"""D24, D25, D57: after release, the candidate reads their marks, the decision in force and the jury's
comments, signed in or with candidate number and date of birth; the employer's HR reads the outcome of
its own employees and their option's continuous-assessment marks, nothing else; before release nobody
reads anything of the results. The results e-mails go out at the release time."""

import html
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from certifier.core.enums import AuditAction
from certifier.core.models import AuditEvent
from certifier.exams.services import do_register
from certifier.juries.amendments import do_open_amendment
from certifier.juries.deliberation import decisions_in_force, do_decide
from certifier.juries.models import JuryStatus
from certifier.juries.notifications import schedule_results_notices, send_results_notices
from certifier.juries.sitting import do_open_deliberation, do_record_attendance
from certifier.people.enums import Role
from tests.exams.conftest import registration_of
from tests.factories import MembershipFactory
from tests.juries.minutes_fixtures import sign, signing_files, signing_settings  # noqa: F401
from tests.juries.results import COMMENT, decide, proclaim
from tests.personas import PERSONAS

pytestmark = pytest.mark.django_db

DUMMY_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def decided(users, deliberation):
    decide(users, deliberation)
    return deliberation


@pytest.fixture
def released(users, decided, django_capture_on_commit_callbacks):
    return proclaim(users, decided, django_capture_on_commit_callbacks)


def text_of(response) -> str:
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def status_of(session, birth_name: str) -> str:
    registration = registration_of(session, birth_name)
    return JuryStatus(decisions_in_force([registration])[registration.pk].confirmed_status).label


def lookup(client, registration, birth_date=None):
    return client.post(
        reverse("juries:results_lookup"),
        {
            "number": registration.candidate_number,
            "birth_date": (birth_date or registration.enrolment.candidate.birth_date).isoformat(),
        },
    )


# who opens the pages


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_opens_the_candidates_results_page(client_for, released, persona):
    response = client_for(persona).get(reverse("juries:my_results"))
    expected = 302 if persona == "anonymous" else (200 if persona == "candidate" else 403)
    assert response.status_code == expected


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_opens_the_employers_results_page(client_for, released, persona):
    response = client_for(persona).get(reverse("juries:employer_results", args=[released.pk]))
    expected = 302 if persona == "anonymous" else (200 if persona == "employer_hr" else 403)
    assert response.status_code == expected


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_lookup_is_open_to_everyone(client_for, persona):
    assert client_for(persona).get(reverse("juries:results_lookup")).status_code == 200


def test_an_employer_without_employees_in_the_session_is_not_found(client, organisations, released):
    hr = MembershipFactory(organisation=organisations["other_employer"], role=Role.EMPLOYER_HR).user
    hr_elsewhere = MembershipFactory(
        organisation=MembershipFactory().organisation, role=Role.EMPLOYER_HR
    ).user
    client.force_login(hr)
    assert client.get(reverse("juries:employer_results", args=[released.pk])).status_code == 200
    client.force_login(hr_elsewhere)
    assert client.get(reverse("juries:employer_results", args=[released.pk])).status_code == 404
    assert client.get(reverse("juries:employer_results", args=[released.pk + 1000])).status_code == 404


# the candidate, signed in


def test_after_release_the_candidate_reads_every_mark_the_decision_and_the_jurys_comments(
    client_for, released
):
    page = text_of(client_for("candidate").get(reverse("juries:my_results")))
    assert str(released) in page
    assert status_of(released, "Martin") in page
    assert "14,5 sur 20" in page and "11 sur 20" in page and "sans note" in page
    assert COMMENT in page
    assert registration_of(released, "Martin").candidate_number in page
    assert registration_of(released, "Durand").candidate_number not in page
    assert "pas encore publiés" not in page


@pytest.mark.parametrize("release_in", [None, timedelta(hours=2)])
def test_before_release_the_candidate_reads_nothing_of_the_results(
    users, client_for, decided, django_capture_on_commit_callbacks, release_in
):
    """Not proclaimed yet (no date said), or proclaimed with the results released later (the date said)."""
    if release_in is not None:
        proclaim(users, decided, django_capture_on_commit_callbacks, timezone.now() + release_in)
    page = text_of(client_for("candidate").get(reverse("juries:my_results")))
    assert "pas encore publiés" in page
    assert ("Ils le seront le" in page) is (release_in is not None)
    for shown in ("14,5", "11 sur 20", COMMENT, "Certifié", "Non certifié", "reportée", "Décision du jury"):
        assert shown not in page


def results_of(page: str) -> str:
    """The page from its title on (the menu's CSRF token changes with each response)."""
    return page[page.index("<h1>") :]


def test_the_candidates_page_reads_in_a_bounded_number_of_queries(
    client_for, released, django_assert_max_num_queries
):
    """Rendered once (session, user, roles, the cache key, registrations, marks, decisions), then read
    from the cache: the session, the user, their roles and the cache key only."""
    client = client_for("candidate")
    with django_assert_max_num_queries(7):
        first = text_of(client.get(reverse("juries:my_results")))
    with django_assert_max_num_queries(4):
        again = text_of(client.get(reverse("juries:my_results")))
    assert results_of(again) == results_of(first) and COMMENT in results_of(again)


@override_settings(RESULTS_PAGE_CACHE=False)
def test_without_a_shared_cache_the_page_is_rendered_each_time(
    client_for, released, django_assert_max_num_queries
):
    client = client_for("candidate")
    for _ in range(2):
        with django_assert_max_num_queries(6):
            assert COMMENT in text_of(client.get(reverse("juries:my_results")))


def test_the_kept_page_is_the_candidates_own_and_never_kept_by_the_browser(users, client_for, released):
    foreign = registration_of(released, "Durand")
    other = MembershipFactory(user__email="durand@test.example", role=Role.CANDIDATE).user
    type(foreign.enrolment.candidate).objects.filter(pk=foreign.enrolment.candidate_id).update(user=other)
    own = registration_of(released, "Martin")
    theirs = Client()
    theirs.force_login(other)
    for _ in range(2):  # rendered, then read from the cache
        mine = client_for("candidate").get(reverse("juries:my_results"))
        page = text_of(mine)
        assert own.candidate_number in page and foreign.candidate_number not in page
        other_page = text_of(theirs.get(reverse("juries:my_results")))
        assert foreign.candidate_number in other_page and own.candidate_number not in other_page
        assert {"private", "no-store"} <= {part.strip() for part in mine["Cache-Control"].split(",")}
    client = client_for("candidate")
    client.get(reverse("juries:my_results"))
    client.post(reverse("people:logout"))
    assert client.get(reverse("juries:my_results")).status_code == 302


def test_a_page_kept_before_the_release_time_gives_way_to_the_results_at_that_time(
    users, client_for, decided, django_capture_on_commit_callbacks, monkeypatch
):
    proclaim(users, decided, django_capture_on_commit_callbacks, timezone.now() + timedelta(hours=2))
    client = client_for("candidate")
    assert "pas encore publiés" in text_of(client.get(reverse("juries:my_results")))
    later = timezone.now() + timedelta(hours=2, minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    page = text_of(client.get(reverse("juries:my_results")))
    assert "pas encore publiés" not in page and COMMENT in page


def test_once_an_amendment_is_signed_the_candidate_reads_the_amended_decision_only(
    users, client_for, decided, released, django_capture_on_commit_callbacks
):
    own = registration_of(released, "Martin")
    original = decisions_in_force([own])[own.pk].confirmed_status
    amended = JuryStatus.CERTIFIED if original != JuryStatus.CERTIFIED else JuryStatus.NOT_CERTIFIED
    admin = users["national_admin"]
    amendment = do_open_amendment(admin, released, "Erreur matérielle : une note d'oral mal reportée.")
    do_record_attendance(admin, amendment, decided.jury.members.all())
    reason, comment = "Note d'oral corrigée en séance.", "Décision rectifiée par le jury."
    do_decide(users["national_jury"], amendment, own, amended, {}, reason, 6, 0, 2, comment, False)
    pending = text_of(client_for("candidate").get(reverse("juries:my_results")))
    assert COMMENT in pending and comment not in pending  # not in force before its minutes are signed
    assert sign(admin, amendment, django_capture_on_commit_callbacks).status == "done"
    page = text_of(client_for("candidate").get(reverse("juries:my_results")))
    assert comment in page and COMMENT not in page
    assert JuryStatus(amended).label in page and JuryStatus(original).label not in page


# the candidate, by candidate number and date of birth


def test_the_lookup_shows_the_results_with_the_number_typed_loosely(client, released):
    own = registration_of(released, "Martin")
    typed = " " + own.candidate_number.replace("-", " ").lower() + " "
    page = text_of(
        client.post(
            reverse("juries:results_lookup"),
            {"number": typed, "birth_date": own.enrolment.candidate.birth_date.isoformat()},
        )
    )
    assert COMMENT in page and "14,5 sur 20" in page and status_of(released, "Martin") in page


def test_a_lookup_reads_in_a_bounded_number_of_queries(client, released, django_assert_max_num_queries):
    """Both counters locked and created (each in its savepoint), the registration with its session, its
    marks, its decision in force: whatever the number of sessions and candidates."""
    own = registration_of(released, "Martin")
    own.enrolment.candidate  # noqa: B018 (read before counting: the test's own query)
    with django_assert_max_num_queries(13):
        page = text_of(lookup(client, own))
    assert COMMENT in page


def test_a_number_with_a_wrong_check_character_is_told_so_and_not_looked_up(client, released):
    own = registration_of(released, "Martin")
    wrong = own.candidate_number[:-1] + ("2" if own.candidate_number[-1] != "2" else "3")
    page = text_of(
        client.post(
            reverse("juries:results_lookup"),
            {"number": wrong, "birth_date": own.enrolment.candidate.birth_date.isoformat()},
        )
    )
    assert "Ce numéro de candidat n'est pas valide" in page
    assert COMMENT not in page


# the employer


def test_after_release_the_employer_reads_only_the_outcome_and_the_option_marks_of_its_employees(
    client_for, released
):
    response = client_for("employer_hr").get(reverse("juries:employer_results", args=[released.pk]))
    page = text_of(response)
    assert f'<a href="{reverse("people:home")}">Retour au tableau de bord</a>' in page
    assert "pour accompagner votre salarié dans sa formation" in page
    assert "MARTIN Léa" in page and status_of(released, "Martin") in page
    assert "14,5 sur 20" in page
    assert "11 sur 20" not in page and COMMENT not in page and "DURAND" not in page


def test_before_release_the_employer_reads_nothing_of_the_results(
    users, client_for, decided, django_capture_on_commit_callbacks
):
    session = proclaim(
        users, decided, django_capture_on_commit_callbacks, timezone.now() + timedelta(hours=2)
    )
    page = text_of(client_for("employer_hr").get(reverse("juries:employer_results", args=[session.pk])))
    assert "pas encore publiés" in page
    assert "MARTIN" not in page and "14,5" not in page and status_of(session, "Martin") not in page


def test_the_employers_page_reads_in_a_bounded_number_of_queries(
    client_for, released, django_assert_max_num_queries
):
    client = client_for("employer_hr")
    url = reverse("juries:employer_results", args=[released.pk])
    client.get(url)
    with django_assert_max_num_queries(6):
        text_of(client.get(url))


# the e-mails


def test_signing_the_minutes_schedules_the_results_emails_at_the_release_time(
    users, decided, django_capture_on_commit_callbacks
):
    session = proclaim(
        users, decided, django_capture_on_commit_callbacks, timezone.now() + timedelta(hours=2)
    )
    assert mail.outbox == []  # the tests' immediate backend ran the task at once: not released, nothing sent
    assert not AuditEvent.objects.filter(action=AuditAction.RESULTS_NOTICES_SENT).exists()
    with override_settings(TASKS=DUMMY_TASKS):
        schedule_results_notices(session)
        [result] = send_results_notices.get_backend().results
    assert result.task.run_after == session.released_at
    assert result.args == [session.pk]


def test_at_release_the_candidates_and_their_employers_hr_are_told_where_to_read_the_results(
    users, organisations, decided, django_capture_on_commit_callbacks
):
    MembershipFactory(
        user__email="hr@cpam.test.example",
        organisation=organisations["other_employer"],
        role=Role.EMPLOYER_HR,
    )
    released = proclaim(users, decided, django_capture_on_commit_callbacks)  # released now: sent at once
    assert sorted(message.to[0] for message in mail.outbox) == [
        "candidate@test.example",
        "employer_hr@test.example",
        "hr@cpam.test.example",
    ]
    for message in mail.outbox:
        assert len(message.to) == 1
        assert str(released) in message.subject
        assert "14,5" not in message.body and COMMENT not in message.body
        assert status_of(released, "Martin") not in message.body
    candidate = next(message for message in mail.outbox if message.to == ["candidate@test.example"])
    assert (
        reverse("juries:my_results") in candidate.body and reverse("juries:results_lookup") in candidate.body
    )
    employer = next(message for message in mail.outbox if message.to == ["employer_hr@test.example"])
    assert reverse("juries:employer_results", args=[released.pk]) in employer.body
    event = AuditEvent.objects.get(action=AuditAction.RESULTS_NOTICES_SENT)
    assert event.after == {"candidates": 1, "employers": 2}


def test_the_results_emails_go_out_once(released):
    sent = len(mail.outbox)
    assert sent == 2
    assert send_results_notices.call(released.pk) == 0
    assert len(mail.outbox) == sent


# the way in


def test_the_candidate_and_the_employer_find_the_results_from_their_dashboard(client_for, released):
    candidate = text_of(client_for("candidate").get(reverse("people:home")))
    assert reverse("juries:my_results") in candidate
    employer = text_of(client_for("employer_hr").get(reverse("people:home")))
    assert reverse("juries:employer_results", args=[released.pk]) in employer


def test_the_employers_dashboard_links_no_session_before_its_release(
    users, client_for, decided, django_capture_on_commit_callbacks
):
    session = proclaim(
        users, decided, django_capture_on_commit_callbacks, timezone.now() + timedelta(hours=2)
    )
    employer = text_of(client_for("employer_hr").get(reverse("people:home")))
    assert reverse("juries:employer_results", args=[session.pk]) not in employer


def test_the_lookup_is_in_the_menu_of_a_visitor(client_for):
    assert reverse("juries:results_lookup") in text_of(client_for("anonymous").get(reverse("people:home")))


# the blocks scheme (D16, D18): the blocks the jury validated


@pytest.fixture
def blocks_released(users, make_national_jury, session, own, django_capture_on_commit_callbacks):
    """A blocks-scheme session, `own` (the candidate persona, at the personas' employer) deferred with
    RNCP35729BC01 validated and RNCP35729BC02 not, reasoned and voted, the minutes signed."""
    do_register(None, session, [own])
    jury = make_national_jury(session)
    admin = users["national_admin"]
    opened = do_open_deliberation(admin, jury, session.national_jury_date, jury.place)
    do_record_attendance(admin, opened, jury.members.all())
    do_decide(
        admin,
        opened,
        session.registrations.get(),
        JuryStatus.DEFERRED,
        {"RNCP35729BC01": "validated", "RNCP35729BC02": "not_validated"},
        "Épreuve du bloc 1 validée en séance.",
        6,
        1,
        1,
        COMMENT,
        False,
    )
    return proclaim(users, opened, django_capture_on_commit_callbacks)


def test_the_candidate_and_the_employer_read_the_blocks_the_jury_validated(client_for, blocks_released):
    candidate = text_of(client_for("candidate").get(reverse("juries:my_results")))
    assert "Décision reportée" in candidate and COMMENT in candidate
    assert re.search(r"Bloc RNCP35729BC01 — [^<]+</dt><dd>Validé</dd>", candidate)
    assert re.search(r"Bloc RNCP35729BC02 — [^<]+</dt><dd>Non validé</dd>", candidate)
    employer = text_of(
        client_for("employer_hr").get(reverse("juries:employer_results", args=[blocks_released.pk]))
    )
    assert "Décision reportée" in employer and "<td>RNCP35729BC01</td>" in employer
    assert "RNCP35729BC02" not in employer and COMMENT not in employer
