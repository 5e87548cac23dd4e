"""Stored file names: safe, unique, dated, with the extension of what the file really is.

``"../../Mon Été.php.JPG"`` uploaded as a JPEG becomes ``2026/11/mon-ete-php.jpg``:
no directories from the uploader, ASCII letters, digits and hyphens only, one
extension (the detected type's), and ``-2``, ``-3``... when the name is taken, as
WordPress's ``wp_unique_filename`` does.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

from django.core.files.storage import Storage
from django.utils.text import slugify

MAX_STEM_LENGTH = 80
_SIZE_SUFFIX = re.compile(r"-(\d+)x(\d+)\Z")  # what generated sizes end with: keep originals distinct


def clean_stem(uploaded_name: str) -> str:
    """Return the slugified, ASCII name of ``uploaded_name`` without directories or extensions."""
    base = re.split(r"[/\\]", uploaded_name or "")[-1]
    base = base.split("\x00", 1)[0]
    stem = base.rsplit(".", 1)[0] if "." in base.lstrip(".") else base
    ascii_text = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    slug = slugify(ascii_text.replace(".", "-").replace("_", "-"))[:MAX_STEM_LENGTH].strip("-")
    slug = _SIZE_SUFFIX.sub(r"-\1-\2", slug)
    return slug or "file"


def size_name(stored_name: str, width: int, height: int) -> str:
    """Return the name of a generated size: ``2026/11/photo.jpg`` → ``2026/11/photo-300x200.jpg``."""
    stem, extension = stored_name.rsplit(".", 1)
    return f"{stem}-{width}x{height}.{extension}"


def original_name_of(name: str) -> str:
    """Return the name a generated size was made from (``photo-300x200.jpg`` → ``photo.jpg``), else ``name``."""
    if "." not in name:
        return name
    stem, extension = name.rsplit(".", 1)
    return _SIZE_SUFFIX.sub("", stem) + "." + extension


def unique_name(storage: Storage, uploaded_name: str, extension: str, when: datetime, taken=frozenset()) -> str:
    """Return ``YYYY/MM/<stem>.<extension>``, suffixed ``-2``, ``-3``... until neither it nor its sizes' stem is used.

    ``taken`` names count as used too (names recorded by items whose files are missing).
    """
    folder = when.strftime("%Y/%m")
    stem = clean_stem(uploaded_name)
    candidate, suffix = f"{folder}/{stem}.{extension}", 2
    while candidate in taken or storage.exists(candidate):
        candidate = f"{folder}/{stem}-{suffix}.{extension}"
        suffix += 1
    return candidate
