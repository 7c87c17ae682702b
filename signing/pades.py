"""The one signing pipeline: a PDF and a signer in, a PAdES-signed PDF (incremental update) out."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

from asn1crypto import cms
from asn1crypto import x509 as asn1_x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.serialization import load_der_public_key
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers.pdf_byterange import PreparedByteRangeDigest
from pyhanko.sign.signers.pdf_cms import ExternalSigner, PdfCMSSignedAttributes, Signer
from pyhanko.sign.signers.pdf_signer import (
    PdfSigningSession,
    PdfTBSDocument,
    PostSignInstructions,
)
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.errors import (
    ExpiredError,
    InsufficientRevinfoError,
    NotYetValidError,
    PathBuildingError,
    RevokedError,
)
from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend
from pyhanko_certvalidator.registry import SimpleCertificateStore

from signing import hexstrings
from signing.backends import load_chain
from signing.runtime import http_session, keep_timestamp_tokens, run, timestamper
from signing.terms import (
    LEVEL_B_LTA,
    SignatureMismatch,
    SigningRefused,
    SigningUnavailable,
    TrustSettings,
)

hexstrings.install()  # every PDF this package signs or validates is read through pyHanko

T = TypeVar("T")


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
    signing_time: dt.datetime  # written into the signature and shown on its stamp
    stamp_timezone: dt.tzinfo = dt.UTC


@dataclass(frozen=True)
class SignedPdf:
    """A signed PDF and the facts about the signature just added."""

    pdf: bytes
    signer: str
    signed_at: str  # the signing time written into the signature (the request's)
    timestamped_at: str  # the time of the signature's RFC 3161 timestamp token
    level: str


def signer_name(signer: Signer) -> str:
    """The common name of the signer's certificate."""
    cert = signer.signing_cert
    assert cert is not None
    return str(cert.subject.native.get("common_name", cert.subject.human_friendly))


