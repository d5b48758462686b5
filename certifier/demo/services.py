"""Demonstration data for `make run`: organisations, one account per role, example criteria."""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from certifier.people.models import Membership, Organisation, User
from certifier.referential.models import Competence
from certifier.referential.services import LoadSummary, do_add_criterion, upsert

from .certificates import declare_demo_certificates, open_holder_account
from .evidence import load_demo_candidates
from .exams import load_demo_exams
from .juries import load_demo_juries
from .vae import load_demo_vae

DEMO_DATA = Path(__file__).parent / "data" / "demo.yaml"
DEMO_PASSWORD = "certifier-demo"  # noqa: S105 - published in the README, demo accounts only


@dataclass
class DemoSummary:
    organisations: LoadSummary
    accounts_created: int
    criteria_created: int
    candidates_created: int
    sessions_created: int
    applications_created: int


@transaction.atomic
def do_load_demo(path: Path = DEMO_DATA) -> DemoSummary:
    """Idempotent: existing organisations, accounts and criteria are left as they are."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    organisations = LoadSummary()
    by_name: dict[str, Organisation] = {}
    for row in data["organisations"]:
        values = {name: row.get(name, "") for name in ("kind", "siret", "branch", "region", "city")}
        values["staff_size"] = row.get("staff_size")
        by_name[row["name"]] = upsert(
            Organisation, {"name": row["name"]}, values, "Données de démonstration", organisations
        )
    accounts_created = sum(_load_account(account, by_name) for account in data["accounts"])
    criteria_created = _load_example_criteria(data["example_criteria"])
    admin = User.objects.get(email=data["accounts"][0]["email"])
    candidates_created = load_demo_candidates(data["cohorts"], admin)
    sessions_created = load_demo_exams(data["exam_cohort"], admin)
    if sessions_created:
        load_demo_juries(data["juries"], data["exam_cohort"], admin)
        open_holder_account(data["exam_cohort"]["holder"], DEMO_PASSWORD, admin)
        declare_demo_certificates(admin)
    applications_created = load_demo_vae(data["vae"], DEMO_PASSWORD, admin)
    return DemoSummary(
        organisations,
        accounts_created,
        criteria_created,
        candidates_created,
        sessions_created,
        applications_created,
    )


def _load_account(account: dict[str, Any], organisations: dict[str, Organisation]) -> bool:
    user = User.objects.filter(email=account["email"]).first()
    created = user is None
    if user is None:
        user = User.objects.create_user(
            account["email"], DEMO_PASSWORD, first_name=account["first_name"], last_name=account["last_name"]
        )
    Membership.objects.get_or_create(
        user=user, organisation=organisations[account["organisation"]], role=account["role"]
    )
    return created


def _load_example_criteria(criteria: dict[str, dict[int, list[str]]]) -> int:
    created = 0
    competences = Competence.objects.filter(
        block__code__in=criteria, block__version__code="rncp"
    ).select_related("block")
    for competence in competences:
        if competence.criteria.exists():
            continue
        for text in criteria[competence.block.code][competence.number]:
            do_add_criterion(None, competence, text, is_example=True)
            created += 1
    return created
