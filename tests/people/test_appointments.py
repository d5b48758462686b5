"""Issue 7 §1.2: the tutor and the manager are two different people of the candidate's employer;
an unknown address becomes an invited account that receives a link to choose its password."""

import re

import pytest
from django.urls import reverse

from certifier.pathways.importers import import_candidates
from certifier.pathways.models import Enrolment
from certifier.pathways.services import EnrolmentRefused, do_enrol, do_update_enrolment
from certifier.people.enums import Role
from certifier.people.models import Membership, User
from certifier.people.services import AppointmentRefused, Appointments
from tests.factories import MembershipFactory
from tests.pathways.test_import import row, xlsx

pytestmark = pytest.mark.django_db


def refusal(actor, data):
    with pytest.raises(EnrolmentRefused) as raised:
        do_enrol(actor, data)
    assert not Enrolment.objects.filter(candidate__employee_number=data.employee_number).exists()
    return raised.value.errors


@pytest.mark.parametrize(
    "persona",
    ["crfp_staff", "national_admin", "assessor", "candidate"],
)
def test_someone_holding_another_role_cannot_be_appointed_tutor(users, make_data, persona):
    memberships = Membership.objects.count()
    errors = refusal(users["crfp_staff"], make_data(tutor_email=f"{persona}@test.example"))
    assert errors == {
        "tutor_email": "Le tuteur doit être une personne de l'organisme employeur du candidat : cette adresse "
        "est celle d'un compte qui exerce un autre rôle sur la plateforme."
    }
    assert Membership.objects.count() == memberships


def test_another_employers_hr_cannot_be_appointed_manager(users, organisations, make_data):
    other_hr = MembershipFactory(
        user__email="rh@cpam.example", organisation=organisations["other_employer"], role=Role.EMPLOYER_HR
    ).user
    errors = refusal(users["crfp_staff"], make_data(manager_email=other_hr.email.upper()))
    assert list(errors) == ["manager_email"]
    assert errors["manager_email"].startswith("Le manager doit être une personne de l'organisme employeur")


def test_the_tutor_and_the_manager_must_be_two_people(users, make_data):
    errors = refusal(
        users["crfp_staff"], make_data(tutor_email="nouveau@caf.example", manager_email="Nouveau@CAF.example")
    )
    assert errors == {
        "manager_email": "Le tuteur et le manager doivent être deux personnes différentes : "
        "chacun signe le carnet de suivi."
    }
    assert not User.objects.filter(email="nouveau@caf.example").exists()


def test_the_employers_own_people_may_be_appointed(users, make_data):
    enrolment, invited = do_enrol(
        users["crfp_staff"],
        make_data(tutor_email="employer_hr@test.example", manager_email="manager@test.example"),
    )
    assert (enrolment.tutor, enrolment.manager, invited) == (users["employer_hr"], users["manager"], [])


def test_a_crfp_cannot_appoint_itself_when_editing_an_enrolment(users, own, make_data):
    data = make_data(employee_number=own.candidate.employee_number, tutor_email="crfp_staff@test.example")
    with pytest.raises(EnrolmentRefused) as raised:
        do_update_enrolment(users["crfp_staff"], own, data)
    assert "tutor_email" in raised.value.errors
    own.refresh_from_db()
    assert own.tutor == users["tutor"]


