"""Pictures of document pages: one page of a PDF rasterised to PNG (PDFium)."""

from __future__ import annotations

import io
import threading

import pypdfium2

PREVIEW_DPI = 110  # an A4 page becomes 910 × 1287 pixels: readable, about 150 KB
_pdfium = threading.Lock()  # PDFium is not thread-safe


def page_png(pdf: bytes, page_number: int, dpi: int = PREVIEW_DPI) -> bytes:
    """PNG of page ``page_number`` (1-based) of ``pdf``; IndexError if there is no such page."""
    with _pdfium:
        document = pypdfium2.PdfDocument(pdf)
        document.init_forms()  # signature appearances are form widgets: draw them too
        try:
            if not 1 <= page_number <= len(document):
                raise IndexError(f"the document has {len(document)} page(s)")
            page = document[page_number - 1]
            image = page.render(scale=dpi / 72, may_draw_forms=True).to_pil()
            page.close()
        finally:
            document.close()
    output = io.BytesIO()
    image.save(output, format="PNG", optimize=True)
    return output.getvalue()
