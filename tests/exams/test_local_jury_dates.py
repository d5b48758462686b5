"""D45: the national administrator sets each CRFP's local jury date; each CRFP reads its own."""

from datetime import timedelta

import pytest
from django.urls import reverse

from certifier.core.enums import AuditAction
from certifier.core.models import AuditEvent, DomainError, NotAllowed
from certifier.exams.models import LocalJuryDate
from certifier.exams.services import do_set_local_jury_dates

pytestmark = pytest.mark.django_db


def test_the_national_admin_sets_a_date_per_crfp_and_each_change_is_audited(users, organisations, session):
    day = session.oral_end
    changed = do_set_local_jury_dates(
        users["national_admin"], session, {organisations["crfp"]: day, organisations["other_crfp"]: None}
    )
    assert changed == 1
    assert LocalJuryDate.objects.get().training_centre == organisations["crfp"]
    do_set_local_jury_dates(users["national_admin"], session, {organisations["crfp"]: None})
    assert not LocalJuryDate.objects.exists()
    events = AuditEvent.objects.filter(action=AuditAction.LOCAL_JURY_DATE_SET).order_by("id")
    assert [(event.before is None, event.after is None) for event in events] == [(True, False), (False, True)]


def test_setting_the_same_date_again_changes_nothing(users, organisations, session):
    do_set_local_jury_dates(users["national_admin"], session, {organisations["crfp"]: session.oral_end})
    assert (
        do_set_local_jury_dates(users["national_admin"], session, {organisations["crfp"]: session.oral_end})
        == 0
    )


@pytest.mark.parametrize(
    ("shift", "message"),
    [(-1, "au plus tôt au début des oraux"), (None, "avant le jury national")],
)
def test_a_local_jury_sits_between_the_first_oral_and_the_national_jury(
    users, organisations, session, shift, message
):
    day = session.oral_start + timedelta(days=shift) if shift else session.national_jury_date
    with pytest.raises(DomainError, match=message):
        do_set_local_jury_dates(users["national_admin"], session, {organisations["crfp"]: day})
    assert not LocalJuryDate.objects.exists()


@pytest.mark.parametrize("persona", ["crfp_staff", "local_jury", "national_jury", "marker"])
def test_only_the_national_admin_sets_local_jury_dates(users, organisations, session, persona):
    with pytest.raises(NotAllowed):
        do_set_local_jury_dates(users[persona], session, {organisations["crfp"]: session.oral_end})


def test_the_form_marks_the_crfp_field_whose_date_is_wrong(client_for, organisations, session):
    url = reverse("exams:local_jury_dates", args=[session.pk])
    field = f"centre_{organisations['crfp'].pk}"
    response = client_for("national_admin").post(url, {field: session.national_jury_date.isoformat()})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Le jury local se réunit avant le jury national" in page
    assert f'id="id_{field}"' in page and 'aria-invalid="true"' in page
    assert not LocalJuryDate.objects.exists()


def test_each_crfp_reads_its_own_date_and_the_national_admin_every_date(
    client_for, users, organisations, session
):
    do_set_local_jury_dates(
        users["national_admin"],
        session,
        {organisations["crfp"]: session.oral_end, organisations["other_crfp"]: session.oral_start},
    )
    url = reverse("exams:session_detail", args=[session.pk])
    admin_page = client_for("national_admin").get(url).content.decode()
    crfp_page = client_for("crfp_staff").get(url).content.decode()
    assert "CRFP de Bordeaux" in admin_page and "CRFP de Lyon" in admin_page
    assert f"{session.oral_end:%d/%m/%Y}" in crfp_page
    assert f"{session.oral_start:%d/%m/%Y}" not in crfp_page.split("Jury local")[1].split("</dd>")[0]
