"""The organisation list sorts on the server and exports what it shows, never another's organisation."""

import csv
import io

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

LIST = reverse("people:organisation_list")


def exported_names(response):
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Nom", "Type", "Branche", "Région", "SIRET"]
    return [row[0] for row in rows[1:]]


def test_the_export_holds_only_the_organisations_the_user_sees(client_for, organisations):
    assert exported_names(client_for("crfp_staff").get(LIST, {"format": "csv"})) == ["CRFP de Bordeaux"]
    everything = exported_names(client_for("national_admin").get(LIST, {"format": "csv"}))
    assert sorted(everything) == sorted(organisation.name for organisation in organisations.values())


def test_sorting_by_name_both_ways(client_for, organisations):
    client = client_for("national_admin")
    ascending = exported_names(client.get(LIST, {"format": "csv", "tri": "nom"}))
    assert ascending == sorted(ascending)
    assert exported_names(client.get(LIST, {"format": "csv", "tri": "-nom"})) == ascending[::-1]
    page = client.get(LIST, {"tri": "-nom"}).content.decode()
    assert '<th scope="col" aria-sort="descending"><a href="?tri=nom">Nom' in page
