"""Verifying a PDF anyone hands in: limits and refusals first, then the one validator's report."""

# A hostile file gets a 4xx or a report that says invalid, never a 500 or a long wait: the
# body is bounded (Lambda takes 6 MB per request, base64 makes 4.5 MB of a PDF; larger files
# are uploaded first, up to 100 MB), it must look
# like a PDF, open, and not be encrypted; the signatures and pages it may hold are capped
# before any of them is validated; and a signature the validator cannot read is reported
# invalid with the reason. Nothing is fetched unless asked (?online=true), and then only from
# the stage's allow-list: otherwise validation uses the trust anchors and what the file carries.

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from functions.access import Principal
from functions.errors import Invalid, Problem
from functions.query import flag, only_known
from functions.services import Services
from functions.uploads import pdf_bytes, sent_pdf, used

if TYPE_CHECKING:
    from pyhanko.pdf_utils.reader import PdfFileReader

MAX_SIGNATURES = 50  # a Party record carries 2-4; a file with more is no record of ours
MAX_PAGES = 2_000  # the longest digitised file expected is a few hundred pages
PDF_HEADER_WITHIN = 1024  # bytes; readers accept a header this far in (ISO 32000-2, 7.5.2)


def opened_pdf(pdf: bytes, field: str) -> PdfFileReader:
    """``pdf`` opened, once it is shown to be a PDF that can be read and is not encrypted,
    with at most MAX_PAGES pages and MAX_SIGNATURES signatures; else a 422 naming ``field``."""
    from signing.validation import open_pdf, signature_fields

    def _unreadable(reason: str) -> Invalid:
        return Invalid("not a PDF that can be used", [Problem(field, reason)])

    if not pdf:
        raise _unreadable("empty: send the PDF itself")
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
    services: Services,
    principal: Principal,
    params: dict[str, str],
    content_type: str,
    body: bytes,
) -> dict[str, Any]:
    """DESIGN.md's validation report for the PDF the request sends (any signed-in caller):
    the body, or an upload (functions/uploads.py), which is deleted once answered. The
    media type is checked here, after the token: a request without one gets 401.
    ``online=true`` lets validation fetch revocation data, from the stage's allow-list only."""
    from signing.fetching import AllowListedFetchers
    from signing.validation import validate_pdf

    online = _online(services, params)
    sent = sent_pdf(services, content_type, body)
    with used(services, principal, sent):
        reader = opened_pdf(pdf_bytes(services, principal, sent), sent.field)
        fetchers = AllowListedFetchers(services.settings.online_validation_urls) if online else None
        return validate_pdf(reader, services.trust.roots(), services.clock(), fetchers)


def _online(services: Services, params: dict[str, str]) -> bool:
    only_known(params, ("online",))
    online = flag(params.get("online"), "online")
    if online and not services.settings.online_validation_urls:
        raise Invalid(
            "online validation is not configured on this stage",
            [Problem("query.online", "no OCSP or CRL address is allowed here: leave it out")],
        )
    return online
