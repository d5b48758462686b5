"""Every file the platform hands out goes through `attachment`: its name can never break the header."""

import re
import unicodedata
from urllib.parse import quote

from django.http import HttpResponse

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_EXTENSION = re.compile(r"[A-Za-z0-9]{1,10}")


def safe_filename(name: str, default: str = "document") -> str:
    """An ASCII file name: accents dropped, anything but letters, digits, `.`, `_`, `-` replaced by `-`,
    no leading dot, at most 120 characters (the extension kept)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    stem, dot, extension = ascii_name.rpartition(".")
    if not dot or not _EXTENSION.fullmatch(extension):
        stem, extension = ascii_name, ""
    stem = _UNSAFE.sub("-", stem).strip("-.")[:110].strip("-.") or default
    return f"{stem}.{extension}" if extension else stem


def attachment(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    name = safe_filename(filename)
    response["Content-Disposition"] = f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(name)}"
    return response
