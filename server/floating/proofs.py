"""The home branch's stamped identity proof, as uploaded: a photo (rebuilt from its pixels, like
every image) or a PDF (read, and rewritten page by page: no scripts, attachments, actions or
metadata survive). Anything else is refused; so is a file over 10 MB. In a thread."""
from __future__ import annotations

import asyncio
import io

from server import images
from server.errors import DomainError

MAX_BYTES = images.MAX_UPLOAD_BYTES
MAX_PAGES = 10


class NotAProof(DomainError):
    status, code, message = 415, "proof_type", "身份证明请上传照片（JPG、PNG）或 PDF 文件"


class ProofTooLarge(DomainError):
    status, code, message = 413, "proof_too_large", "文件太大了，请上传 10 MB 以内的照片或 PDF"


async def clean(data: bytes) -> tuple[bytes, str]:
    if len(data) > MAX_BYTES:
        raise ProofTooLarge()
    if data.lstrip()[:5] == b"%PDF-":
        return await asyncio.to_thread(_pdf, data), "application/pdf"
    try:
        body, _, _ = await images.clean(data)
    except images.NotAnImage:
        raise NotAProof() from None
    return body, "image/jpeg"


def _pdf(data: bytes) -> bytes:
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted or not 1 <= len(reader.pages) <= MAX_PAGES:
            raise NotAProof("PDF 不能加密，最多 10 页")
        writer = PdfWriter()
        for page in reader.pages:
            page.pop("/AA", None)  # a page's own actions
            page.pop("/Annots", None)  # links and form fields
            writer.add_page(page)
        out = io.BytesIO()
        writer.write(out)
    except NotAProof:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, RecursionError, OSError):
        raise NotAProof("这个 PDF 文件打不开，请重新导出后上传") from None
    return out.getvalue()
