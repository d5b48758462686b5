"""Links from an enrolment page to its evidence, shown only to those who may open them."""

from typing import Any

from django import template

from certifier.pathways.models import Enrolment

from ..enums import BlockStatus
from ..permissions import can_read_logbook

register = template.Library()


@register.inclusion_tag("assessments/enrolment_links.html", takes_context=True)
def evidence_links(context: dict[str, Any], enrolment: Enrolment) -> dict[str, Any]:
    return {
        "enrolment": enrolment,
        "show_logbook": can_read_logbook(context["request"].user, enrolment),
        "current": "enrolment",
    }


@register.inclusion_tag("assessments/results_summary.html")
def results_summary(entries: list[dict[str, Any]]) -> dict[str, Any]:
    """The results page opens on this: the certification's status, then one line per block."""
    lines = [(entry["block"], _block_status(entry)) for entry in entries]
    validated = sum(1 for _, (tone, _) in lines if tone == "ok")
    return {"lines": lines, "validated": validated, "total": len(lines)}


def _block_status(entry: dict[str, Any]) -> tuple[str, str]:
    """(badge tone, words) of a block: its decision, else capitalised, else in progress."""
    if entry["outcome"]:
        validated = entry["outcome"] == BlockStatus.VALIDATED.label
        return ("ok", entry["outcome"]) if validated else ("err", entry["outcome"])
    if entry["capitalised"]:
        return "ok", "Validé (bloc capitalisé)"
    return "info", "En cours"
