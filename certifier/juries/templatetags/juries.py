from typing import Any

from django import template
from django.urls import reverse

from certifier.juries.models import Jury
from certifier.juries.permissions import may_run_sitting, reads_local_opinions, seat_of
from certifier.people.enums import Role
from certifier.people.permissions import has_role

register = template.Library()


@register.filter
def reads_opinions(user: Any) -> bool:
    """Whether the user is let through the local jury's opinions page."""
    return reads_local_opinions(user)


@register.simple_tag
def jury_links(user: Any, session: Any) -> list[tuple[str, str]]:
    """The « Jurys » links of a session's page the user may follow: the local jury (its CRFP, the national
    administrator), the national jury, its sitting and its conflicts of interest (D51, D52)."""
    links = []
    admin = has_role(user, Role.NATIONAL_ADMIN)
    if admin or has_role(user, Role.CRFP_STAFF):
        links.append(
            ("Jurys locaux" if admin else "Jury local", reverse("juries:local_jury", args=[session.pk]))
        )
    jury = Jury.objects.filter(session=session).first()
    seated = jury is not None and has_role(user, Role.NATIONAL_JURY) and seat_of(user, jury) is not None
    if admin or seated:
        links.append(("Jury national paritaire", reverse("juries:national_jury", args=[session.pk])))
    if jury is not None and may_run_sitting(user, jury) and admin:
        links.append(("Séance du jury national", reverse("juries:sitting", args=[session.pk])))
    if jury is not None and (admin or seated):
        links.append(("Conflits d'intérêts", reverse("juries:conflicts", args=[session.pk])))
    return links
