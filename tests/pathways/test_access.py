"""Who sees what (issue 4 §7): 404 when invisible, 403 when read-only, login when anonymous.

One test per persona walks every view of the app, on an enrolment in the personas' scope (`own`)
and on one outside it (`foreign`), so that a failure lists every view that answered wrongly.
"""

import pytest
from django.urls import reverse

from certifier.pathways.services import do_draw_up_funding_request
from tests.personas import PERSONAS, SEES_OWN, SIGNED_IN

pytestmark = pytest.mark.django_db

ENROLLING = {"national_admin", "crfp_staff"}
FUNDING = {"national_admin", "crfp_staff", "employer_hr"}

# view name → (roles let through by the decorator, who sees `own` among them)
ENROLMENT_VIEWS = {
    "enrolment_detail": (SIGNED_IN, SEES_OWN),
    "enrolment_edit": (ENROLLING, ENROLLING),
    "attendance_edit": (ENROLLING, ENROLLING),
    "assessor_assign": (ENROLLING, ENROLLING),
    "funding_request": (FUNDING, FUNDING),
    "funding_request_pdf": (FUNDING, FUNDING),
    "funding_request_xlsx": (FUNDING, FUNDING),
}
PAGES = {
    "enrolment_list": SIGNED_IN,
    "enrolment_create": ENROLLING,
    "enrolment_import": ENROLLING,
    "enrolment_template": ENROLLING,
    "session_list": ENROLLING,
    "session_create": ENROLLING,
}


def expected(persona, allowed, visible):
    """role_required answers before anything is looked up (302 or 403); a scoped getter answers 404."""
    if persona == "anonymous":
        return 302
    if persona not in allowed:
        return 403
    return 200 if persona in visible else 404


@pytest.mark.parametrize("persona", PERSONAS)
def test_access_matrix_of_every_pathways_view(client_for, enrolments, paths, persona):
    for enrolment in enrolments.values():
        do_draw_up_funding_request(None, enrolment, pass_already_funded=False)
    client = client_for(persona)
    wanted, got = {}, {}
    for name, (allowed, sees_own) in ENROLMENT_VIEWS.items():
        for target, visible in (("own", sees_own), ("foreign", {"national_admin"} & allowed)):
            key = f"{name} {target}"
            wanted[key] = expected(persona, allowed, visible)
            got[key] = client.get(reverse(f"pathways:{name}", args=[enrolments[target].pk])).status_code
    for name, allowed in PAGES.items():
        wanted[name] = expected(persona, allowed, allowed)
        got[name] = client.get(reverse(f"pathways:{name}")).status_code
    wanted["training_paths"] = 200
    got["training_paths"] = client.get(reverse("pathways:training_paths")).status_code
    assert got == wanted


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_enrolment_list_shows_each_persona_only_their_enrolments(client_for, enrolments, persona):
    response = client_for(persona).get(reverse("pathways:enrolment_list"))
    if persona == "anonymous":
        assert response["Location"].startswith(reverse("people:login") + "?next=")
        return
    page = response.content.decode()
    assert ("MARTIN Léa" in page) == (persona in SEES_OWN)
    assert ("DURAND Paul" in page) == (persona == "national_admin")


def test_read_only_personas_cannot_post_an_import_an_enrolment_or_a_change(client_for, enrolments):
    own = enrolments["own"].pk
    urls = [
        reverse("pathways:enrolment_import"),
        reverse("pathways:enrolment_create"),
        reverse("pathways:enrolment_edit", args=[own]),
        reverse("pathways:attendance_edit", args=[own]),
        reverse("pathways:session_create"),
    ]
    for persona in ("tutor", "employer_hr", "assessor", "candidate"):
        assert [client_for(persona).post(url, {}).status_code for url in urls] == [403] * len(urls)
    tutor = client_for("tutor")
    assert tutor.post(reverse("pathways:funding_request", args=[own]), {}).status_code == 403


def test_birth_date_and_place_are_shown_only_to_those_who_need_them(client_for, enrolments):
    url = reverse("pathways:enrolment_detail", args=[enrolments["own"].pk])
    shown = {}
    for persona in sorted(SEES_OWN):
        page = client_for(persona).get(url).content.decode()
        assert "MARTIN Léa" in page
        shown[persona] = "12/03/1994" in page and "Code INSEE de naissance" in page
    assert shown == {
        "assessor": False,
        "candidate": True,
        "crfp_staff": True,
        "employer_hr": True,
        "manager": False,
        "national_admin": True,
        "tutor": False,
    }


def test_the_funding_link_is_shown_only_to_those_who_may_follow_it(client_for, enrolments):
    url = reverse("pathways:enrolment_detail", args=[enrolments["own"].pk])
    funding = reverse("pathways:funding_request", args=[enrolments["own"].pk])
    shown = {persona: funding in client_for(persona).get(url).content.decode() for persona in SEES_OWN}
    assert {persona for persona, visible in shown.items() if visible} == FUNDING
