"""`make run` loads a realistic demo: one account per role, example criteria labelled as such."""

import pytest
from django.core.management import call_command

from certifier.people.enums import Role
from certifier.people.models import Membership, Organisation, User
from certifier.referential.models import Criterion

pytestmark = pytest.mark.django_db


def test_demo_gives_one_account_per_role_and_is_idempotent(capsys):
    call_command("load_referential")
    call_command("load_demo")
    assert set(Membership.objects.values_list("role", flat=True)) == set(Role.values)
    assert Organisation.objects.filter(kind="training_centre").count() == 14
    criteria = Criterion.objects.count()
    assert criteria > 16
    assert not Criterion.objects.filter(is_example=False).exists()

    call_command("load_demo")
    assert "0 organisations créées, 0 comptes créés, 0 critères d'exemple créés" in capsys.readouterr().out
    assert Criterion.objects.count() == criteria
    assert User.objects.get(email="admin@ucanss.example").check_password("certifier-demo")
