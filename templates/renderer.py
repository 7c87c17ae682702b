"""The one renderer: a procedure's Jinja2 RML template and a context in, a PDF out (reportlab)."""

from __future__ import annotations

import datetime as dt
import functools
import io
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from lxml import etree
from pypdf import PdfReader
from reportlab.pdfbase import ttfonts
from reportlab.pdfgen.canvas import Canvas
from z3c.rml import document as rml_document

from templates import FONTS_DIR, TEMPLATES_DIR
from templates.catalogue import Procedure
from templates.rules import month_count

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


def vn_number(value: int) -> str:
    """``1234500`` → ``1.234.500`` (Vietnamese thousands separator)."""
    return f"{value:,}".replace(",", ".")


_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
_GROUPS = ("", "nghìn", "triệu", "tỷ", "nghìn tỷ")


def _three_digits(value: int, full: bool) -> list[str]:
    """Words of 0 < ``value`` < 1000; ``full`` reads leading zeros ("không trăm linh năm")."""
    hundreds, tens, units = value // 100, value // 10 % 10, value % 10
    words = []
    if hundreds or full:
        words += [_DIGITS[hundreds], "trăm"]
    if tens == 0 and units and words:
        words.append("linh")
    elif tens == 1:
        words.append("mười")
    elif tens > 1:
        words += [_DIGITS[tens], "mươi"]
    if units == 1 and tens > 1:
        words.append("mốt")
    elif units == 5 and tens > 0:
        words.append("lăm")
    elif units:
        words.append(_DIGITS[units])
    return words


def vn_number_words(value: int) -> str:
    """An amount in words, as receipts write it: ``187500`` → ``Một trăm tám mươi bảy nghìn
    năm trăm``. Groups of three that are all zeros are left out."""
    if not 0 <= value < 1000 ** len(_GROUPS):
        raise ValueError(f"cannot write {value} in words")
    if value == 0:
        return "Không"
    groups = []
    while value:
        value, group = divmod(value, 1000)
        groups.append(group)
    words: list[str] = []
    for index in range(len(groups) - 1, -1, -1):
        if groups[index]:
            words += _three_digits(groups[index], full=index < len(groups) - 1)
            words += [_GROUPS[index]] if _GROUPS[index] else []
    text = " ".join(words)
    return text[0].upper() + text[1:]


def _upper(value: str) -> str:
    return unicodedata.normalize("NFC", value.upper())


def _load_template(name: str) -> tuple[str, str, Callable[[], bool]]:
    """A template by absolute path (a procedure's document, wherever its folder is) or by
    name under templates/ (the shared layout it extends)."""
    path = Path(name) if Path(name).is_absolute() else TEMPLATES_DIR / name
    try:
        source = path.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise jinja2.TemplateNotFound(name) from error
    mtime = path.stat().st_mtime
    return source, str(path), lambda: path.exists() and path.stat().st_mtime == mtime


_environment = jinja2.Environment(
    loader=jinja2.FunctionLoader(_load_template),
    autoescape=True,  # RML is XML: every value is escaped
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_environment.filters.update(
    {
        "vn_date": vn_date,
        "vn_month": vn_month,
        "vn_long_date": vn_long_date,
        "vn_number": vn_number,
        "vn_number_words": vn_number_words,
        "month_count": month_count,
        "upper": _upper,
    }
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


def document_context(
    procedure: Procedure,
    data: dict[str, Any],
    organization: dict[str, Any],
    step_organizations: list[dict[str, Any]],
    number: str,
    issued_on: dt.date,
) -> dict[str, Any]:
    """What a document template sees (_layout.rml.j2 lists it). ``organization`` issues the
    document; ``step_organizations`` are the directory entries the steps resolved to."""
    return {
        "data": data,
        "organization": organization,
        "number": number,
        "issued_on": issued_on,
        "signatory": organization["signatory"],
        "steps": [
            {
                "role": step.role,
                "title": step.title,
                "organization": org,
                "signatory": org.get("signatory"),
            }
            for step, org in zip(procedure.steps, step_organizations, strict=True)
        ],
    }


def render_rml(procedure: Procedure, context: dict[str, Any]) -> str:
    """The RML text of ``procedure``'s document for ``context`` (values already NFC)."""
    template = _environment.get_template(str(procedure.folder.resolve() / "document.rml.j2"))
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
