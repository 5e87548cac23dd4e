"""Serving the media store (``/media/…``): only its files, never as a page that can run script.

Uploaded and imported files are served by this view, with or without DEBUG (``broadsheet
serve`` routes /media/ to it). Each response:

- is a file under ``MEDIA_ROOT`` (no ``..``, no symlink out of it, no hidden files; else 404);
- has the content type of what the file's first bytes say it is, from the allow-list in
  ``filetypes`` (an imported ``.html``, ``.svg`` or ``.php`` goes out as
  ``application/octet-stream``), never ``text/html`` or ``image/svg+xml``;
- carries ``X-Content-Type-Options: nosniff`` and ``Content-Security-Policy: default-src
  'none'; sandbox``, so even a file opened directly cannot run script or load anything;
- is a download (``Content-Disposition: attachment``) unless it is an image, audio, video or PDF;
- has an ETag and Last-Modified (conditional requests answer 304), single byte ranges (206,
  for audio and video seeking), and a year-long ``immutable`` cache for generated sizes.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.http import FileResponse, Http404, HttpResponse
from django.utils._os import safe_join
from django.utils.cache import get_conditional_response
from django.utils.http import content_disposition_header, http_date
from django.views.decorators.http import require_safe

from broadsheet.media.filetypes import HEAD_BYTES, detect_type

SANDBOX_POLICY = "default-src 'none'; sandbox"
FALLBACK_TYPE = "application/octet-stream"
SIZE_CACHE = "public, max-age=31536000, immutable"  # a generated size never changes under its name
FILE_CACHE = "public, max-age=86400"
_SIZE_FILE = re.compile(r"-\d+x\d+\.(?:jpg|jpeg|png|gif|webp)\Z", re.IGNORECASE)
_RANGE = re.compile(r"bytes=(\d*)-(\d*)\Z")


def media_path(relative: str) -> Path:
    """Return the real path of ``relative`` inside ``MEDIA_ROOT``, or raise Http404."""
    if not relative or "\x00" in relative or "\\" in relative:
        raise Http404("No such file.")
    parts = relative.split("/")
    if any(part in ("", ".", "..") or part.startswith(".") for part in parts):
        raise Http404("No such file.")
    root = os.path.realpath(settings.MEDIA_ROOT)
    try:
        candidate = os.path.realpath(safe_join(root, relative))
    except (SuspiciousFileOperation, ValueError) as error:
        raise Http404("No such file.") from error
    if not candidate.startswith(root + os.sep):
        raise Http404("No such file.")
    return Path(candidate)


@require_safe
def serve_media(request, path: str):
    """Serve one file of the media store with the headers above."""
    location = media_path(path)
    try:
        handle = open(location, "rb")
    except OSError as error:
        raise Http404("No such file.") from error
    try:
        status = os.fstat(handle.fileno())
        if not stat.S_ISREG(status.st_mode):
            raise Http404("No such file.")
        file_type = detect_type(handle.read(HEAD_BYTES))
        handle.seek(0)
    except BaseException:
        handle.close()
        raise
    etag = f'"{status.st_size:x}-{status.st_mtime_ns:x}"'
    not_modified = get_conditional_response(request, etag=etag, last_modified=int(status.st_mtime))
    if not_modified is not None:
        handle.close()
        not_modified["X-Content-Type-Options"] = "nosniff"
        not_modified["Content-Security-Policy"] = SANDBOX_POLICY
        not_modified["Cache-Control"] = _cache_control(location, file_type)
        not_modified["ETag"] = etag
        not_modified["Last-Modified"] = http_date(status.st_mtime)
        return not_modified

    length = status.st_size
    byte_range = _requested_range(request, length, etag, status.st_mtime)
    if byte_range == "unsatisfiable":
        handle.close()
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{length}"
        _set_headers(response, location, file_type, etag, status.st_mtime)
        return response
    if byte_range is None:
        response = FileResponse(handle)
        response["Content-Length"] = str(length)
    else:
        start, end = byte_range
        handle.seek(start)
        response = FileResponse(_limited(handle, end - start + 1), status=206)
        response["Content-Range"] = f"bytes {start}-{end}/{length}"
        response["Content-Length"] = str(end - start + 1)
    _set_headers(response, location, file_type, etag, status.st_mtime)
    return response


def _set_headers(response, location: Path, file_type, etag: str, modified: float) -> None:
    response["Content-Type"] = file_type.mime_type if file_type else FALLBACK_TYPE
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX_POLICY
    response["Accept-Ranges"] = "bytes"
    response["ETag"] = etag
    response["Last-Modified"] = http_date(modified)
    response["Cache-Control"] = _cache_control(location, file_type)
    if file_type is None or not file_type.shows_inline:
        response["Content-Disposition"] = content_disposition_header(True, location.name)
    else:
        response["Content-Disposition"] = content_disposition_header(False, location.name)


def _cache_control(location: Path, file_type) -> str:
    return SIZE_CACHE if file_type and file_type.is_image and _SIZE_FILE.search(location.name) else FILE_CACHE


def _requested_range(request, length: int, etag: str, modified: float):
    """Return ``(start, end)`` for a single satisfiable byte range, "unsatisfiable", or None (whole file)."""
    header = request.headers.get("Range", "")
    if not header or request.method != "GET":
        return None
    if_range = request.headers.get("If-Range")
    if if_range and if_range != etag and if_range != http_date(modified):
        return None  # the file changed since the client's copy: send it whole
    match = _RANGE.match(header.strip())
    if match is None:
        return None  # several ranges or another unit: RFC 9110 lets us answer with the whole file
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # the last N bytes
        suffix = int(last)
        if suffix == 0:
            return "unsatisfiable"
        return max(0, length - suffix), length - 1
    start = int(first)
    end = min(int(last), length - 1) if last else length - 1
    if start >= length or end < start:
        return "unsatisfiable"
    return start, end


def _limited(handle, remaining: int, block: int = 64 * 1024):
    with handle:
        while remaining > 0:
            chunk = handle.read(min(block, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk
