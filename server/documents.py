"""An uploaded document (a floating member's identity proof, a market's 六化 evidence): a photo
(rebuilt from its pixels, like every image) or a PDF (read, and rewritten page by page: no
scripts, attachments, actions or metadata survive). Anything else is refused; so is a file over
10 MB. In a thread. Each caller names its own refusals (code and words)."""
from __future__ import annotations

import asyncio
import io

from server import images
from server.errors import DomainError

MAX_BYTES = images.MAX_UPLOAD_BYTES
MAX_PAGES = 10


class NotADocument(DomainError):
    status, code, message = 415, "document_type", "请上传照片（JPG、PNG）或 PDF 文件"


class DocumentTooLarge(DomainError):
    status, code, message = 413, "document_too_large", "文件太大了，请上传 10 MB 以内的照片或 PDF"


async def clean(data: bytes, *, wrong_type: type[NotADocument] = NotADocument,
                too_large: type[DocumentTooLarge] = DocumentTooLarge) -> tuple[bytes, str]:
    if len(data) > MAX_BYTES:
        raise too_large()
    if data.lstrip()[:5] == b"%PDF-":
        try:
            return await asyncio.to_thread(_pdf, data), "application/pdf"
        except NotADocument as refused:
            raise wrong_type(refused.message) from None
    try:
        body, _, _ = await images.clean(data)
    except images.NotAnImage:
        raise wrong_type() from None
    return body, "image/jpeg"


def suffix(content_type: str) -> str:
    return ".pdf" if content_type == "application/pdf" else ".jpg"


def _pdf(data: bytes) -> bytes:
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted or not 1 <= len(reader.pages) <= MAX_PAGES:
            raise NotADocument("PDF 不能加密，最多 10 页")
        writer = PdfWriter()
        for page in reader.pages:
            page.pop("/AA", None)  # a page's own actions
            page.pop("/Annots", None)  # links and form fields
            writer.add_page(page)
        out = io.BytesIO()
        writer.write(out)
    except NotADocument:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, RecursionError, OSError):
        raise NotADocument("这个 PDF 文件打不开，请重新导出后上传") from None
    return out.getvalue()
