"""The home page's dashboard: what each role has to do, with counts and links.

`people` sits below the apps that hold the work (pathways, assessments and the apps to come), so it
cannot count their rows: each app describes the tasks on its own data in its `dashboard.py`, which
registers a provider here and is imported at start-up (like the admin's `admin.py` modules)."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from .enums import Role
from .models import Organisation


@dataclass(frozen=True)
class Task:
    """One line of a role's dashboard: "12 blocs à évaluer", a link, whether someone waits on it, and
    whether it details a card for one candidate (listed under the cards)."""

    role: Role
    label: str
    url: str
    count: int | None = None
    waiting: bool = False
    detail: bool = False


Provider = Callable[[Any, set[str]], list[Task]]
PROVIDERS: list[Provider] = []


def register(provider: Provider) -> Provider:
    PROVIDERS.append(provider)
    return provider


def tasks_by_role(user: Any, user_roles: set[str]) -> dict[str, list[Task]]:
    grouped: dict[str, list[Task]] = {role: [] for role in user_roles}
    for provider in PROVIDERS:
        for task in provider(user, user_roles):
            grouped[task.role].append(task)
    # what someone waits on first, then the counts, then the plain links
    return {
        role: sorted(tasks, key=lambda task: (not task.waiting, task.count is None))
        for role, tasks in grouped.items()
    }


def plural(count: int, singular: str, plural_form: str) -> str:
    """French agreement: 0 and 1 take the singular."""
    return singular if count < 2 else plural_form


@register
def organisation_tasks(user: Any, user_roles: set[str]) -> list[Task]:
    if Role.NATIONAL_ADMIN not in user_roles:
        return []
    count = Organisation.objects.count()
    return [
        Task(
            Role.NATIONAL_ADMIN,
            plural(count, "organisation", "organisations"),
            reverse("people:organisation_list"),
            count,
        ),
        Task(Role.NATIONAL_ADMIN, "Gérer les comptes et les rôles", reverse("admin:index")),
        Task(Role.NATIONAL_ADMIN, "Consulter le journal d'audit", reverse("people:audit_log")),
    ]
