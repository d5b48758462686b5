"""Entering marks through the service: the cell's text, who marks what (D50), all or nothing, stale
entries, locked marks, and every change in the audit log with its before and after."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from certifier.core.enums import AuditAction
from certifier.core.models import AuditEvent, DomainError, NotAllowed
from certifier.exams.marks import (
    Entry,
    MarksRefused,
    cell_text,
    do_lock_marks,
    do_record_marks,
    do_unlock_marks,
    history,
    parse_cell,
    plan_marks,
)
from certifier.exams.models import ExamSession, Mark, MarkStatus
from tests.exams.conftest import registration_of

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "status", "value"),
    [
        ("12,5", MarkStatus.MARKED, Decimal("12.5")),
        (" 20 ", MarkStatus.MARKED, Decimal("20")),
        ("0.25", MarkStatus.MARKED, Decimal("0.25")),
        ("abs", MarkStatus.ABSENT, None),
        ("ABJ", MarkStatus.ABSENT_EXCUSED, None),
        ("FRA", MarkStatus.FRAUD, None),
    ],
)
def test_a_cell_reads_a_mark_or_a_status(text, status, value):
    cell = parse_cell(text)
    assert (cell.status, cell.value) == (status, value)


@pytest.mark.parametrize("text", ["20,01", "21", "-1", "12,345", "douze", "1e1", "NaN"])
def test_a_cell_outside_d49_is_refused_in_french(text):
    with pytest.raises(ValueError, match="20"):
        parse_cell(text)


def test_an_empty_cell_is_no_mark():
    assert parse_cell("  ") is None


@pytest.mark.parametrize(
    ("status", "value", "text"),
    [
        (MarkStatus.MARKED, Decimal("12.50"), "12,5"),
        (MarkStatus.MARKED, Decimal("8.00"), "8"),
        (MarkStatus.MARKED, Decimal("0.05"), "0,05"),
        (MarkStatus.ABSENT, None, "ABS"),
    ],
)
def test_a_mark_is_shown_as_it_is_typed(status, value, text):
    assert cell_text(status, value) == text


def test_the_crfp_enters_continuous_assessment_marks_and_each_is_audited(users, marks_session):
    own = registration_of(marks_session, "Martin")
    plan = do_record_marks(users["crfp_staff"], marks_session, "cc_common", [Entry(own.pk, "14,5", 0)])
    assert len(plan.new) == 1
    mark = Mark.objects.get(registration=own, exam="cc_common")
    assert (mark.value, mark.entered_by, mark.version) == (Decimal("14.5"), users["crfp_staff"], 1)
    event = AuditEvent.objects.get(action=AuditAction.MARK_ENTERED)
    assert (event.actor, event.before, event.after) == (
        users["crfp_staff"],
        None,
        {"exam": "cc_common", "mark": "14,5"},
    )


def test_a_change_records_before_and_after_and_raises_the_version(users, marks_session):
    own = registration_of(marks_session, "Martin")
    do_record_marks(users["crfp_staff"], marks_session, "apt", [Entry(own.pk, "9", 0)])
    do_record_marks(users["crfp_staff"], marks_session, "apt", [Entry(own.pk, "ABS", 1)])
    mark = Mark.objects.get(registration=own, exam="apt")
    assert (mark.status, mark.value, mark.version) == (MarkStatus.ABSENT, None, 2)
    changes = [(event.action, event.before, event.after["mark"]) for event in history(mark)]
    assert changes == [
        (AuditAction.MARK_CHANGED, {"mark": "9"}, "ABS"),
        (AuditAction.MARK_ENTERED, None, "9"),
    ]


@pytest.mark.parametrize(
    ("persona", "exam"),
    [
        ("crfp_staff", "written"),  # D48: the written exam is marked by the session's markers
        ("crfp_staff", "oral"),  # D50: the oral by the local jury
        ("local_jury", "cc_common"),
        ("marker", "oral"),
        ("national_admin", "cc_common"),
        ("employer_hr", "cc_option"),
        ("candidate", "cc_common"),
        ("outsider", "written"),
    ],
)
def test_only_whoever_d50_makes_responsible_enters_a_mark(users, marks_session, persona, exam):
    own = registration_of(marks_session, "Martin")
    with pytest.raises(NotAllowed):
        do_record_marks(users[persona], marks_session, exam, [Entry(own.pk, "12", 0)])
    assert not Mark.objects.exists()


def test_a_crfp_cannot_mark_another_crfps_candidate(users, marks_session):
    foreign = registration_of(marks_session, "Durand")
    with pytest.raises(NotAllowed):
        do_record_marks(users["crfp_staff"], marks_session, "cc_common", [Entry(foreign.pk, "12", 0)])
    assert not Mark.objects.exists()


def test_the_marker_marks_every_copy_of_their_session_and_the_local_jury_its_orals(users, marks_session):
    own, foreign = registration_of(marks_session, "Martin"), registration_of(marks_session, "Durand")
    do_record_marks(
        users["marker"], marks_session, "written", [Entry(own.pk, "11", 0), Entry(foreign.pk, "7", 0)]
    )
    do_record_marks(users["local_jury"], marks_session, "oral", [Entry(own.pk, "13", 0)])
    assert Mark.objects.filter(exam="written").count() == 2
    assert Mark.objects.get(exam="oral").registration == own


def test_bad_entries_refuse_the_whole_lot_and_each_is_named(users, marks_session):
    own, foreign = registration_of(marks_session, "Martin"), registration_of(marks_session, "Durand")
    with pytest.raises(MarksRefused) as refused:
        do_record_marks(
            users["marker"], marks_session, "written", [Entry(own.pk, "12", 0), Entry(foreign.pk, "25", 0)]
        )
    assert refused.value.faults == {foreign.pk: "25 dépasse 20"}
    assert not Mark.objects.exists()


def test_a_mark_changed_since_it_was_shown_is_not_overwritten(users, marks_session):
    own = registration_of(marks_session, "Martin")
    do_record_marks(users["crfp_staff"], marks_session, "cc_option", [Entry(own.pk, "10", 0)])
    do_record_marks(users["crfp_staff"], marks_session, "cc_option", [Entry(own.pk, "11", 1)])
    with pytest.raises(MarksRefused) as refused:
        do_record_marks(users["crfp_staff"], marks_session, "cc_option", [Entry(own.pk, "15", 1)])
    assert "modifiée par une autre personne" in refused.value.faults[own.pk]
    assert "11" in refused.value.faults[own.pk]
    assert Mark.objects.get().value == Decimal("11")


def test_a_mark_entered_by_someone_else_meanwhile_is_not_overwritten(users, marks_session):
    own = registration_of(marks_session, "Martin")
    do_record_marks(users["crfp_staff"], marks_session, "cc_option", [Entry(own.pk, "10", 0)])
    with pytest.raises(MarksRefused):
        do_record_marks(users["crfp_staff"], marks_session, "cc_option", [Entry(own.pk, "12", 0)])
    assert Mark.objects.get().value == Decimal("10")


def test_an_entered_mark_cannot_be_blanked(users, marks_session):
    own = registration_of(marks_session, "Martin")
    do_record_marks(users["crfp_staff"], marks_session, "cc_option", [Entry(own.pk, "10", 0)])
    with pytest.raises(MarksRefused) as refused:
        do_record_marks(users["crfp_staff"], marks_session, "cc_option", [Entry(own.pk, "", 1)])
    assert "ne peut être effacée" in refused.value.faults[own.pk]


def test_unchanged_and_blank_entries_write_nothing(users, marks_session):
    own, foreign = registration_of(marks_session, "Martin"), registration_of(marks_session, "Durand")
    do_record_marks(users["marker"], marks_session, "written", [Entry(own.pk, "12", 0)])
    plan = plan_marks(
        users["marker"], marks_session, "written", [Entry(own.pk, "12,00", 1), Entry(foreign.pk, "", 0)]
    )
    assert (len(plan.new), len(plan.changed), plan.unchanged) == (0, 0, 1)


def test_locked_marks_cannot_change(users, marks_session):
    own, foreign = registration_of(marks_session, "Martin"), registration_of(marks_session, "Durand")
    do_record_marks(users["marker"], marks_session, "written", [Entry(own.pk, "12", 0)])
    assert do_lock_marks(users["marker"], marks_session, "written") == 1
    with pytest.raises(MarksRefused) as refused:
        do_record_marks(
            users["marker"], marks_session, "written", [Entry(own.pk, "13", 1), Entry(foreign.pk, "9", 0)]
        )
    assert refused.value.faults == {own.pk: "cette note est verrouillée"}
    assert AuditEvent.objects.filter(action=AuditAction.MARK_LOCKED).count() == 1


def test_an_unknown_exam_is_refused(users, marks_session):
    own = registration_of(marks_session, "Martin")
    with pytest.raises(DomainError, match="n'existe pas"):
        do_record_marks(users["crfp_staff"], marks_session, "pass_followed", [Entry(own.pk, "12", 0)])


@pytest.mark.parametrize(("exam", "field"), [("written", "written_exam_date"), ("oral", "oral_start")])
def test_an_exam_is_marked_from_the_day_it_is_sat(users, marks_session, exam, field):
    own = registration_of(marks_session, "Martin")
    setattr(marks_session, field, timezone.localdate() + timedelta(days=1))
    persona = "marker" if exam == "written" else "local_jury"
    with pytest.raises(DomainError, match="ses notes se saisissent à partir de ce jour"):
        do_record_marks(users[persona], marks_session, exam, [Entry(own.pk, "12", 0)])
    assert not Mark.objects.exists()


def test_continuous_assessments_are_marked_during_the_training(users, marks_session):
    own = registration_of(marks_session, "Martin")
    marks_session.written_exam_date = timezone.localdate() + timedelta(days=30)
    do_record_marks(users["crfp_staff"], marks_session, "cc_common", [Entry(own.pk, "12", 0)])
    assert Mark.objects.count() == 1


def test_the_national_admin_unlocks_marks_with_a_reason_to_correct_one(users, marks_session):
    own = registration_of(marks_session, "Martin")
    do_record_marks(users["marker"], marks_session, "written", [Entry(own.pk, "12", 0)])
    do_lock_marks(users["marker"], marks_session, "written")
    with pytest.raises(DomainError, match="motif"):
        do_unlock_marks(users["national_admin"], marks_session, "written", " ")
    assert do_unlock_marks(users["national_admin"], marks_session, "written", "Erreur de report") == 1
    do_record_marks(users["marker"], marks_session, "written", [Entry(own.pk, "13", 1)])
    event = AuditEvent.objects.get(action=AuditAction.MARK_UNLOCKED)
    assert (event.actor, event.reason) == (users["national_admin"], "Erreur de report")


@pytest.mark.parametrize("persona", ["marker", "crfp_staff", "local_jury", "national_jury"])
def test_only_the_national_admin_unlocks_marks(users, marks_session, persona):
    own = registration_of(marks_session, "Martin")
    do_record_marks(users["marker"], marks_session, "written", [Entry(own.pk, "12", 0)])
    do_lock_marks(users["marker"], marks_session, "written")
    with pytest.raises(NotAllowed):
        do_unlock_marks(users[persona], marks_session, "written", "Erreur")
    assert Mark.objects.get().locked_at is not None


def test_written_marks_stay_locked_once_anonymity_is_lifted(users, marks_session):
    own = registration_of(marks_session, "Martin")
    do_record_marks(users["marker"], marks_session, "written", [Entry(own.pk, "12", 0)])
    do_lock_marks(users["marker"], marks_session, "written")
    ExamSession.objects.filter(pk=marks_session.pk).update(anonymity_lifted_at=timezone.now())
    with pytest.raises(DomainError, match="anonymat est levé"):
        do_unlock_marks(users["national_admin"], marks_session, "written", "Erreur")
