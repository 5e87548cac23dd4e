"""Accepting an upload into the library: check it, clean it, name it, store it with its sizes.

The checks, in order (each refusal is an ``UploadRefused`` whose text is shown to the writer):

1. size: at most ``MEDIA_MAX_UPLOAD_BYTES`` (``BROADSHEET_MAX_UPLOAD_MB``); bigger files are
   cut off while they stream in (:class:`SizeLimitUploadHandler`), never kept whole;
2. type, from the content's first bytes (``filetypes.detect_type``), not the name or the
   browser's declared type; SVG, HTML and scripts are refused;
3. images: decoded by Pillow within ``MEDIA_MAX_IMAGE_PIXELS`` (decompression bombs refused),
   re-encoded without metadata or payload, sizes generated (``imaging.process_image``).

Audio, video and PDF are stored as uploaded (they cannot be re-encoded here); the media
route serves them with their own type, ``nosniff`` and a sandboxing policy, so a payload
hidden in one cannot run as a page.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.db import transaction
from django.utils import timezone

from broadsheet.media.filenames import clean_stem, size_name, unique_name
from broadsheet.media.filetypes import HEAD_BYTES, describe_refusal, detect_type
from broadsheet.media.imaging import ImageRefused, process_image
from broadsheet.media.models import MediaItem

MAX_ORIGINAL_NAME = 255


class UploadRefused(Exception):
    """An upload the library does not accept; ``str(error)`` is the message for the writer."""


def upload_limit_text() -> str:
    megabytes = settings.MEDIA_MAX_UPLOAD_BYTES / (1024 * 1024)
    return f"{megabytes:g} MB"


class SizeLimitUploadHandler(FileUploadHandler):
    """Stop reading a file as soon as it passes the upload limit, and remember that it did.

    First in ``FILE_UPLOAD_HANDLERS``: chunks under the limit pass on to Django's handlers;
    an over-size file is skipped (its remaining bytes are read and dropped, nothing is kept)
    and its name is listed in ``request.oversize_uploads`` so the view can say why.
    """

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.MEDIA_MAX_UPLOAD_BYTES:
            oversize = getattr(self.request, "oversize_uploads", None)
            if oversize is None:
                oversize = self.request.oversize_uploads = []
            oversize.append(self.file_name or "(unnamed)")
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler builds the file


def oversize_message(name: str) -> str:
    return f"{name}: the file is larger than the upload limit of {upload_limit_text()}."


def accept_upload(uploaded, *, user) -> MediaItem:
    """Store ``uploaded`` (a Django ``UploadedFile``) as a new library item, or raise ``UploadRefused``."""
    shown_name = (uploaded.name or "(unnamed)")[:MAX_ORIGINAL_NAME]
    if uploaded.size is not None and uploaded.size > settings.MEDIA_MAX_UPLOAD_BYTES:
        raise UploadRefused(oversize_message(shown_name))
    if not uploaded.size:
        raise UploadRefused(f"{shown_name}: the file is empty.")
    uploaded.seek(0)
    head = uploaded.read(HEAD_BYTES)
    uploaded.seek(0)
    file_type = detect_type(head)
    if file_type is None:
        raise UploadRefused(f"{shown_name}: {describe_refusal(head)}")

    clean = None
    if file_type.is_image:
        try:
            clean = process_image(uploaded, file_type, max_pixels=settings.MEDIA_MAX_IMAGE_PIXELS)
        except ImageRefused as error:
            raise UploadRefused(f"{shown_name}: {error}") from error
        uploaded.seek(0)

    now = timezone.now()
    folder_stem = now.strftime("%Y/%m/") + clean_stem(shown_name)
    taken = set(MediaItem.objects.filter(file__startswith=folder_stem).values_list("file", flat=True))
    name = unique_name(default_storage, shown_name, file_type.extension, now, taken)
    stored: list[str] = []
    try:
        content = ContentFile(clean.original.data) if clean else uploaded
        name = default_storage.save(name, content)
        stored.append(name)
        item = MediaItem(
            title=shown_name.rsplit(".", 1)[0] if "." in shown_name else shown_name,
            mime_type=file_type.mime_type,
            uploaded_at=now,
            uploaded_by=user if user is not None and user.is_authenticated else None,
            original_name=shown_name,
            file_size=default_storage.size(name),
        )
        item.file.name = name
        if clean:
            item.width, item.height = clean.original.width, clean.original.height
            for size, encoded in clean.sizes.items():
                stored_size = default_storage.save(size_name(name, encoded.width, encoded.height), ContentFile(encoded.data))
                stored.append(stored_size)
                item.sizes[size] = {
                    "file": stored_size,
                    "url": default_storage.url(stored_size),
                    "width": encoded.width,
                    "height": encoded.height,
                }
        with transaction.atomic():
            item.save()
    except BaseException:
        for leftover in stored:
            default_storage.delete(leftover)
        raise
    return item
