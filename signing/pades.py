"""The one signing pipeline: a PDF and a signer in, a PAdES-signed PDF (incremental update) out."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers
from pyhanko.sign.signers.pdf_cms import Signer
from pyhanko.sign.timestamps import HTTPTimeStamper
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend

LEVEL_B_LT = "PAdES-B-LT"
LEVEL_B_LTA = "PAdES-B-LTA"


@dataclass(frozen=True)
class TrustSettings:
    """What signing and validation need from outside: trust roots, a TSA, the stamp font."""

    trust_roots_pem: tuple[str, ...]
    tsa_url: str
    stamp_font_file: Path

    @classmethod
    def from_files(
        cls, trust_anchors_file: Path, tsa_url: str, stamp_font_file: Path
    ) -> TrustSettings:
        """Read every certificate of a PEM bundle as a trust root."""
        return cls(split_pem_bundle(trust_anchors_file.read_text()), tsa_url, stamp_font_file)

    def roots(self) -> list[asn1_x509.Certificate]:
        return [
            asn1_x509.Certificate.load(pem.unarmor(p.encode("ascii"))[2])
            for p in self.trust_roots_pem
        ]


def split_pem_bundle(text: str) -> tuple[str, ...]:
    """The certificates of a PEM bundle, each as its own PEM string."""
    marker = "-----END CERTIFICATE-----"
    return tuple(part.strip() + "\n" + marker + "\n" for part in text.split(marker)[:-1])


STAMP_TIME_FORMAT = "%d/%m/%Y %H:%M:%S %z"  # the time shown in a signature appearance


@dataclass(frozen=True)
class SignatureBox:
    """Where the signature appearance goes: page index and rectangle (x1, y1, x2, y2) in pt."""

    page: int
    rect: tuple[int, int, int, int]


@dataclass(frozen=True)
class SignatureRequest:
    """One signature to apply."""

    field_name: str
    level: str  # LEVEL_B_LT for officers, LEVEL_B_LTA for the organisation seal
    box: SignatureBox | None  # None: an invisible signature
    stamp_text: str  # may use %(signer)s and %(time)s (the signing time in stamp_timezone)
    reason: str
    location: str
    stamp_timezone: dt.tzinfo = dt.UTC


@dataclass(frozen=True)
class SignedPdf:
    """A signed PDF and the facts about the signature just added."""

    pdf: bytes
    signer: str
    signed_at: str
    level: str


def signer_name(signer: Signer) -> str:
    """The common name of the signer's certificate."""
    cert = signer.signing_cert
    assert cert is not None
    return str(cert.subject.native.get("common_name", cert.subject.human_friendly))


def sign_pdf(
    pdf: bytes, signer: Signer, request: SignatureRequest, trust: TrustSettings
) -> SignedPdf:
    """Add a PAdES signature to ``pdf`` as an incremental update.

    The signature carries a timestamp from ``trust.tsa_url`` and the validation
    data (certificates, OCSP responses) of the signer and the TSA (B-LT); for
    ``LEVEL_B_LTA`` a document timestamp follows. Raises pyHanko's errors when
    the signer's certificate does not validate against ``trust``'s roots.
    """
    return asyncio.run(_sign(pdf, signer, request, trust))


async def _sign(
    pdf: bytes, signer: Signer, request: SignatureRequest, trust: TrustSettings
) -> SignedPdf:
    fetchers = AIOHttpFetcherBackend()
    try:
        validation_context = ValidationContext(
            trust_roots=trust.roots(),
            allow_fetching=True,
            revocation_mode="hard-fail",
            fetcher_backend=fetchers,
        )
        meta = signers.PdfSignatureMetadata(
            field_name=request.field_name,
            md_algorithm="sha256",
            subfilter=fields.SigSeedSubFilter.PADES,
            embed_validation_info=True,
            use_pades_lta=request.level == LEVEL_B_LTA,
            validation_context=validation_context,
            reason=request.reason,
            location=request.location,
        )
        stamp = TextStampStyle(
            stamp_text=request.stamp_text,
            text_box_style=TextBoxStyle(
                font=GlyphAccumulatorFactory(str(trust.stamp_font_file)), font_size=9
            ),
            timestamp_format=STAMP_TIME_FORMAT,
            border_width=1,
        )
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        pdf_signer = signers.PdfSigner(
            meta,
            signer,
            timestamper=HTTPTimeStamper(trust.tsa_url),
            stamp_style=stamp,
            new_field_spec=fields.SigFieldSpec(
                sig_field_name=request.field_name,
                on_page=request.box.page if request.box else 0,
                box=request.box.rect if request.box else None,
            ),
        )
        output = io.BytesIO()
        shown_time = dt.datetime.now(request.stamp_timezone).strftime(STAMP_TIME_FORMAT)
        await pdf_signer.async_sign_pdf(
            writer, output=output, appearance_text_params={"time": shown_time}
        )
    finally:
        await fetchers.close()
    return SignedPdf(
        pdf=output.getvalue(),
        signer=signer_name(signer),
        signed_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        level=request.level,
    )
