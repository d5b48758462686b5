"""Links from an enrolment page to its evidence, shown only to those who may open them."""

from typing import Any

from django import template

from certifier.pathways.models import Enrolment

from ..permissions import can_read_logbook

register = template.Library()


@register.inclusion_tag("assessments/enrolment_links.html", takes_context=True)
def evidence_links(context: dict[str, Any], enrolment: Enrolment) -> dict[str, Any]:
    return {
        "enrolment": enrolment,
        "show_logbook": can_read_logbook(context["request"].user, enrolment),
        "current": "enrolment",
    }
