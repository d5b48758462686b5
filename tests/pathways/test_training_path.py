"""The training path as data (D37–D40): Pass, Prem'ss, option modules; sessions and attendance."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from certifier.core.enums import AuditAction
from certifier.core.models import AuditEvent
from certifier.pathways.models import Attendance, FundingRate, Module, TrainingPath, TrainingSession
from certifier.pathways.services import (
    do_draw_up_funding_request,
    do_load_training_paths,
    do_record_attendance,
)

pytestmark = pytest.mark.django_db


def modules(kind):
    return [
        (module.week, module.title, module.duration_label)
        for module in Module.objects.filter(path__kind=kind).order_by("position")
    ]


def test_pass_is_two_days_sixteen_hours_three_and_a_half_hours_and_one_day(paths):
    assert modules("pass") == [
        (None, "Module introductif", "2 j"),
        (None, "Autoformation", "16 h"),
        (None, "Classe virtuelle", "3 h 30"),
        (None, "Module conclusif", "1 j"),
    ]
    assert TrainingPath.objects.get(kind="pass").funded_hours() == {
        "face_to_face": Decimal(40),
        "tutored": Decimal(0),
        "evaluation": Decimal(0),
    }


def test_premss_runs_over_three_weeks_as_in_the_memo(paths):
    weeks = {}
    for week, _title, duration in modules("premss"):
        weeks.setdefault(week, []).append(duration)
    assert weeks == {1: ["0,5 j", "2,5 j", "1 j", "0,5 j"], 2: ["1 j", "1 j"], 3: ["1 j", "0,5 j", "0,5 j"]}
    assert modules("premss")[1][1] == "Module Relation de service"
    premss = TrainingPath.objects.get(kind="premss")
    assert (premss.face_to_face_hours, premss.tutored_hours, premss.evaluation_hours) == (46, 14, 1)


def test_option_hours_are_shipped_as_examples_one_path_per_option(paths, referential):
    options = TrainingPath.objects.filter(kind="option")
    assert sorted(options.values_list("option_code", flat=True)) == sorted(
        referential.versions.get(code="rncp").options.values_list("code", flat=True)
    )
    assert all(path.is_example for path in options)
    assert not TrainingPath.objects.get(kind="pass").is_example


def test_loading_again_changes_nothing(paths, capsys):
    call_command("load_training_paths")
    assert "0 créés, 0 mis à jour" in capsys.readouterr().out


def test_loading_again_restores_pass_but_keeps_what_the_national_admin_set(paths):
    TrainingPath.objects.filter(kind="option", option_code="allocataire").update(
        face_to_face_hours=200, is_example=False
    )
    TrainingPath.objects.filter(kind="pass").update(face_to_face_hours=99)
    FundingRate.objects.update(hourly_rate=Decimal("13.50"))
    do_load_training_paths()
    assert TrainingPath.objects.get(option_code="allocataire").face_to_face_hours == 200
    assert TrainingPath.objects.get(kind="pass").face_to_face_hours == 40
    assert FundingRate.objects.get().hourly_rate == Decimal("13.50")


@pytest.fixture
def sessions(paths, organisations):
    def session(kind, centre):
        return TrainingSession.objects.create(
            path=TrainingPath.objects.get(kind=kind),
            training_centre=organisations[centre],
            start_date=date(2026, 1, 5),
            end_date=date(2026, 1, 23),
        )

    return {"pass": session("pass", "crfp"), "premss": session("premss", "crfp")}


def attend(enrolment, kind, session, count=None):
    chosen = Module.objects.filter(path__kind=kind).order_by("position")[:count]
    do_record_attendance(None, enrolment, {module: session for module in chosen})


def test_pass_is_followed_only_when_every_pass_module_was_attended(enrolments, sessions):
    enrolment = enrolments["own"]
    attend(enrolment, "premss", sessions["premss"])
    attend(enrolment, "pass", sessions["pass"], count=3)
    assert not enrolment.has_followed_pass()
    attend(enrolment, "pass", sessions["pass"])
    assert enrolment.has_followed_pass()


def test_nothing_but_pass_attendance_counts_neither_accessit_nor_pass_already_funded(enrolments, sessions):
    """D40: Accessit is no longer an equivalent of Pass. There is no way to record an equivalence:
    a candidate who followed Accessit, or whose Pass was funded earlier, has not followed Pass here."""
    enrolment = enrolments["own"]
    attend(enrolment, "premss", sessions["premss"])
    do_draw_up_funding_request(None, enrolment, pass_already_funded=True)
    assert not enrolment.has_followed_pass()
    assert not any("accessit" in field.name.lower() for field in type(enrolment)._meta.get_fields())


def test_attendance_is_recorded_from_the_enrolment_page(client_for, enrolments, sessions):
    enrolment = enrolments["own"]
    url = reverse("pathways:attendance_edit", args=[enrolment.pk])
    form = client_for("crfp_staff").get(url).context["form"]
    pass_modules = Module.objects.filter(path__kind="pass")
    data = {f"module_{module.pk}": sessions["pass"].pk for module in pass_modules}
    response = client_for("crfp_staff").post(url, data)
    assert response.status_code == 302
    assert len(form.fields) == Module.objects.filter(path__kind__in=["pass", "premss"]).count() + 1
    assert enrolment.has_followed_pass()
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.ATTENDANCE_RECORDED, actor__email="crfp_staff@test.example"
        ).count()
        == 4
    )
    page = client_for("tutor").get(reverse("pathways:enrolment_detail", args=[enrolment.pk])).content.decode()
    assert "Pass suivi :</strong> oui" in page


def test_a_session_of_another_path_cannot_be_chosen_for_a_module(enrolments, sessions):
    from certifier.core.models import DomainError

    module = Module.objects.filter(path__kind="pass").first()
    with pytest.raises(DomainError, match="n'est pas une session de ce parcours"):
        do_record_attendance(None, enrolments["own"], {module: sessions["premss"]})


def test_clearing_an_attendance_deletes_it_with_an_audit_event(enrolments, sessions):
    enrolment = enrolments["own"]
    attend(enrolment, "pass", sessions["pass"])
    module = Module.objects.filter(path__kind="pass").first()
    do_record_attendance(None, enrolment, {module: None})
    assert Attendance.objects.filter(enrolment=enrolment).count() == 3
    assert AuditEvent.objects.filter(action=AuditAction.ATTENDANCE_REMOVED).count() == 1


def test_a_crfp_schedules_sessions_for_itself_only(client_for, paths, organisations):
    pass_path = TrainingPath.objects.get(kind="pass")
    values = {"path": pass_path.pk, "start_date": "2026-03-02", "end_date": "2026-03-04"}
    client = client_for("crfp_staff")
    response = client.post(
        reverse("pathways:session_create"), values | {"training_centre": organisations["crfp"].pk}
    )
    assert response.status_code == 302
    response = client.post(
        reverse("pathways:session_create"), values | {"training_centre": organisations["other_crfp"].pk}
    )
    assert response.status_code == 200
    assert TrainingSession.objects.get().training_centre == organisations["crfp"]
    assert "CRFP de Bordeaux" in client.get(reverse("pathways:session_list")).content.decode()


def test_a_session_must_end_after_it_starts(client_for, paths, organisations):
    pass_path = TrainingPath.objects.get(kind="pass")
    response = client_for("national_admin").post(
        reverse("pathways:session_create"),
        {
            "path": pass_path.pk,
            "training_centre": organisations["crfp"].pk,
            "start_date": "2026-03-04",
            "end_date": "2026-03-02",
        },
    )
    assert "La date de fin de la session doit suivre sa date de début." in response.content.decode()
    assert not TrainingSession.objects.exists()
