"""Template components that need a little logic: sortable column headings."""

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("components/sort_header.html", takes_context=True)
def sort_header(context: dict[str, Any], key: str, label: str) -> dict[str, Any]:
    """A column heading whose link sorts the list by it (server-side, `?tri=`), announcing the
    current order with aria-sort; a second click on the sorted column reverses it."""
    current = context["sort"]
    active = current.lstrip("-") == key
    descending = active and current.startswith("-")
    query = context["request"].GET.copy()
    query["tri"] = f"-{key}" if active and not descending else key
    query.pop("page", None)
    query.pop("format", None)
    return {
        "label": label,
        "href": f"?{query.urlencode()}",
        "aria_sort": ("descending" if descending else "ascending") if active else "",
        "next_order": "décroissant" if active and not descending else "croissant",
    }


@register.filter
def count_of(count: int, forms: str) -> str:
    """`{{ n|count_of:"bloc validé,blocs validés" }}`: French agreement, 0 and 1 take the singular."""
    singular, plural = forms.split(",")
    return f"{count} {singular if count < 2 else plural}"
