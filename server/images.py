"""Uploaded photos: checked, re-encoded from their pixels alone, off the event loop.

Whatever arrives (a phone's JPEG with GPS in its EXIF, a PNG with text chunks, a JPEG comment
holding a phone number, an ICC profile, bytes after the image's end, something pretending to be
an image) leaves as a fresh JPEG built from the decoded pixels, so no metadata of any kind can
survive. The pixel count is checked from the header before anything is decoded: a PNG of 175 KB
that unpacks to 60 megapixels is refused (413) without being decoded. A large JPEG is decoded at
a reduced scale (draft mode), never at full size.
"""
from __future__ import annotations

import asyncio
import io

from PIL import Image, ImageOps, UnidentifiedImageError

from server.errors import DomainError

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_SIDE = 2560
# Decoded at full size: 24 megapixels (6000 × 4000) is about 72 MB of RGB. A JPEG is decoded at
# 1/2 to 1/8 scale in draft mode, so a 100-megapixel phone photo costs less than that.
MAX_PIXELS = 24_000_000
MAX_JPEG_PIXELS = 100_000_000
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "MPO"}  # MPO: a phone's JPEG with a depth map; its first frame


class NotAnImage(DomainError):
    status, code, message = 415, "not_an_image", "请上传 JPG、PNG 或 WebP 格式的照片"


class ImageTooLarge(DomainError):
    status, code, message = 413, "image_too_large", "照片太大了，请上传 10MB 以内的照片"


async def clean(data: bytes, fit: tuple[int, int] | None = None) -> tuple[bytes, int, int]:
    """reencode() in a worker thread: decoding a photo takes a core for a while."""
    return await asyncio.to_thread(reencode, data, fit)


def reencode(data: bytes, fit: tuple[int, int] | None = None) -> tuple[bytes, int, int]:
    """(JPEG bytes, width, height) of an uploaded image, or NotAnImage / ImageTooLarge. With
    `fit`, cut to that size's shape around its centre and scaled to it (a profile photo); else
    kept whole, at most MAX_SIDE a side."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImageTooLarge()
    try:
        with Image.open(io.BytesIO(data)) as probe:  # reads the header only
            if probe.format not in ACCEPTED_FORMATS:
                raise NotAnImage()
            limit = MAX_JPEG_PIXELS if probe.format in ("JPEG", "MPO") else MAX_PIXELS
            if probe.width * probe.height > limit:
                raise ImageTooLarge("照片像素太多了，请压缩后再上传")
            probe.verify()  # structure check; the image must be reopened after verify()
        with Image.open(io.BytesIO(data)) as image:
            side = max(fit) if fit else MAX_SIDE
            if image.format in ("JPEG", "MPO"):
                image.draft("RGB", (side, side))  # decode at the smallest scale still ≥ side
            image = ImageOps.exif_transpose(image)  # keep the orientation the phone meant
            image = image.convert("RGB")
            if fit:
                image = ImageOps.fit(image, fit, Image.LANCZOS)  # once, at upload: the best filter
            else:
                image.thumbnail((MAX_SIDE, MAX_SIDE))
            # Pixels only: a new image from the raw bytes carries no info dict (comment, ICC,
            # EXIF, XMP, text chunks), so save() has nothing to write back.
            pixels = Image.frombytes("RGB", image.size, image.tobytes())
        out = io.BytesIO()
        pixels.save(out, "JPEG", quality=85, optimize=True)
        return out.getvalue(), pixels.width, pixels.height
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise NotAnImage() from exc