class _ClockedPdfSigner(signers.PdfSigner):
    """A PdfSigner whose signing time is given, not read from the wall clock."""

    def __init__(self, *args: Any, signing_time: dt.datetime, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._signing_time = signing_time

    def init_signing_session(
        self, pdf_out: Any, existing_fields_only: bool = False
    ) -> PdfSigningSession:
        session = super().init_signing_session(pdf_out, existing_fields_only=existing_fields_only)
        session.system_time = self._signing_time
        return session


def sign_pdf(
    pdf: bytes, signer: Signer, request: SignatureRequest, trust: TrustSettings
) -> SignedPdf:
    """Add a PAdES signature to ``pdf`` as an incremental update.

    The signature carries ``request.signing_time``, a timestamp from ``trust.tsa_url``
    and the validation data (certificates, OCSP responses) of the signer and the TSA
    (B-LT); for ``LEVEL_B_LTA`` a document timestamp follows. The signer's certificate
    is validated at the signing time against ``trust``'s roots first.

    Raises SigningRefused when the signature can never be made as asked (the
    certificate is revoked, expired or not trusted), SigningUnavailable when a
    service did not answer (TSA, OCSP); errors of the signer's own callback (the
    key service) pass through as they are.
    """
    return _run(_sign(pdf, signer, request, trust))


def _run(signing: Coroutine[Any, Any, T]) -> T:
    """Run a signing coroutine, its failures classified (``_classified``)."""
    try:
        return run(signing)
    except SigningError as error:
        raise _classified(error) from error
    except OSError as error:  # TimestampRequestError, connection errors
        raise SigningUnavailable(f"a signing service did not answer: {error}") from error


def _classified(error: SigningError) -> Exception:
    """What a pyHanko SigningError means for the caller: refused for good, or try later."""
    cause = error.__cause__
    if isinstance(cause, RevokedError):
        return SigningRefused("certificate_revoked", f"the certificate is revoked: {cause}")
    if isinstance(cause, ExpiredError | NotYetValidError):
        return SigningRefused(
            "certificate_expired", f"the certificate is not valid at the signing time: {cause}"
        )
    if isinstance(cause, InsufficientRevinfoError):
        return SigningUnavailable(f"the revocation status could not be fetched: {cause}")
    if isinstance(cause, PathBuildingError):
        return SigningRefused(
            "certificate_untrusted", f"the certificate does not chain to a trusted root: {cause}"
        )
    if cause is not None and "certvalidator" in type(cause).__module__:
        return SigningRefused("certificate_invalid", f"the certificate is not usable: {cause}")
    return SigningRefused("document_unsignable", f"the document cannot be signed: {error}")


def _fetching_context(
    trust: TrustSettings, fetchers: AIOHttpFetcherBackend, moment: dt.datetime
) -> ValidationContext:
    """Validation while signing our own documents: the revocation data of certificates under
    our trust anchors is fetched (and embedded), and must be had."""
    return ValidationContext(
        trust_roots=trust.roots(),
        allow_fetching=True,
        revocation_mode="hard-fail",
        fetcher_backend=fetchers,
        moment=moment,
    )


async def _sign(
    pdf: bytes, signer: Signer, request: SignatureRequest, trust: TrustSettings
) -> SignedPdf:
    tokens = keep_timestamp_tokens()
    fetchers = trust.ocsp_answers.backend(request.signing_time, http_session())
    context = _fetching_context(trust, fetchers, request.signing_time)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    output = io.BytesIO()
    await _pdf_signer(signer, request, trust, context).async_sign_pdf(
        writer, output=output, appearance_text_params=_appearance_text(request)
    )
    return _signed(output.getvalue(), signer, request, tokens)


# Room for the CMS of a signature made elsewhere, in the hex the PDF holds: 16 KB of DER,
# ample for a chain of four certificates and a timestamp token with its TSA's chain.
EXTERNAL_RESERVED_BYTES = 32_768


@dataclass(frozen=True)
class PreparedSignature:
    """A signature prepared for a key held elsewhere (an officer's token): the document
    with its field, appearance and room for the signature, where that room is, and the
    signed attributes the key must sign (``digest`` is their SHA-256)."""

    pdf: bytes
    document_digest: bytes
    reserved_start: int
    reserved_end: int
    signed_attributes: bytes  # DER

    @property
    def digest(self) -> bytes:
        return hashlib.sha256(self.signed_attributes).digest()


def signature_algorithm(certificate: asn1_x509.Certificate) -> str:
    """What a key holding ``certificate`` signs with here: RSA PKCS#1 v1.5 or ECDSA, on SHA-256."""
    return "rsassa_pkcs1v15_sha256" if certificate.public_key.algorithm == "rsa" else "ecdsa_sha256"


def prepare_signature(
    pdf: bytes, chain_pem: list[str], request: SignatureRequest, trust: TrustSettings
) -> PreparedSignature:
    """The first half of ``sign_pdf`` for a key held elsewhere: the signer's certificate is
    validated (its revocation fetched), the field and its appearance are placed, and the
    signed attributes are made; nothing is signed. Raises as ``sign_pdf`` does."""
    return _run(_prepare(pdf, chain_pem, request, trust))


def finish_signature(
    pdf: bytes,
    prepared: PreparedSignature,
    chain_pem: list[str],
    signature: bytes,
    request: SignatureRequest,
    trust: TrustSettings,
) -> SignedPdf:
    """The second half: ``signature``, made elsewhere over ``prepared.signed_attributes``,
    is checked against the certificate (SignatureMismatch), embedded with a timestamp,
    and followed by the validation data (B-LT), as ``sign_pdf`` does for ``pdf``, the
    document ``prepared`` was made from. Raises as ``sign_pdf`` does."""
    certificates = load_chain(chain_pem)
    value = _verified(certificates[0], prepared.signed_attributes, signature)
    return _run(_finish(pdf, prepared, certificates, value, request, trust))


def _verified(certificate: asn1_x509.Certificate, message: bytes, signature: bytes) -> bytes:
    """``signature`` as CMS holds it (ECDSA in DER, also when given as r || s) if it is the
    certificate key's over ``message``; SignatureMismatch otherwise."""
    key = load_der_public_key(certificate.public_key.dump())
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, message, padding.PKCS1v15(), hashes.SHA256())
            return signature
        if isinstance(key, ec.EllipticCurvePublicKey):
            size = (key.curve.key_size + 7) // 8
            if len(signature) == 2 * size:  # PKCS#11 tokens answer r || s
                signature = encode_dss_signature(
                    int.from_bytes(signature[:size], "big"), int.from_bytes(signature[size:], "big")
                )
            key.verify(signature, message, ec.ECDSA(hashes.SHA256()))
            return signature
    except (InvalidSignature, ValueError) as error:
        raise SignatureMismatch("the signature does not verify") from error
    raise SignatureMismatch("only RSA and ECDSA keys sign here")


