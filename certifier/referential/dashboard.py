"""Home-page tasks on the referential: keeping it (national administrator), reading it (CPNEFP)."""

from typing import Any

from django.urls import reverse

from certifier.people.dashboard import Task, register
from certifier.people.enums import Role

LABELS = {
    Role.NATIONAL_ADMIN: "Tenir le référentiel : blocs, compétences, critères d'évaluation",
    Role.CPNEFP: "Consulter le référentiel et l'historique de ses modifications",
}


@register
def referential_tasks(user: Any, user_roles: set[str]) -> list[Task]:
    url = reverse("referential:certification_list")
    tasks = [Task(role, label, url) for role, label in LABELS.items() if role in user_roles]
    if Role.NATIONAL_ADMIN in user_roles:
        tasks.append(
            Task(
                Role.NATIONAL_ADMIN,
                "Importer l'export du répertoire national (France compétences)",
                reverse("referential:registry_upload"),
            )
        )
    return tasks
