"""What every list page shares: server-side sorting (`?tri=`) and the export of what it shows."""

from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from .downloads import attachment
from .excel import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, table_csv, table_xlsx

EXPORTS = ("csv", "xlsx")

# A list's sorts: `?tri=` value → ordering fields; "-value" sorts the other way.
Sorts = dict[str, list[str]]


def sort_key(requested: str | None, sorts: Sorts, default: str) -> str:
    """The `?tri=` asked for if it is one of the list's, else the list's default."""
    return requested if requested and requested.lstrip("-") in sorts else default


def ordered(rows: QuerySet[Any], key: str, sorts: Sorts) -> QuerySet[Any]:
    descending = key.startswith("-")
    fields = sorts[key.lstrip("-")]
    return rows.order_by(*[f"-{field}" if descending else field for field in fields], "pk")


def export_asked(request: HttpRequest) -> str | None:
    extension = request.GET.get("format")
    return extension if extension in EXPORTS else None


def export(title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]], extension: str) -> HttpResponse:
    """A list as shown (same scope, filters and order), every page of it, as a spreadsheet."""
    filename = f"{title.lower()}.{extension}"
    if extension == "xlsx":
        return attachment(table_xlsx(title, headers, rows), filename, XLSX_CONTENT_TYPE)
    return attachment(table_csv(headers, rows), filename, CSV_CONTENT_TYPE)


def page_query(request: HttpRequest) -> str:
    """The list's query string without its page and export: kept by pagination and export links."""
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    return query.urlencode()
