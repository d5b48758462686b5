"""The Django admin (issue 7 §1.9): read-only for models written by a service; the few models it
edits leave an audit event; the user page shows and grants roles."""

import html
from decimal import Decimal

import pytest
from django.urls import reverse

from certifier.core.enums import AuditAction
from certifier.core.models import AuditEvent
from certifier.pathways.models import Enrolment, FundingRequest, TrainingPath
from certifier.pathways.services import do_draw_up_funding_request, do_load_training_paths
from certifier.people.enums import Role
from certifier.people.models import Membership
from certifier.referential.models import Block, Criterion
from certifier.referential.services import do_add_criterion

pytestmark = pytest.mark.django_db


def change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def test_models_written_by_services_are_read_only_in_the_admin(client_for, enrolments, organisations):
    admin = client_for("national_admin")
    own = enrolments["own"]
    block = Block.objects.get(code="RNCP35729BC01")
    criterion = do_add_criterion(None, block.competences.first(), "L'offre proposée est adaptée.")
    AuditEvent.objects.all().delete()
    for obj in (criterion, block, own):
        assert admin.get(change_url(obj)).status_code == 200
    assert admin.post(change_url(criterion), {"text": "Réécrit", "position": 1}).status_code == 403
    assert admin.post(change_url(block), {"code": "X", "title": "Réécrit"}).status_code == 403
    response = admin.post(change_url(own), {"training_centre": organisations["other_crfp"].pk})
    assert response.status_code == 403
    own.refresh_from_db()
    assert own.training_centre == organisations["crfp"]
    assert Criterion.objects.get(pk=criterion.pk).text == criterion.text
    assert not AuditEvent.objects.exists()


def test_a_funding_request_cannot_be_deleted_in_the_admin(client_for, enrolments, referential):
    do_load_training_paths()
    request = do_draw_up_funding_request(None, enrolments["own"], pass_already_funded=False)
    delete = reverse("admin:pathways_fundingrequest_delete", args=[request.pk])
    response = client_for("national_admin").post(delete, {"post": "yes"})
    assert response.status_code == 403
    assert FundingRequest.objects.filter(pk=request.pk).exists()