def _pdf_signer(
    signer: Signer, request: SignatureRequest, trust: TrustSettings, context: ValidationContext
) -> _ClockedPdfSigner:
    """The PdfSigner of ``request``: its field, level, appearance, time and validation."""
    meta = signers.PdfSignatureMetadata(
        field_name=request.field_name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        embed_validation_info=True,
        use_pades_lta=request.level == LEVEL_B_LTA,
        validation_context=context,
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
    return _ClockedPdfSigner(
        meta,
        signer,
        timestamper=timestamper(trust.tsa_url),
        stamp_style=stamp,
        new_field_spec=fields.SigFieldSpec(
            sig_field_name=request.field_name,
            on_page=request.box.page if request.box else 0,
            box=request.box.rect if request.box else None,
        ),
        signing_time=request.signing_time,
    )


def _appearance_text(request: SignatureRequest) -> dict[str, str]:
    shown_time = request.signing_time.astimezone(request.stamp_timezone)
    return {"time": shown_time.strftime(STAMP_TIME_FORMAT)}


def _external_signer(certificates: list[asn1_x509.Certificate], value: bytes) -> ExternalSigner:
    return ExternalSigner(
        certificates[0], SimpleCertificateStore.from_certs(certificates[1:]), signature_value=value
    )


async def _prepare(
    pdf: bytes, chain_pem: list[str], request: SignatureRequest, trust: TrustSettings
) -> PreparedSignature:
    external = _external_signer(load_chain(chain_pem), bytes(512))
    fetchers = trust.ocsp_answers.backend(request.signing_time, http_session())
    context = _fetching_context(trust, fetchers, request.signing_time)
    pdf_signer = _pdf_signer(external, request, trust, context)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    digest, _, output = await pdf_signer.async_digest_doc_for_signing(
        writer,
        bytes_reserved=EXTERNAL_RESERVED_BYTES,
        appearance_text_params=_appearance_text(request),
    )
    attributes = await external.signed_attrs(
        digest.document_digest,
        "sha256",
        attr_settings=PdfCMSSignedAttributes(signing_time=request.signing_time),
        use_pades=True,
    )
    assert isinstance(output, io.BytesIO)
    return PreparedSignature(
        pdf=output.getvalue(),
        document_digest=digest.document_digest,
        reserved_start=digest.reserved_region_start,
        reserved_end=digest.reserved_region_end,
        signed_attributes=attributes.dump(),
    )


async def _finish(
    pdf: bytes,
    prepared: PreparedSignature,
    certificates: list[asn1_x509.Certificate],
    signature: bytes,
    request: SignatureRequest,
    trust: TrustSettings,
) -> SignedPdf:
    tokens = keep_timestamp_tokens()
    external = _external_signer(certificates, signature)
    fetchers = trust.ocsp_answers.backend(request.signing_time, http_session())
    output = io.BytesIO(prepared.pdf)
    context = _fetching_context(trust, fetchers, request.signing_time)
    container = await external.async_sign_prescribed_attributes(
        "sha256",
        signed_attrs=cms.CMSAttributes.load(prepared.signed_attributes),
        timestamper=timestamper(trust.tsa_url),
    )
    # the validation data, fetched again now, as sign_pdf gathers them before signing
    session = _pdf_signer(external, request, trust, context).init_signing_session(
        IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    )
    validation = await session.perform_presign_validation()
    assert validation is not None
    await PdfTBSDocument.async_finish_signing(
        output,
        PreparedByteRangeDigest(
            prepared.document_digest, prepared.reserved_start, prepared.reserved_end
        ),
        container,
        post_sign_instr=PostSignInstructions(validation_info=validation),
        validation_context=context,
    )
    return _signed(output.getvalue(), external, request, tokens)


def _signed(
    pdf: bytes, signer: Signer, request: SignatureRequest, tokens: list[cms.ContentInfo]
) -> SignedPdf:
    """The facts of the signature just made; ``tokens`` are the timestamp tokens it
    received, the signature's own first (a B-LTA's document timestamp follows)."""
    info = tokens[0]["content"]["encap_content_info"]["content"].parsed
    timestamped_at: dt.datetime = info["gen_time"].native
    return SignedPdf(
        pdf=pdf,
        signer=signer_name(signer),
        signed_at=request.signing_time.isoformat(timespec="seconds"),
        timestamped_at=timestamped_at.isoformat(timespec="seconds"),
        level=request.level,
    )


def newest_timestamp_expiry(pdf: bytes) -> dt.datetime | None:
    """When the certificate of the newest document timestamp expires (None: the file has
    none): the archival chain must be renewed before then."""
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    stamps = reader.embedded_timestamp_signatures
    if not stamps:
        return None
    moment: dt.datetime = stamps[-1].signer_cert["tbs_certificate"]["validity"]["not_after"].native
    return moment


def renew_archival_timestamp(pdf: bytes, trust: TrustSettings, now: dt.datetime) -> bytes:
    """``pdf`` with its archival timestamp chain renewed (PAdES B-LTA): an incremental
    update with fresh validation data for the newest document timestamp and a new one on
    top. The bytes before it are untouched."""
    return run(_renew(pdf, trust, now))


async def _renew(pdf: bytes, trust: TrustSettings, now: dt.datetime) -> bytes:
    context = _fetching_context(trust, AIOHttpFetcherBackend(http_session()), now)
    output = io.BytesIO()
    stamper = signers.PdfTimeStamper(timestamper(trust.tsa_url))
    try:
        await stamper.async_update_archival_timestamp_chain(
            PdfFileReader(io.BytesIO(pdf), strict=False), context, in_place=False, output=output
        )
    except SigningError as error:
        raise _classified(error) from error
    return output.getvalue()
