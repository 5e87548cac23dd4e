"""WordPress's ``_wp_attachment_metadata``: an image's dimensions and its sizes, read into a library item and written back.

WordPress keeps the sizes it generated next to the original, in the same folder, and names
each by its file only: ``{"width": 1200, "height": 800, "file": "2010/07/estate.jpg",
"sizes": {"medium": {"file": "estate-300x200.jpg", "width": 300, "height": 200,
"mime-type": "image/jpeg"}, ...}}``, PHP-serialised. :func:`read_attachment_metadata` reads
that (strictly, see php_serialized.py) and :func:`library_sizes` gives ``MediaItem.sizes``
the shape uploads give it (``imaging.py``, ``responsive.py``): ``{"medium": {"file":
"2010/07/estate-300x200.jpg", "url": "/media/2010/07/estate-300x200.jpg", "width": 300,
"height": 200}}`` for a file in the media store, and only ``url``, ``width`` and ``height``
(the URL beside the original's) for one still served from the old site.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote, unquote, urlsplit

from broadsheet.importers.wordpress.php_serialized import MAX_BYTES, PHPValueRefused, read_php_value, write_php_value

MAX_SIZES = 50
MAX_DIMENSION = 1_000_000
_DIMENSIONS = re.compile(r's:[0-9]+:"(width|height)";i:([0-9]{1,7});')


@dataclass(frozen=True)
class SizeRecord:
    """One generated size, as WordPress records it: the file's name in the original's folder."""

    file: str
    width: int
    height: int
    mime_type: str = ""


@dataclass
class AttachmentMetadata:
    width: int | None = None
    height: int | None = None
    file: str = ""  # the original, relative to the uploads folder
    sizes: dict[str, SizeRecord] = field(default_factory=dict)
    problem: str = ""  # why the value could not be read (then only width and height, if found, are known)
    ignored_sizes: list[str] = field(default_factory=list)  # sizes left out: names and why


def read_attachment_metadata(serialised: str) -> AttachmentMetadata:
    """Read ``_wp_attachment_metadata``; never raises: what cannot be read is said in ``problem``.

    A value that is not plain serialised data (an object, a truncated or oversized value, one
    nested too deep) gives no sizes; its width and height are still looked for, since string
    lengths drift when an export's encoding was changed and WordPress then cannot read it either.
    """
    if not serialised.strip():
        return AttachmentMetadata()
    try:
        value = read_php_value(serialised)
    except PHPValueRefused as error:
        found = dict(_DIMENSIONS.findall(serialised[:MAX_BYTES]))
        return AttachmentMetadata(_dimension(found.get("width")), _dimension(found.get("height")), problem=str(error))
    if not isinstance(value, dict):
        return AttachmentMetadata(problem=f"a {type(value).__name__}, not an array")
    metadata = AttachmentMetadata(_dimension(value.get("width")), _dimension(value.get("height")))
    metadata.file = value["file"] if isinstance(value.get("file"), str) else ""
    sizes = value.get("sizes")
    if sizes is not None and not isinstance(sizes, dict):
        metadata.ignored_sizes.append("sizes: not an array")
        return metadata
    for name, size in (sizes or {}).items():
        if len(metadata.sizes) >= MAX_SIZES:
            metadata.ignored_sizes.append(f"{len(sizes) - MAX_SIZES} sizes past the first {MAX_SIZES}")
            break
        record = _size_record(size)
        if record is None:
            metadata.ignored_sizes.append(f"{str(name)[:60]!r}: no usable file, width and height")
        else:
            metadata.sizes[str(name)[:100]] = record
    return metadata


def _dimension(value) -> int | None:
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 7:
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_DIMENSION:
        return value
    return None


def _size_record(size) -> SizeRecord | None:
    if not isinstance(size, dict):
        return None
    name, width, height = size.get("file"), _dimension(size.get("width")), _dimension(size.get("height"))
    if not isinstance(name, str) or not _plain_file_name(name) or width is None or height is None:
        return None
    mime_type = size.get("mime-type")
    return SizeRecord(name, width, height, mime_type[:100] if isinstance(mime_type, str) else "")


def _plain_file_name(name: str) -> bool:
    """Whether ``name`` names a file in the original's folder: no folders, no ``..``, no control characters."""
    return (
        0 < len(name) <= 255
        and name not in (".", "..")
        and not any(character in name for character in "/\\")
        and not any(ord(character) < 32 for character in name)
    )


def library_sizes(
    metadata: AttachmentMetadata, *, stored_name: str, original_url: str, store: Callable[[str], str], url_of: Callable[[str], str]
) -> dict[str, dict]:
    """Return ``MediaItem.sizes`` for the sizes in ``metadata``.

    With the original in the media store (``stored_name``), each size is ``store``d from the
    same folder (``store(relative) -> stored name or ""``; a size whose file is missing is left
    out) and served at ``url_of(stored name)``. Otherwise each size is at its URL beside
    ``original_url``.
    """
    sizes: dict[str, dict] = {}
    if stored_name:
        folder = posixpath.dirname(stored_name)
        for name, size in metadata.sizes.items():
            stored = store(posixpath.join(folder, size.file))
            if stored:
                sizes[name] = {"file": stored, "url": url_of(stored), "width": size.width, "height": size.height}
        return sizes
    if "/" not in original_url:
        return sizes
    folder_url = original_url.split("?", 1)[0].split("#", 1)[0].rsplit("/", 1)[0]
    for name, size in metadata.sizes.items():
        sizes[name] = {"url": f"{folder_url}/{quote(size.file)}", "width": size.width, "height": size.height}
    return sizes


def write_attachment_metadata(*, width: int, height: int, file: str, mime_type: str, sizes: dict[str, dict]) -> str:
    """Return ``_wp_attachment_metadata`` for an image (as ``wp_generate_attachment_metadata`` writes its main keys)."""
    written = {}
    for name, size in sizes.items():
        stored = size.get("file")
        base = posixpath.basename(stored) if stored else unquote(posixpath.basename(urlsplit(size.get("url") or "").path))
        if base and size.get("width") and size.get("height"):
            written[name] = {"file": base, "width": size["width"], "height": size["height"], "mime-type": mime_type}
    return write_php_value({"width": width, "height": height, "file": file, "sizes": written, "image_meta": {}})
