"""Verifying a PDF anyone hands in: limits and refusals first, then the one validator's report."""

# A hostile file gets a 4xx or a report that says invalid, never a 500 or a long wait: the
# body is bounded (Lambda takes 6 MB per request, base64 makes 4.5 MB of a PDF), it must look
# like a PDF, open, and not be encrypted; the signatures and pages it may hold are capped
# before any of them is validated; and a signature the validator cannot read is reported
# invalid with the reason. Nothing is fetched: validation uses the trust anchors and what the
# file carries.

from __future__ import annotations

from typing import Any

from pyhanko.pdf_utils.reader import PdfFileReader

from functions.access import Principal
from functions.errors import Invalid, Problem, TooLarge, UnsupportedMedia
from functions.services import Services
from signing.validation import open_pdf, signature_fields, validate_pdf

MAX_SIGNATURES = 50  # a Party record carries 2-4; a file with more is no record of ours
MAX_PAGES = 2_000  # the longest digitised file expected is a few hundred pages
PDF = "application/pdf"
PDF_HEADER_WITHIN = 1024  # bytes; readers accept a header this far in (ISO 32000-2, 7.5.2)


def opened_pdf(pdf: bytes, field: str) -> PdfFileReader:
    """``pdf`` opened, once it is shown to be a PDF that can be read and is not encrypted,
    with at most MAX_PAGES pages and MAX_SIGNATURES signatures; else a 422 naming ``field``."""

    def _unreadable(reason: str) -> Invalid:
        return Invalid("not a PDF that can be used", [Problem(field, reason)])

    if not pdf:
        raise _unreadable(f"empty: send the PDF itself (Content-Type: {PDF})")
    if b"%PDF-" not in pdf[:PDF_HEADER_WITHIN]:
        raise _unreadable("not a PDF: it has no %PDF- header")
    try:
        reader = open_pdf(pdf)
        encrypted = reader.encrypted
        pages = int(reader.root["/Pages"]["/Count"])
        signatures = signature_fields(reader)
    except RecursionError:
        raise _unreadable("its objects refer to each other in a loop") from None
    except Exception as error:  # every malformed structure pyHanko or pypdf can meet
        raise _unreadable(f"not readable: {type(error).__name__}") from None
    if encrypted:
        raise _unreadable("encrypted: send it decrypted")
    if pages > MAX_PAGES:
        raise _unreadable(f"{pages} pages: at most {MAX_PAGES}")
    if len(signatures) > MAX_SIGNATURES:
        raise _unreadable(f"{len(signatures)} signatures: at most {MAX_SIGNATURES}")
    return reader


def verify_pdf(
    services: Services, principal: Principal, content_type: str, pdf: bytes
) -> dict[str, Any]:
    """DESIGN.md's validation report for ``pdf`` (any signed-in caller), sent as
    ``content_type`` (checked here, after the token: a request without one gets 401)."""
    del principal  # any valid token may verify
    reader = pdf_body(services, content_type, pdf)
    return validate_pdf(reader, services.trust.roots(), services.clock())


def pdf_body(services: Services, content_type: str, pdf: bytes) -> PdfFileReader:
    """A request's PDF body, opened (``opened_pdf``): 415 if it is not sent as a PDF, 413
    over the limit one request can carry."""
    if content_type.split(";")[0].strip().lower() != PDF:
        raise UnsupportedMedia(f"send the PDF as the body with Content-Type: {PDF}")
    if len(pdf) > services.settings.max_pdf_bytes:
        raise TooLarge(
            f"the PDF is over {services.settings.max_pdf_bytes} bytes, the most one request "
            "can carry"
        )
    return opened_pdf(pdf, "body")
