"""Uploaded photos: checked, re-encoded, stripped of metadata.

Whatever arrives (a phone's JPEG with GPS in its EXIF, a PNG, something pretending to be an
image) leaves as a fresh JPEG of bounded size with no metadata at all.
"""
from __future__ import annotations

import io

from PIL import Image, ImageOps, UnidentifiedImageError

from server.errors import DomainError

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_SIDE = 2560
# Pillow refuses larger images as decompression bombs; a phone camera stays well below this.
MAX_PIXELS = 60_000_000
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "HEIF", "MPO"}


class NotAnImage(DomainError):
    status, code, message = 415, "not_an_image", "请上传 JPG 或 PNG 格式的照片"


class ImageTooLarge(DomainError):
    status, code, message = 413, "image_too_large", "照片太大了，请上传 10MB 以内的照片"


def reencode(data: bytes) -> tuple[bytes, int, int]:
    """(JPEG bytes, width, height) of an uploaded image, or NotAnImage / ImageTooLarge."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImageTooLarge()
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in ACCEPTED_FORMATS:
                raise NotAnImage()
            if probe.width * probe.height > MAX_PIXELS:
                raise ImageTooLarge("照片像素太多了，请压缩后再上传")
            probe.verify()  # structure check; the image must be reopened after verify()
        with Image.open(io.BytesIO(data)) as image:
            image = ImageOps.exif_transpose(image)  # keep the orientation the phone meant, drop the tag
            image = image.convert("RGB")
            image.thumbnail((MAX_SIDE, MAX_SIDE))
            out = io.BytesIO()
            image.save(out, "JPEG", quality=85, optimize=True)  # no exif= argument: no metadata
            return out.getvalue(), image.width, image.height
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise NotAnImage() from exc
