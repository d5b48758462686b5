"""The enrolment page links to the evidence each role may open, and only to that."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("persona", "sees_logbook"),
    [("tutor", True), ("crfp_staff", True), ("candidate", True), ("employer_hr", False)],
)
def test_enrolment_page_links_to_the_logbook_only_for_those_who_may_read_it(
    client_for, own, persona, sees_logbook
):
    page = client_for(persona).get(reverse("pathways:enrolment_detail", args=[own.pk])).content.decode()
    assert (reverse("assessments:logbook", args=[own.pk]) in page) is sees_logbook
    assert reverse("assessments:results", args=[own.pk]) in page
