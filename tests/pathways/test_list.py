"""The CRFP enrolment list: paginated, searchable, and a constant number of queries."""

import pytest
from django.urls import reverse

from tests.factories import CandidateFactory, EnrolmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def bordeaux(organisations, referential):
    def make(count, **candidate_values):
        return [
            EnrolmentFactory(
                candidate=CandidateFactory(employer=organisations["employer"], **candidate_values),
                training_centre=organisations["crfp"],
            )
            for _ in range(count)
        ]

    return make


def rendered_rows(response):
    return response.content.decode().count('<th scope="row"><a href="/inscriptions/')


@pytest.mark.parametrize("persona", ["crfp_staff", "national_admin", "employer_hr"])
def test_the_list_takes_as_many_queries_for_50_enrolments_as_for_5(
    client_for, bordeaux, persona, django_assert_max_num_queries
):
    client = client_for(persona)
    bordeaux(5)
    client.get(reverse("pathways:enrolment_list"))  # sessions and caches warmed up
    with django_assert_max_num_queries(9) as five:
        assert rendered_rows(client.get(reverse("pathways:enrolment_list"))) == 5
    bordeaux(45)
    with django_assert_max_num_queries(len(five.captured_queries)):
        assert rendered_rows(client.get(reverse("pathways:enrolment_list"))) == 50


def test_the_list_is_paginated_by_100(client_for, bordeaux):
    bordeaux(105)
    client = client_for("crfp_staff")
    first = client.get(reverse("pathways:enrolment_list"))
    assert rendered_rows(first) == 100
    assert "Page 1 sur 2" in first.content.decode()
    assert rendered_rows(client.get(reverse("pathways:enrolment_list"), {"page": 2})) == 5


def test_search_by_name_or_employee_number_keeps_the_filters_across_pages(client_for, bordeaux):
    bordeaux(3)
    bordeaux(1, birth_name="Zidane", employee_number="Z-77")
    client = client_for("crfp_staff")
    assert rendered_rows(client.get(reverse("pathways:enrolment_list"), {"q": "zidane"})) == 1
    assert rendered_rows(client.get(reverse("pathways:enrolment_list"), {"q": "Z-77"})) == 1
    bordeaux(120, usage_name="Commun")
    page = client.get(reverse("pathways:enrolment_list"), {"q": "Commun"}).content.decode()
    assert "q=Commun&amp;page=2" in page


def test_filters_by_access_route_and_option(client_for, bordeaux, enrolments):
    bordeaux(2)
    enrolments["own"].access_route = "continuing_education"
    enrolments["own"].save()
    client = client_for("crfp_staff")
    assert (
        rendered_rows(
            client.get(reverse("pathways:enrolment_list"), {"access_route": "continuing_education"})
        )
        == 1
    )
    assert rendered_rows(client.get(reverse("pathways:enrolment_list"), {"option": "allocataire"})) == 3
    page = client.get(reverse("pathways:enrolment_list"), {"option": "recouvrement"})
    assert rendered_rows(page) == 0
    # both versions of RNCP35729 share their options: each is offered once
    assert page.content.decode().count('<option value="recouvrement"') == 1


def test_the_national_admin_filters_by_crfp(client_for, enrolments, organisations):
    client = client_for("national_admin")
    page = client.get(reverse("pathways:enrolment_list"), {"training_centre": organisations["other_crfp"].pk})
    assert "DURAND Paul" in page.content.decode()
    assert "MARTIN Léa" not in page.content.decode()


def test_an_assessor_assigned_to_several_blocks_of_a_candidate_sees_them_once(client_for, users, enrolments):
    from certifier.pathways.models import AssessorAssignment, Enrolment
    from certifier.referential.models import Block

    for block in Block.objects.filter(version=enrolments["own"].version)[:2]:
        AssessorAssignment.objects.create(
            enrolment=enrolments["own"], assessor=users["assessor"], block=block
        )
    assert list(Enrolment.objects.visible_to(users["assessor"])) == [enrolments["own"]]
    assert rendered_rows(client_for("assessor").get(reverse("pathways:enrolment_list"))) == 1
