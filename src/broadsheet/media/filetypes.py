"""What a file is, read from its first bytes (its "magic"), never from its name or declared type.

One allow-list serves both doors: uploads accept only these types, and the media
route serves only these types under their own content type (anything else in the
media store, such as an imported ``.svg`` or ``.html``, goes out as a download).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

HEAD_BYTES = 4096  # enough for every signature below, and for spotting SVG or HTML


def kind_of(mime_type: str) -> str:
    """Return "image", "audio", "video" or "document" for a content type."""
    major = mime_type.split("/", 1)[0]
    return major if major in ("image", "audio", "video") else "document"


@dataclass(frozen=True)
class FileType:
    mime_type: str
    extension: str  # the stored file's extension, whatever the uploaded name said
    label: str

    @property
    def kind(self) -> str:
        return kind_of(self.mime_type)

    @property
    def is_image(self) -> bool:
        return self.kind == "image"

    @property
    def shows_inline(self) -> bool:
        """Whether a browser may show it in place (images, audio, video, PDF); others are downloads."""
        return self.kind != "document" or self.mime_type == "application/pdf"


JPEG = FileType("image/jpeg", "jpg", "JPEG image")
PNG = FileType("image/png", "png", "PNG image")
GIF = FileType("image/gif", "gif", "GIF image")
WEBP = FileType("image/webp", "webp", "WebP image")
PDF = FileType("application/pdf", "pdf", "PDF document")
MP3 = FileType("audio/mpeg", "mp3", "MP3 audio")
OGG = FileType("audio/ogg", "ogg", "Ogg audio")
M4A = FileType("audio/mp4", "m4a", "M4A audio")
MP4 = FileType("video/mp4", "mp4", "MP4 video")
WEBM = FileType("video/webm", "webm", "WebM video")

ALLOWED_TYPES = (JPEG, PNG, GIF, WEBP, PDF, MP3, OGG, M4A, MP4, WEBM)

# ISO base media ("ftyp") brands: audio-only brands are M4A, the rest MP4 video. QuickTime
# ("qt  "), HEIF/AVIF and 3GP brands are not on the list.
_AUDIO_BRANDS = {b"M4A ", b"M4B ", b"M4P "}
_VIDEO_BRANDS = {b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"M4V ", b"dash", b"mmp4"}
_OGG_AUDIO_CODECS = (b"\x01vorbis", b"OpusHead", b"\x7fFLAC", b"Speex   ")
_SVG = re.compile(rb"<svg[\s>]", re.IGNORECASE)
_MARKUP = re.compile(rb"<(?:!doctype|html|head|body|script|iframe|object|embed|\?php|\?xml)[\s>]", re.IGNORECASE)


def detect_type(head: bytes) -> FileType | None:
    """Return the allowed type whose signature ``head`` starts with, or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"%PDF-"):
        return PDF
    if head[:4] == b"OggS":
        return OGG if any(codec in head[:512] for codec in _OGG_AUDIO_CODECS) else None
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _AUDIO_BRANDS:
            return M4A
        if brand in _VIDEO_BRANDS:
            return MP4
        return None
    if head[:4] == b"\x1a\x45\xdf\xa3":  # EBML: Matroska or WebM; only WebM is allowed
        return WEBM if b"\x42\x82\x84webm" in head[:64] else None
    if head.startswith(b"ID3") or _is_mpeg_audio_frame(head):
        return MP3
    return None


def _is_mpeg_audio_frame(head: bytes) -> bool:
    """An MPEG audio frame header: 11 sync bits, a defined version and layer, a usable bit rate."""
    if len(head) < 4 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return False
    version, layer = (head[1] >> 3) & 0b11, (head[1] >> 1) & 0b11
    bitrate, sample_rate = head[2] >> 4, (head[2] >> 2) & 0b11
    return version != 0b01 and layer != 0b00 and bitrate not in (0b0000, 0b1111) and sample_rate != 0b11


def describe_refusal(head: bytes) -> str:
    """Return why a file of no allowed type is refused, naming what it looks like when that helps."""
    accepted = "JPEG, PNG, GIF or WebP images, PDF documents, MP3, Ogg or M4A audio, MP4 or WebM video"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if _SVG.search(head):
        return (
            "SVG images are not accepted: they can carry scripts. Export the drawing as PNG or WebP and upload that. "
            f"Accepted: {accepted}."
        )
    if _MARKUP.search(stripped[:1024]) or stripped[:1] == b"<":
        return f"This file is HTML, XML or a script, whatever its name says. Accepted: {accepted}."
    return f"This file's content is not a type the library accepts (whatever its name says). Accepted: {accepted}."
