"""Home-page tasks of the certificates: the national administrator's declaration of holders to the CPF
within three months (D62, Code du travail L6113-8), and the candidate's certificates (D60)."""

from typing import Any

from django.urls import reverse

from certifier.people.dashboard import Task, plural, register
from certifier.people.enums import Role

from .cpf import pending, state_counts
from .models import PassageState


@register
def cpf_tasks(user: Any, user_roles: set[str]) -> list[Task]:
    if Role.NATIONAL_ADMIN not in user_roles:
        return []
    url = reverse("certificates:cpf")
    late, approaching, _ = pending(limit=0)
    rejected = state_counts().get(PassageState.REJECTED, 0)
    tasks = [Task(Role.NATIONAL_ADMIN, "Déclaration des titulaires au CPF", url)]
    if late:
        label = plural(
            late, "titulaire non déclaré dans les trois mois", "titulaires non déclarés dans les trois mois"
        )
        tasks.append(
            Task(Role.NATIONAL_ADMIN, f"{label} : à déclarer sans attendre", url, late, waiting=True)
        )
    if approaching:
        label = plural(approaching, "titulaire à déclarer", "titulaires à déclarer")
        tasks.append(
            Task(Role.NATIONAL_ADMIN, f"{label} : délai de trois mois proche", url, approaching, waiting=True)
        )
    if rejected:
        label = plural(
            rejected, "passage rejeté par la Caisse des Dépôts", "passages rejetés par la Caisse des Dépôts"
        )
        tasks.append(Task(Role.NATIONAL_ADMIN, f"{label} : à corriger", url, rejected, waiting=True))
    return tasks


@register
def holder_tasks(user: Any, user_roles: set[str]) -> list[Task]:
    if Role.CANDIDATE not in user_roles:
        return []
    return [
        Task(Role.CANDIDATE, "Mes certificats et leurs liens de vérification", reverse("certificates:mine"))
    ]