def test_an_invited_tutor_receives_a_link_and_chooses_a_password(
    users, organisations, make_data, mailoutbox, django_capture_on_commit_callbacks, client
):
    with django_capture_on_commit_callbacks(execute=True):
        do_enrol(users["crfp_staff"], make_data(tutor_email="nouvelle.tutrice@caf.example"))
    assert [message.to for message in mailoutbox] == [["nouvelle.tutrice@caf.example"]]
    body = mailoutbox[0].body
    assert "12 caractères au moins" in body
    link = re.search(r"http://\S+/mot-de-passe/\S+/", body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    form_page = client.get("/" + path, follow=True)
    assert form_page.status_code == 200
    assert form_page.context["validlink"]
    url = form_page.redirect_chain[-1][0] if form_page.redirect_chain else "/" + path
    too_short = client.post(url, {"new_password1": "court-123", "new_password2": "court-123"})
    assert too_short.status_code == 200
    assert not User.objects.get(email="nouvelle.tutrice@caf.example").has_usable_password()
    done = client.post(
        url, {"new_password1": "une-phrase-de-passe-longue", "new_password2": "une-phrase-de-passe-longue"}
    )
    assert done["Location"] == reverse("people:login")
    tutor = User.objects.get(email="nouvelle.tutrice@caf.example")
    assert tutor.check_password("une-phrase-de-passe-longue")
    # the link serves once
    assert not client.get(url).context["validlink"]


def test_no_invitation_leaves_when_the_enrolment_is_refused(
    users, make_data, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(EnrolmentRefused):
        do_enrol(users["crfp_staff"], make_data(tutor_email="x@caf.example", birth_name="12345 ###"))
    assert mailoutbox == []
    assert not User.objects.filter(email="x@caf.example").exists()


def test_an_import_cannot_appoint_one_new_address_at_two_employers(
    tmp_path, users, organisations, referential
):
    shared = {"Tuteur (courriel)": "partout@test.example"}
    rows = [
        row(**shared, **{"SIRET employeur": organisations["employer"].siret}),
        row(
            **shared,
            **{
                "SIRET employeur": organisations["other_employer"].siret,
                "Matricule": "B2",
                "Prénom": "Hugo",
            },
        ),
    ]
    report = import_candidates(users["national_admin"], xlsx(tmp_path, rows).read_bytes())
    assert [(error.line, error.column) for error in report.errors] == [(3, "Tuteur (courriel)")]
    assert not User.objects.filter(email="partout@test.example").exists()


def test_a_mail_server_down_does_not_undo_nor_break_the_enrolment(
    users, make_data, monkeypatch, django_capture_on_commit_callbacks
):
    def down(*args, **kwargs):
        raise ConnectionRefusedError("SMTP")

    monkeypatch.setattr("certifier.people.services.send_mail", down)
    with django_capture_on_commit_callbacks(execute=True):
        enrolment, invited = do_enrol(users["crfp_staff"], make_data(tutor_email="hors-ligne@caf.example"))
    assert invited == ["hors-ligne@caf.example"]
    assert enrolment.tutor.email == "hors-ligne@caf.example"


SELF = "Le tuteur ne peut pas être le candidat lui-même : le carnet de suivi atteste son travail."


def test_the_candidate_cannot_be_appointed_their_own_tutor(users, make_data, mailoutbox):
    errors = refusal(
        users["crfp_staff"],
        make_data(
            email="eloise@caf.example", tutor_email="Eloise@CAF.example", manager_email="chef@caf.example"
        ),
    )
    assert errors == {"tutor_email": SELF}
    assert not User.objects.filter(email__in=["eloise@caf.example", "chef@caf.example"]).exists()
    assert mailoutbox == []


def test_the_candidate_cannot_become_their_own_manager_on_an_edit(users, own, make_data):
    own.candidate.email = "lea@caf.example"
    own.candidate.save()
    data = make_data(
        birth_name=own.candidate.birth_name,
        first_name=own.candidate.first_name,
        birth_date=own.candidate.birth_date,
        employee_number=own.candidate.employee_number,
        email="lea@caf.example",
        tutor_email="tutor@test.example",
        manager_email="lea@caf.example",
    )
    with pytest.raises(EnrolmentRefused) as raised:
        do_update_enrolment(users["crfp_staff"], own, data)
    assert raised.value.errors["manager_email"].startswith("Le manager ne peut pas être le candidat lui-même")
    own.refresh_from_db()
    assert own.manager == users["manager"]


def test_an_import_cannot_make_a_candidate_their_own_manager(tmp_path, users, organisations, referential):
    candidate_row = row(
        **{
            "SIRET employeur": organisations["employer"].siret,
            "Courriel": "eloise@caf.example",
            "Manager (courriel)": "eloise@caf.example",
        }
    )
    report = import_candidates(users["crfp_staff"], xlsx(tmp_path, [candidate_row]).read_bytes())
    assert [(error.line, error.column) for error in report.errors] == [(2, "Manager (courriel)")]
    assert not User.objects.filter(email="eloise@caf.example").exists()


def test_a_person_appointed_elsewhere_meanwhile_is_refused_at_write_time(users, organisations, make_data):
    """Two enrolments checked at the same moment: the second one's write finds the role granted by the
    first (on PostgreSQL both read before either wrote) and refuses in French."""
    data = make_data(tutor_email="nouveau@caf.example")
    appointments = Appointments(users["crfp_staff"], ["nouveau@caf.example"])
    assert appointments.errors("nouveau@caf.example", "", organisations["other_employer"]) == {}
    do_enrol(users["crfp_staff"], data)  # the other request wins: tutor at the CAF
    with pytest.raises(AppointmentRefused) as raised:
        appointments.appoint("nouveau@caf.example", Role.TUTOR, organisations["other_employer"])
    assert raised.value.field == "tutor_email"
    assert str(raised.value).startswith("Le tuteur doit être une personne de l'organisme employeur")
    assert list(
        Membership.objects.filter(user__email="nouveau@caf.example").values_list("role", flat=True)
    ) == [Role.TUTOR]
