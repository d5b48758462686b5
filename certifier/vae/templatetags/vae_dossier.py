"""The dossier's summary on the application page: `{% dossier_summary application user as dossier %}`."""

from typing import Any

from django import template

from certifier.vae.dossier import dossier_summary as summary
from certifier.vae.models import VaeApplication

register = template.Library()


@register.simple_tag
def dossier_summary(application: VaeApplication, user: Any) -> dict[str, Any]:
    return summary(user, application)