def test_option_hours_edited_in_the_admin_are_audited(client_for, users, referential):
    do_load_training_paths()
    path = TrainingPath.objects.filter(kind="option").first()
    admin = client_for("national_admin")
    form = admin.get(change_url(path)).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data |= {"face_to_face_hours": "70.00", "certification": path.certification_id}
    modules = list(path.modules.order_by("position"))
    data |= {
        "modules-TOTAL_FORMS": len(modules),
        "modules-INITIAL_FORMS": len(modules),
        "modules-MIN_NUM_FORMS": 0,
        "modules-MAX_NUM_FORMS": 1000,
    }
    for index, module in enumerate(modules):
        data |= {
            f"modules-{index}-id": module.pk,
            f"modules-{index}-path": path.pk,
            f"modules-{index}-position": module.position,
            f"modules-{index}-title": module.title,
            f"modules-{index}-duration": module.duration,
            f"modules-{index}-unit": module.unit,
            f"modules-{index}-week": module.week or "",
        }
    response = admin.post(change_url(path), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    path.refresh_from_db()
    assert path.face_to_face_hours == Decimal("70.00")
    event = AuditEvent.objects.get(action=AuditAction.ADMIN_UPDATED)
    assert event.actor == users["national_admin"]
    assert event.object_type == "pathways.TrainingPath"
    assert event.after == {"face_to_face_hours": "70.00"}
    assert event.before["face_to_face_hours"] != "70.00"


def test_the_user_page_shows_and_grants_roles(client_for, users, organisations):
    admin = client_for("national_admin")
    tutor = users["tutor"]
    page = admin.get(change_url(tutor)).content.decode()
    assert "CAF de la Gironde" in page
    assert "Tuteur" in page
    listing = admin.get(reverse("admin:people_user_changelist")).content.decode()
    assert "Tuteur (CAF de la Gironde)" in listing

    existing = Membership.objects.get(user=tutor)
    data = {
        "email": tutor.email,
        "first_name": "",
        "last_name": "",
        "is_active": "on",
        "memberships-TOTAL_FORMS": 2,
        "memberships-INITIAL_FORMS": 1,
        "memberships-MIN_NUM_FORMS": 0,
        "memberships-MAX_NUM_FORMS": 1000,
        "memberships-0-id": existing.pk,
        "memberships-0-user": tutor.pk,
        "memberships-0-organisation": organisations["employer"].pk,
        "memberships-0-role": Role.TUTOR,
        "memberships-1-user": tutor.pk,
        "memberships-1-organisation": organisations["employer"].pk,
        "memberships-1-role": Role.MANAGER,
    }
    response = admin.post(change_url(tutor), data)
    assert response.status_code == 302
    assert set(tutor.memberships.values_list("role", flat=True)) == {Role.TUTOR, Role.MANAGER}
    event = AuditEvent.objects.get(object_type="people.Membership")
    assert event.action == AuditAction.ADMIN_CREATED
    assert event.actor == users["national_admin"]
    assert event.after["role"] == Role.MANAGER


def test_a_role_in_the_wrong_kind_of_organisation_is_refused(client_for, users, organisations):
    outsider = users["outsider"]
    data = {
        "email": outsider.email,
        "is_active": "on",
        "memberships-TOTAL_FORMS": 1,
        "memberships-INITIAL_FORMS": 0,
        "memberships-MIN_NUM_FORMS": 0,
        "memberships-MAX_NUM_FORMS": 1000,
        "memberships-0-user": outsider.pk,
        "memberships-0-organisation": organisations["crfp"].pk,
        "memberships-0-role": Role.EMPLOYER_HR,
    }
    response = client_for("national_admin").post(change_url(outsider), data)
    assert response.status_code == 200
    assert "ne peut pas être exercé dans cette organisation" in response.content.decode()
    assert not outsider.memberships.exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("persona", ["crfp_staff", "cpnefp", "employer_hr"])
def test_the_admin_is_closed_to_other_roles(client_for, persona, enrolments):
    response = client_for(persona).get(change_url(enrolments["own"]))
    assert response.status_code == 302
    assert Enrolment.objects.count() == 2


def test_a_password_set_in_the_admin_is_audited_without_the_password(client_for, users):
    tutor = users["tutor"]
    url = reverse("admin:auth_user_password_change", args=[tutor.pk])
    new = "nouveau-mot-de-passe-2026"
    response = client_for("national_admin").post(
        url, {"password1": new, "password2": new, "usable_password": "true"}
    )
    assert response.status_code == 302
    tutor.refresh_from_db()
    assert tutor.check_password(new)
    event = AuditEvent.objects.get(object_type="people.User", object_id=str(tutor.pk))
    assert (event.action, event.actor, event.after) == (
        AuditAction.ADMIN_UPDATED,
        users["national_admin"],
        {"mot de passe": "modifié"},
    )
    assert new not in str(event.after)


def test_a_written_exam_marker_is_given_no_other_role(client_for, users, organisations):
    """D48: a marker who became CRFP staff would read the names behind the copies."""
    marker = users["marker"]
    existing = Membership.objects.get(user=marker)
    data = {
        "email": marker.email,
        "is_active": "on",
        "memberships-TOTAL_FORMS": 2,
        "memberships-INITIAL_FORMS": 1,
        "memberships-MIN_NUM_FORMS": 0,
        "memberships-MAX_NUM_FORMS": 1000,
        "memberships-0-id": existing.pk,
        "memberships-0-user": marker.pk,
        "memberships-0-organisation": organisations["ucanss"].pk,
        "memberships-0-role": Role.MARKER,
        "memberships-1-user": marker.pk,
        "memberships-1-organisation": organisations["crfp"].pk,
        "memberships-1-role": Role.CRFP_STAFF,
    }
    response = client_for("national_admin").post(change_url(marker), data)
    assert response.status_code == 200
    assert "n'exerce aucun autre rôle" in html.unescape(response.content.decode())
    assert set(marker.memberships.values_list("role", flat=True)) == {Role.MARKER}
