"""Enrolling one candidate: the guards of D3–D5, duplicates, invited tutors, the audit trail."""

from datetime import date

import pytest
from django.urls import reverse

from certifier.core.enums import AuditAction
from certifier.core.models import AuditEvent
from certifier.pathways.models import Candidate, Enrolment
from certifier.pathways.services import EnrolmentRefused, do_enrol, do_update_enrolment
from certifier.people.enums import Role
from certifier.people.models import Membership, User

pytestmark = pytest.mark.django_db


def refusal(actor, data):
    with pytest.raises(EnrolmentRefused) as raised:
        do_enrol(actor, data)
    return raised.value.errors


def test_enrolling_writes_the_candidate_the_enrolment_and_an_audit_event(users, make_data):
    enrolment, invited = do_enrol(users["crfp_staff"], make_data())
    assert invited == []
    assert enrolment.candidate.display_name == "LEFÈVRE Éloïse"
    assert enrolment.version.code == "rncp"
    event = AuditEvent.objects.get(action=AuditAction.CANDIDATE_ENROLLED)
    assert event.actor == users["crfp_staff"]
    assert event.after["employee_number"] == "A1001"
    assert event.after["training_centre"] == "CRFP de Bordeaux"
    assert enrolment.history.get().history_user == users["crfp_staff"]


def test_a_closed_access_route_is_refused(users, make_data):
    errors = refusal(users["crfp_staff"], make_data(access_route="apprenticeship"))
    assert errors == {
        "access_route": "La voie d'accès « En contrat d'apprentissage » n'est pas ouverte pour la certification RNCP35729."
    }


def test_a_start_after_the_end_of_registration_is_refused(users, make_data):
    errors = refusal(users["crfp_staff"], make_data(start_date=date(2026, 7, 9)))
    assert errors["start_date"].startswith(
        "La certification RNCP35729 n'accepte plus d'entrée en parcours après le 08/07/2026"
    )


def test_the_last_day_of_registration_is_accepted(users, make_data):
    enrolment, _ = do_enrol(users["crfp_staff"], make_data(start_date=date(2026, 7, 8)))
    assert enrolment.start_date == date(2026, 7, 8)


def test_a_candidate_must_be_pre_recruited_before_entering_the_path(users, make_data):
    errors = refusal(users["crfp_staff"], make_data(pre_recruitment_date=None))
    assert errors["pre_recruitment_date"].startswith("Prérequis manquant")
    errors = refusal(users["crfp_staff"], make_data(pre_recruitment_date=date(2026, 2, 1)))
    assert errors["pre_recruitment_date"] == (
        "Prérequis non rempli : le pré-recrutement (01/02/2026) doit précéder l'entrée en parcours (05/01/2026)."
    )


def test_a_vae_applicant_enters_no_training_and_needs_no_pre_recruitment(users, make_data):
    enrolment, _ = do_enrol(users["crfp_staff"], make_data(access_route="vae", pre_recruitment_date=None))
    assert enrolment.access_route == "vae"


def test_the_same_employee_number_at_the_same_employer_is_refused(users, make_data):
    do_enrol(users["crfp_staff"], make_data())
    errors = refusal(users["crfp_staff"], make_data(birth_name="Autre", first_name="Personne"))
    assert errors == {
        "employee_number": "Un candidat portant le matricule A1001 chez CAF de la Gironde est déjà inscrit."
    }


def test_the_same_identity_is_refused_whatever_the_case_accents_and_hyphens(users, organisations, make_data):
    do_enrol(users["crfp_staff"], make_data(birth_name="Le Fèvre-Dupont"))
    errors = refusal(
        users["national_admin"],
        make_data(
            birth_name="LE FEVRE DUPONT",
            first_name="eloise",
            employer=organisations["other_employer"],
            employee_number="Z9",
        ),
    )
    assert list(errors) == ["birth_name"]
    assert errors["birth_name"].startswith("Cette personne est déjà inscrite")


def test_a_different_birth_place_is_another_person(users, organisations, make_data):
    do_enrol(users["crfp_staff"], make_data())
    enrolment, _ = do_enrol(users["crfp_staff"], make_data(birth_insee_code="75056", employee_number="B2"))
    assert Candidate.objects.count() == 2
    assert enrolment.candidate.birth_insee_code == "75056"


