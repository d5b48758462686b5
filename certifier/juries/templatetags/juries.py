from typing import Any

from django import template

from certifier.juries.permissions import reads_local_opinions

register = template.Library()


@register.filter
def reads_opinions(user: Any) -> bool:
    """Whether the user is let through the local jury's opinions page."""
    return reads_local_opinions(user)
