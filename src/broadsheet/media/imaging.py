"""Pillow's part: re-encode an uploaded image clean, and make WordPress's sizes of it.

Re-encoding keeps only pixels: EXIF (GPS, camera serials), XMP, IPTC, comments, text
chunks and anything appended after the image (a polyglot payload) are gone, because the
stored file is written from decoded pixels by Pillow, with an empty ``info``. The EXIF
orientation is applied first, so a phone photo stays upright. A colour profile is
converted to sRGB and then dropped, so colours stay right without keeping the blob.

Animated GIF, WebP and PNG stay animated (each frame re-encoded); their generated size is
only the thumbnail, from the first frame, so content never swaps the animation for a still.

Sizes keep the original's format (JPEG stays JPEG, PNG stays PNG...): WordPress does the
same, every feed reader and mail client shows them, and WebP would gain little on sizes
this small.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import BinaryIO

from PIL import Image, ImageCms, ImageOps, ImageSequence, UnidentifiedImageError

from broadsheet.media.filetypes import GIF, JPEG, PNG, WEBP, FileType


@dataclass(frozen=True)
class SizeSpec:
    name: str
    width: int  # 0: no limit
    height: int  # 0: no limit
    crop: bool = False


# WordPress's defaults (Settings → Media): thumbnail cropped to a square, the others fit.
IMAGE_SIZES = (
    SizeSpec("thumbnail", 150, 150, crop=True),
    SizeSpec("medium", 300, 300),
    SizeSpec("medium_large", 768, 0),
    SizeSpec("large", 1024, 1024),
)

_PILLOW_FORMATS = {JPEG: "JPEG", PNG: "PNG", GIF: "GIF", WEBP: "WEBP"}
_ORIGINAL_QUALITY = 90  # the stored original: close to the upload
_SIZE_QUALITY = 82  # WordPress's default for generated sizes


_BOMB_ADVICE = "(a small file that opens to a huge image is a decompression bomb). Scale it down and upload it again."


class ImageRefused(Exception):
    """The upload claims to be an image but cannot be accepted; ``str(error)`` says why."""


@dataclass(frozen=True)
class EncodedImage:
    data: bytes
    width: int
    height: int


@dataclass(frozen=True)
class CleanImage:
    original: EncodedImage
    sizes: dict[str, EncodedImage]  # size name -> encoded image, only those smaller than the original
    animated: bool


def process_image(source: BinaryIO, file_type: FileType, *, max_pixels: int) -> CleanImage:
    """Decode ``source`` (already known by its magic bytes to be ``file_type``), re-encode it and its sizes.

    Raise ``ImageRefused`` for a decompression bomb (more than ``max_pixels`` pixels, counting
    every frame of an animation), a file Pillow cannot decode, or one that is not what its
    signature said.
    """
    pillow_format = _PILLOW_FORMATS[file_type]
    with warnings.catch_warnings():
        # Pillow warns past Image.MAX_IMAGE_PIXELS (set to our limit in apps.py) and refuses past
        # twice that; below its refusal, our own check gives the writer the exact size.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            image = Image.open(source, formats=[pillow_format])
            _check_pixels(image, max_pixels)
            frames = getattr(image, "n_frames", 1)
            if frames > 1:
                _check_pixels(image, max_pixels, frames=frames)
                return _process_animation(image, file_type)
            image.load()
            return _process_still(image, file_type, lossless=_is_lossless_webp(source, file_type))
        except Image.DecompressionBombError as error:
            raise ImageRefused(
                f"The image has more than {2 * max_pixels / 1_000_000:g} million pixels; the limit is "
                f"{max_pixels / 1_000_000:g} million {_BOMB_ADVICE}"
            ) from error
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as error:
            raise ImageRefused(f"The file looks like a {file_type.label} but cannot be read as one.") from error


def _check_pixels(image: Image.Image, max_pixels: int, *, frames: int = 1) -> None:
    width, height = image.size
    if width * height * frames > max_pixels:
        what = f"{width}×{height} pixels" + (f" × {frames} frames" if frames > 1 else "")
        raise ImageRefused(f"The image is {what}; the limit is {max_pixels / 1_000_000:g} million pixels {_BOMB_ADVICE}")


def _process_still(image: Image.Image, file_type: FileType, *, lossless: bool) -> CleanImage:
    image = ImageOps.exif_transpose(image) or image
    image = _to_srgb(image)
    image = _mode_for(image, file_type)
    original = _encode(image, file_type, quality=_ORIGINAL_QUALITY, lossless=lossless)
    sizes = {}
    for spec in IMAGE_SIZES:
        resized = resize_for(image, spec)
        if resized is not None:
            sizes[spec.name] = _encode(resized, file_type, quality=_SIZE_QUALITY)
    return CleanImage(original=original, sizes=sizes, animated=False)


def _process_animation(image: Image.Image, file_type: FileType) -> CleanImage:
    frames, durations = [], []
    for frame in ImageSequence.Iterator(image):
        durations.append(frame.info.get("duration", 100))
        clean = frame.convert("RGBA")  # a new image: pixels only, no info
        frames.append(clean)
    options = {"save_all": True, "append_images": frames[1:], "duration": durations}
    if "loop" in image.info:
        options["loop"] = image.info["loop"]
    if file_type is WEBP:
        options.update(quality=_ORIGINAL_QUALITY)
    if file_type is GIF:
        options.update(disposal=2, optimize=False)
    buffer = io.BytesIO()
    frames[0].save(buffer, format=_PILLOW_FORMATS[file_type], **options)
    width, height = frames[0].size
    sizes = {}
    thumbnail = resize_for(frames[0], IMAGE_SIZES[0])
    if thumbnail is not None:
        sizes[IMAGE_SIZES[0].name] = _encode(thumbnail, file_type, quality=_SIZE_QUALITY)
    return CleanImage(original=EncodedImage(buffer.getvalue(), width, height), sizes=sizes, animated=True)


def _to_srgb(image: Image.Image) -> Image.Image:
    """Convert pixels described by an embedded colour profile to sRGB (the profile itself is not kept)."""
    profile = image.info.get("icc_profile")
    if not profile or image.mode not in ("RGB", "RGBA", "CMYK"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        output_mode = "RGBA" if image.mode == "RGBA" else "RGB"
        return ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"), outputMode=output_mode)
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image  # a broken profile: keep the pixels as they are


def _mode_for(image: Image.Image, file_type: FileType) -> Image.Image:
    """Return ``image`` in a mode its format can store, keeping transparency where the format has it."""
    mode = image.mode
    if file_type is JPEG:
        return image if mode in ("L", "RGB") else image.convert("RGB")
    if file_type is WEBP:
        if mode in ("RGB", "RGBA"):
            return image
        return image.convert("RGBA" if mode in ("LA", "PA", "P") else "RGB")
    if file_type is PNG:
        return image if mode in ("1", "L", "LA", "P", "RGB", "RGBA", "I;16") else image.convert("RGBA")
    return image if mode in ("L", "P") else image.convert("RGBA")  # GIF: Pillow palettises RGBA itself


def _is_lossless_webp(source: BinaryIO, file_type: FileType) -> bool:
    """Whether ``source`` is a lossless WebP (its first chunk is ``VP8L``): kept lossless."""
    if file_type is not WEBP:
        return False
    position = source.tell()
    source.seek(0)
    head = source.read(16)
    source.seek(position)
    return head[12:16] == b"VP8L"


def _encode(image: Image.Image, file_type: FileType, *, quality: int, lossless: bool = False) -> EncodedImage:
    """Write ``image`` with none of its ``info`` (the metadata Pillow would otherwise copy)."""
    options: dict = {}
    transparency = image.info.get("transparency")
    if file_type is JPEG:
        options = {"quality": quality, "optimize": True, "progressive": True}
    elif file_type is WEBP:
        options = {"lossless": True} if lossless else {"quality": quality, "method": 4}
    elif file_type in (PNG, GIF) and transparency is not None and image.mode in ("P", "L", "RGB"):
        options = {"transparency": transparency}
    clean = image.copy()
    clean.info = {}
    buffer = io.BytesIO()
    clean.save(buffer, format=_PILLOW_FORMATS[file_type], **options)
    return EncodedImage(buffer.getvalue(), clean.width, clean.height)


def target_size(width: int, height: int, spec: SizeSpec) -> tuple[int, int] | None:
    """Return the dimensions of ``spec`` for a ``width``×``height`` image, or None when it would not be smaller.

    As WordPress's ``image_resize_dimensions``: never upscaled; a crop takes the largest
    centred box of the size's proportions that fits.
    """
    if spec.crop:
        new_width, new_height = min(spec.width, width), min(spec.height, height)
    else:
        scales = [limit / side for limit, side in ((spec.width, width), (spec.height, height)) if limit]
        scale = min(scales) if scales else 1
        if scale >= 1:
            return None
        new_width, new_height = max(1, round(width * scale)), max(1, round(height * scale))
    if (new_width, new_height) == (width, height):
        return None
    return new_width, new_height


def resize_for(image: Image.Image, spec: SizeSpec) -> Image.Image | None:
    """Return ``image`` resized (or cropped) for ``spec``, or None when the size would not be smaller."""
    size = target_size(image.width, image.height, spec)
    if size is None:
        return None
    working = image
    if image.mode in ("P", "1", "I;16"):
        working = image.convert("RGBA" if "transparency" in image.info or image.mode == "P" else "RGB")
    if spec.crop:
        return ImageOps.fit(working, size, method=Image.Resampling.LANCZOS)
    return working.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