def test_the_option_must_belong_to_the_version(users, make_data, referential):
    other_version_option = referential.versions.get(code="2013").options.get(code="recouvrement")
    errors = refusal(users["crfp_staff"], make_data(option=other_version_option))
    assert errors["option"] == (
        "L'option « Gestionnaire du recouvrement » n'appartient pas à la version "
        "« Référentiel enregistré au RNCP (blocs de compétences) »."
    )
    assert "obligatoire" in refusal(users["crfp_staff"], make_data(option=None))["option"]


def test_a_crfp_staff_member_enrols_only_into_their_own_crfp(users, organisations, make_data):
    errors = refusal(users["crfp_staff"], make_data(training_centre=organisations["other_crfp"]))
    assert errors["training_centre"].startswith("Vous ne pouvez pas inscrire de candidats au CRFP de Lyon")
    enrolment, _ = do_enrol(users["national_admin"], make_data(training_centre=organisations["other_crfp"]))
    assert enrolment.training_centre == organisations["other_crfp"]


def test_an_unknown_tutor_gets_an_invited_account_and_then_sees_the_candidate(
    users, organisations, make_data
):
    enrolment, invited = do_enrol(
        users["crfp_staff"],
        make_data(tutor_email="Nouveau.Tuteur@CAF.example", manager_email="manager@test.example"),
    )
    assert invited == ["nouveau.tuteur@caf.example"]
    tutor = User.objects.get(email="nouveau.tuteur@caf.example")
    assert not tutor.has_usable_password()
    assert Membership.objects.filter(
        user=tutor, organisation=organisations["employer"], role=Role.TUTOR
    ).exists()
    # the manager persona exists: no new account, and it already holds the role there
    assert enrolment.manager == users["manager"]
    assert Membership.objects.filter(user=users["manager"], role=Role.MANAGER).count() == 1
    assert list(Enrolment.objects.visible_to(tutor)) == [enrolment]


def test_the_enrolment_form_enrols_and_redirects_to_the_enrolment(client_for, users, organisations, version):
    response = client_for("crfp_staff").post(
        reverse("pathways:enrolment_create"),
        {
            "birth_name": "Petit",
            "first_name": "Jules",
            "sex": "M",
            "birth_date": "14/02/1999",
            "birth_insee_code": "2a004",
            "employer": organisations["employer"].pk,
            "employee_number": "P42",
            "pre_recruitment_date": "2025-10-01",
            "version": version.pk,
            "option": "allocataire",
            "access_route": "continuing_education",
            "training_centre": organisations["crfp"].pk,
            "start_date": "2026-01-12",
        },
    )
    enrolment = Enrolment.objects.get(candidate__employee_number="P42")
    assert response["Location"] == reverse("pathways:enrolment_detail", args=[enrolment.pk])
    assert enrolment.candidate.birth_insee_code == "2A004"
    assert enrolment.option.version == version


def test_the_form_shows_each_refusal_next_to_its_field(client_for, organisations, version):
    response = client_for("crfp_staff").post(
        reverse("pathways:enrolment_create"),
        {
            "birth_name": "Petit",
            "first_name": "Jules",
            "sex": "M",
            "birth_date": "31/02/1999",
            "birth_insee_code": "330",
            "employer": organisations["employer"].pk,
            "employee_number": "P42",
            "version": version.pk,
            "option": "allocataire",
            "access_route": "apprenticeship",
            "training_centre": organisations["crfp"].pk,
            "start_date": "2026-01-12",
        },
    )
    page = response.content.decode()
    assert "Saisissez une date valide (JJ/MM/AAAA)." in page
    assert 'id="id_birth_date-erreur"' in page
    assert not Enrolment.objects.exists()
    # once the date is right, the rules speak, each next to its field
    response = client_for("crfp_staff").post(
        reverse("pathways:enrolment_create"),
        {
            "birth_name": "Petit",
            "first_name": "Jules",
            "sex": "M",
            "birth_date": "28/02/1999",
            "birth_insee_code": "330",
            "employer": organisations["employer"].pk,
            "employee_number": "P42",
            "version": version.pk,
            "option": "allocataire",
            "access_route": "continuing_education",
            "training_centre": organisations["crfp"].pk,
            "start_date": "2026-01-12",
        },
    )
    page = response.content.decode()
    for field in ("birth_insee_code", "pre_recruitment_date"):
        assert f'id="id_{field}-erreur"' in page
    assert not Enrolment.objects.exists()


