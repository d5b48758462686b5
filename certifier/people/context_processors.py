from typing import Any

from django.http import HttpRequest

from .enums import EXAM_ROLES, VAE_ROLES, Role
from .permissions import has_role

# Roles that follow enrolments; the others (CPNEFP, juries) would find an empty list.
FOLLOWING_ENROLMENTS = (
    Role.NATIONAL_ADMIN,
    Role.CRFP_STAFF,
    Role.EMPLOYER_HR,
    Role.TUTOR,
    Role.MANAGER,
    Role.ASSESSOR,
)


def roles(request: HttpRequest) -> dict[str, Any]:
    """What the menu offers: only what the user's roles can open and find something in."""
    return {
        "is_national_admin": has_role(request.user, Role.NATIONAL_ADMIN),
        "follows_enrolments": has_role(request.user, *FOLLOWING_ENROLMENTS),
        "deals_with_exams": has_role(request.user, *EXAM_ROLES),
        "keeps_jury_lists": has_role(request.user, Role.CPNEFP),
        "is_candidate": has_role(request.user, Role.CANDIDATE),
        "deals_with_vae": has_role(request.user, *VAE_ROLES),
    }
