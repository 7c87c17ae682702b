"""The one renderer: a procedure's Jinja2 RML template and a context in, a PDF out (reportlab)."""

from __future__ import annotations

import datetime as dt
import functools
import io
import threading
import unicodedata
from dataclasses import dataclass
from typing import Any

import jinja2
from lxml import etree
from pypdf import PdfReader
from reportlab.pdfbase import ttfonts
from reportlab.pdfgen.canvas import Canvas
from z3c.rml import document as rml_document

from templates import FONTS_DIR, TEMPLATES_DIR
from templates.catalogue import Procedure

FONT_FACES = {
    "Serif": "LiberationSerif-Regular.ttf",
    "Serif-Bold": "LiberationSerif-Bold.ttf",
    "Serif-Italic": "LiberationSerif-Italic.ttf",
    "Serif-BoldItalic": "LiberationSerif-BoldItalic.ttf",
}

DOCUMENT_FONT = "Serif"

# z3c.rml resets reportlab for every document and each <registerTTFont> re-parses its file
# (about 60 % of a render, bench/RESULTS.md). A parsed face is read-only (subset state lives
# in the TTFont), so parsed faces are kept for the life of the process.
ttfonts.TTFontFace = functools.lru_cache(maxsize=32)(ttfonts.TTFontFace)


# reportlab keeps process-wide state (fonts, rl_config) that z3c.rml resets per document,
# so two renders must never overlap in one process (chalice local serves with threads).
_reportlab = threading.Lock()


class _DocumentFontCanvas(Canvas):
    """A canvas whose initial font is the document's embedded font, not reportlab's
    unembedded Helvetica (which it would otherwise list in every page's resources)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["initialFontName"] = kwargs.get("initialFontName") or DOCUMENT_FONT
        super().__init__(*args, **kwargs)


def _parse_date(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


def vn_date(value: str) -> str:
    """``2025-05-19`` → ``19/05/2025``."""
    return _parse_date(value).strftime("%d/%m/%Y")


def vn_month(value: str) -> str:
    """``2025-04`` → ``04/2025``."""
    year, month = value.split("-")
    return f"{month}/{year}"


def vn_long_date(value: dt.date) -> str:
    """A date as the place-and-date line writes it: ``ngày 19 tháng 5 năm 2025``."""
    return f"ngày {value.day:02d} tháng {value.month} năm {value.year}"


def _upper(value: str) -> str:
    return unicodedata.normalize("NFC", value.upper())


_environment = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
    autoescape=True,  # RML is XML: every value is escaped
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_environment.filters.update(
    {"vn_date": vn_date, "vn_month": vn_month, "vn_long_date": vn_long_date, "upper": _upper}
)


@dataclass(frozen=True)
class Anchor:
    """Where a line of text starts in a rendered document (PDF user space, points)."""

    page: int
    x: float
    y: float


@dataclass(frozen=True)
class RenderedDocument:
    """A rendered PDF and its page count."""

    pdf: bytes
    pages: int


def render_rml(procedure: Procedure, context: dict[str, Any]) -> str:
    """The RML text of ``procedure``'s document for ``context`` (values already NFC)."""
    template = _environment.get_template(f"{procedure.folder.name}/document.rml.j2")
    return template.render(
        procedure=procedure, fonts_dir=str(FONTS_DIR), font_faces=FONT_FACES, **context
    )


def render_pdf(procedure: Procedure, context: dict[str, Any]) -> RenderedDocument:
    """Render ``procedure``'s document to PDF."""
    pdf = rml_to_pdf(render_rml(procedure, context))
    return RenderedDocument(pdf=pdf, pages=page_count(pdf))


def rml_to_pdf(rml: str) -> bytes:
    """PDF bytes of an RML document (ours: no entities, no network)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    root = etree.fromstring(rml.split("\n", 1)[-1] if rml.startswith("<?xml") else rml, parser)
    output = io.BytesIO()
    with _reportlab:
        rml_document.Document(root, canvasClass=_DocumentFontCanvas).process(output)
    return output.getvalue()


def page_count(pdf: bytes) -> int:
    """Number of pages of a PDF."""
    return len(PdfReader(io.BytesIO(pdf)).pages)


def find_line(pdf: bytes, text: str) -> Anchor | None:
    """Where the last line reading ``text`` starts, searching from the last page back."""
    reader = PdfReader(io.BytesIO(pdf))
    wanted = unicodedata.normalize("NFC", text).strip()
    for index in range(len(reader.pages) - 1, -1, -1):
        hits: list[Anchor] = []

        def visit(
            shown: str, cm: list[float], *_: Any, page: int = index, found: list[Anchor] = hits
        ) -> None:
            if unicodedata.normalize("NFC", shown).strip() == wanted:
                found.append(Anchor(page=page, x=float(cm[4]), y=float(cm[5])))

        reader.pages[index].extract_text(visitor_text=visit)
        if hits:
            return hits[-1]
    return None