def test_closed_access_routes_are_never_offered(client_for, referential):
    form = client_for("crfp_staff").get(reverse("pathways:enrolment_create")).context["form"]
    offered = [value for value, _ in form.fields["access_route"].choices if value]
    assert offered == ["continuing_education", "professional_contract", "vae"]


def test_a_crfp_staff_member_is_offered_only_their_own_crfp(client_for):
    page = client_for("crfp_staff").get(reverse("pathways:enrolment_create")).content.decode()
    assert "CRFP de Bordeaux" in page
    assert "CRFP de Lyon" not in page


def test_editing_an_enrolment_records_before_and_after(client_for, users, enrolments):
    enrolment = enrolments["own"]
    form = (
        client_for("crfp_staff").get(reverse("pathways:enrolment_edit", args=[enrolment.pk])).context["form"]
    )
    data = {name: value for name, value in form.initial.items() if value is not None}
    data |= {"usage_name": "Bernard", "post": "Gestionnaire conseil"}
    response = client_for("crfp_staff").post(reverse("pathways:enrolment_edit", args=[enrolment.pk]), data)
    assert response.status_code == 302
    enrolment.candidate.refresh_from_db()
    assert enrolment.candidate.display_name == "BERNARD Léa"
    event = AuditEvent.objects.get(action=AuditAction.ENROLMENT_UPDATED)
    assert event.before == {"usage_name": "", "post": ""}
    assert event.after == {"usage_name": "Bernard", "post": "Gestionnaire conseil"}


def test_an_update_keeps_a_start_date_accepted_before_the_end_of_registration(users, make_data):
    enrolment, _ = do_enrol(users["crfp_staff"], make_data())
    # the registry validity applies to new entries: an old start date may stay after it ends
    do_update_enrolment(users["crfp_staff"], enrolment, make_data(post="Technicienne prestations"))
    enrolment.candidate.refresh_from_db()
    assert enrolment.candidate.post == "Technicienne prestations"
    with pytest.raises(EnrolmentRefused):
        do_update_enrolment(users["crfp_staff"], enrolment, make_data(start_date=date(2026, 9, 1)))


def test_an_update_that_changes_nothing_writes_nothing(users, make_data):
    enrolment, _ = do_enrol(users["crfp_staff"], make_data())
    events = AuditEvent.objects.count()
    do_update_enrolment(users["crfp_staff"], enrolment, make_data())
    assert AuditEvent.objects.count() == events
    assert enrolment.history.count() == 1


def test_the_enrolment_form_save_costs_a_bounded_number_of_queries(
    client_for, organisations, version, django_assert_max_num_queries
):
    client = client_for("crfp_staff")
    data = {
        "birth_name": "Petit",
        "first_name": "Jules",
        "sex": "M",
        "birth_date": "14/02/1999",
        "birth_insee_code": "33063",
        "employer": organisations["employer"].pk,
        "employee_number": "P42",
        "pre_recruitment_date": "2025-10-01",
        "version": version.pk,
        "option": "allocataire",
        "access_route": "continuing_education",
        "training_centre": organisations["crfp"].pk,
        "tutor_email": "nouveau.tuteur@caf.example",
        "manager_email": "manager@test.example",
        "start_date": "2026-01-12",
    }
    # session, user, roles, choices and registration ends; checks; candidate, invited tutor, its roles
    # read again under lock, checked against the marker's exclusive role and granted, enrolment, with
    # history and audit
    with django_assert_max_num_queries(37):
        response = client.post(reverse("pathways:enrolment_create"), data)
    assert response.status_code == 302


def test_the_form_says_beforehand_until_when_a_path_may_start(client_for, referential):
    page = client_for("crfp_staff").get(reverse("pathways:enrolment_create")).content.decode()
    assert (
        "Une entrée en parcours après la fin d&#x27;enregistrement au RNCP est refusée : le 08/07/2026 pour le RNCP35729."
        in page
    )
    assert "Obligatoire, sauf pour une candidature par la VAE" in page
