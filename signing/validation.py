"""The one validator: each signature and document timestamp of a PDF, judged per EN 319 102-1."""

# Validation uses the trust anchors it is given and the data the file carries (its DSS and the
# revocation data inside each signature). It fetches nothing unless given a fetcher backend,
# and the caller decides which addresses that backend may reach (never one the PDF names).
# Signatures are judged by pyHanko's AdES long-term validation: a signature whose certificate
# was revoked or expired after a trusted timestamp still passes, with the evidence it carries.
#
# Offline, the newest revocation data a file carries is all there is to know, so it is taken
# as it stood when collected, however old (FreshnessReqType.MAX_DIFF_REVOCATION_VALIDATION
# with a century's window). Under pyHanko's default, data counts only until its nextUpdate (a
# day for OCSP): a record would turn indeterminate a day after sealing. What this cannot see
# is a revocation after the newest data: online validation and the archive's renewals (fresh
# data and a new document timestamp) are there for that.

from __future__ import annotations

import datetime as dt
import hashlib
import io
from dataclasses import dataclass
from typing import Any

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.decode_limits import DecodePurpose
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESPassed, AdESStatus, AdESSubIndic
from pyhanko.sign.fields import enumerate_sig_fields
from pyhanko.sign.validation.ades import ades_lta_validation, ades_timestamp_validation
from pyhanko.sign.validation.dss import DocumentSecurityStore, NoDSSFoundError
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.policy_decl import (
    CertificateFetchingRule,
    LocalKnowledge,
    PdfSignatureValidationSpec,
    RevinfoOnlineFetchingRule,
    RevocationInfoGatheringSpec,
    SignatureValidationSpec,
)
from pyhanko.sign.validation.status import DocumentTimestampStatus
from pyhanko_certvalidator.context import CertValidationPolicySpec
from pyhanko_certvalidator.fetchers.api import FetcherBackend
from pyhanko_certvalidator.ltv.types import ValidationTimingInfo
from pyhanko_certvalidator.policy_decl import (
    REQUIRE_REVINFO,
    CertRevTrustPolicy,
    FreshnessReqType,
)
from pyhanko_certvalidator.registry import SimpleTrustManager
from pyhanko_certvalidator.revinfo.archival import CRLContainer, OCSPContainer

from signing import hexstrings
from signing.runtime import run
from signing.terms import (
    DOCUMENT_TIMESTAMP,
    LEVEL_B_B,
    LEVEL_B_LT,
    LEVEL_B_LTA,
    LEVEL_B_T,
    SIGNATURE,
)

hexstrings.install()  # every PDF validated here is read through pyHanko

CARRIED_DATA_FRESHNESS = dt.timedelta(days=100 * 365)  # see the header: offline, any age


@dataclass(frozen=True)
class ValidationData:
    """The validation data a file carries in its DSS."""

    knowledge: LocalKnowledge
    revocation_embedded: bool


def read_validation_data(reader: PdfFileReader) -> ValidationData:
    """Certificates, OCSP responses and CRLs of the file's DSS (none without one)."""
    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except NoDSSFoundError:
        return ValidationData(LocalKnowledge(), False)
    ocsps = [
        container
        for ref in dss.ocsps
        for container in OCSPContainer.load_multi(
            asn1_ocsp.OCSPResponse.load(ref.get_object().read_data(DecodePurpose.OCSP_RESPONSE))
        )
    ]
    crls = [
        CRLContainer(asn1_crl.CertificateList.load(ref.get_object().read_data(DecodePurpose.CRL)))
        for ref in dss.crls
    ]
    knowledge = LocalKnowledge(
        known_certs=list(dss.load_certs()), known_crls=crls, known_ocsps=ocsps
    )
    return ValidationData(knowledge, bool(ocsps or crls))


def _spec(
    roots: list[asn1_x509.Certificate], carried: ValidationData, fetchers: FetcherBackend | None
) -> SignatureValidationSpec:
    return SignatureValidationSpec(
        cert_validation_policy=CertValidationPolicySpec(
            trust_manager=SimpleTrustManager.build(trust_roots=roots),
            revinfo_policy=CertRevTrustPolicy(
                REQUIRE_REVINFO,
                freshness=CARRIED_DATA_FRESHNESS,
                freshness_req_type=FreshnessReqType.MAX_DIFF_REVOCATION_VALIDATION,
            ),
        ),
        revinfo_gathering_policy=RevocationInfoGatheringSpec(
            online_fetching_rule=(
                RevinfoOnlineFetchingRule.NO_HISTORICAL_FETCH
                if fetchers is not None
                else RevinfoOnlineFetchingRule.LOCAL_ONLY
            ),
            fetcher_backend=fetchers,
            certificate_fetching_rule=CertificateFetchingRule.NEVER_FETCH,
        ),
        local_knowledge=carried.knowledge,
    )


def _name(value: Any) -> str | None:
    return None if value is None else str(value.name).lower()


def _moment(value: dt.datetime | None) -> str | None:
    return None if value is None else value.astimezone(dt.UTC).isoformat(timespec="seconds")


def _first_dss_revision(reader: PdfFileReader, after: int) -> int | None:
    for revision in range(after, reader.xrefs.total_revisions):
        if "/DSS" in reader.get_historical_root(revision):
            return revision
    return None


def _identity(embedded: EmbeddedPdfSignature) -> dict[str, Any]:
    cert = embedded.signer_cert
    names = cert.subject.native
    return {
        "field": embedded.field_name,
        "signer": names.get("common_name") or cert.subject.human_friendly,
        "certificate_sha256": hashlib.sha256(cert.dump()).hexdigest(),
    }


def _unreadable(
    field: str, kind: str, error: Exception, identity: dict[str, Any]
) -> dict[str, Any]:
    """The entry of a signature the validator could not read: invalid, with why."""
    return {
        "field": field,
        "signer": None,
        "certificate_sha256": None,
        **identity,
        "kind": kind,
        "intact": False,
        "trusted": False,
        "coverage": None,
        "modification_level": None,
        "timestamp": None,
        "revocation": None,
        "level": None,
        "indication": AdESStatus.FAILED.name,
        "subindication": f"unreadable signature: {type(error).__name__}: {error}"[:200],
        "valid": False,
    }


def signature_fields(reader: PdfFileReader) -> list[tuple[str, Any]]:
    """(name, field) of every signed signature field, its CMS not read yet (so a file with
    thousands of them can be refused before any is parsed)."""
    return [
        (name, field.get_object())
        for name, _, field in enumerate_sig_fields(reader, filled_status=True)
    ]


def _entry(
    embedded: EmbeddedPdfSignature,
    kind: str,
    status: Any,
    indication: AdESSubIndic,
    **specific: Any,
) -> dict[str, Any]:
    """A report entry: what every signature and timestamp has, then ``specific``."""
    passed = indication.status == AdESStatus.PASSED
    return {
        **_identity(embedded),
        "kind": kind,
        "intact": bool(status and status.intact),
        "trusted": bool(status and status.trusted),
        "coverage": _name(status.coverage) if status else None,
        "modification_level": _name(status.modification_level) if status else None,
        **specific,
        "indication": indication.status.name,
        "subindication": None if passed else indication.standard_name,
        "valid": passed,
    }


def _current_time_passed(indication: AdESSubIndic, status: Any) -> AdESSubIndic:
    """EN 319 102-1 (5.6.2.1): a signature that passes validation at the current time has
    passed; past validation is for one that does not (a certificate revoked or expired
    since). pyHanko runs its past validation after a pass too, and that step reads the
    machine's clock instead of the validation time: a document signed later than the
    machine's clock (a test's clock run ahead) comes out NO_POE there. A pass at the
    current time (intact, valid, trusted, timestamp trusted, not revoked) stands."""
    if (
        indication.status == AdESStatus.INDETERMINATE
        and status is not None
        and status.bottom_line
        and not status.revoked
    ):
        return AdESPassed.OK
    return indication


async def _signature(
    embedded: EmbeddedPdfSignature,
    reader: PdfFileReader,
    spec: SignatureValidationSpec,
    carried: ValidationData,
    timing: ValidationTimingInfo,
) -> dict[str, Any]:
    embedded.compute_integrity_info()  # pyHanko summarises it even when the LTA chain fails
    result = await ades_lta_validation(
        embedded, PdfSignatureValidationSpec(spec), timing_info=timing
    )
    status = result.api_status
    stamp = status.timestamp_validity if status is not None else None
    indication = _current_time_passed(result.ades_subindic, status)
    passed = indication.status == AdESStatus.PASSED
    level = None
    if passed:
        dss_revision = _first_dss_revision(reader, embedded.signed_revision)
        archived = dss_revision is not None and any(
            stamp_sig.signed_revision >= dss_revision
            for stamp_sig in reader.embedded_timestamp_signatures
        )
        level = LEVEL_B_B
        if stamp is not None and stamp.trusted:
            level = LEVEL_B_T
            if dss_revision is not None and carried.revocation_embedded:
                level = LEVEL_B_LT
                if archived and result.oldest_evidence_record_timestamp is not None:
                    level = LEVEL_B_LTA
    if status is None:
        revocation = "unknown"
    elif status.revoked:
        revocation = "revoked_after_signing" if passed else "revoked"
    else:
        revocation = "good" if passed else "unknown"
    return _entry(
        embedded,
        SIGNATURE,
        status,
        indication,
        timestamp=(
            {"time": _moment(stamp.timestamp), "trusted": bool(stamp.trusted)} if stamp else None
        ),
        revocation={"status": revocation, "embedded": carried.revocation_embedded},
        level=level,
    )


async def _document_timestamp(
    embedded: EmbeddedPdfSignature, spec: SignatureValidationSpec, timing: ValidationTimingInfo
) -> dict[str, Any]:
    embedded.compute_integrity_info()
    result = await ades_timestamp_validation(
        embedded.signed_data,
        spec,
        expected_tst_imprint=lambda _algorithm: embedded.compute_digest(),
        timing_info=timing,
        extra_status_kwargs=embedded.summarise_integrity_info(),
        status_cls=DocumentTimestampStatus,
    )
    status = result.api_status
    return _entry(
        embedded,
        DOCUMENT_TIMESTAMP,
        status,
        result.ades_subindic,
        timestamp=(
            {"time": _moment(status.timestamp), "trusted": bool(status.trusted)}
            if isinstance(status, DocumentTimestampStatus)
            else None
        ),
        revocation=None,
        level=None,
    )


async def _validate(
    reader: PdfFileReader,
    roots: list[asn1_x509.Certificate],
    now: dt.datetime,
    fetchers: FetcherBackend | None,
) -> list[dict[str, Any]]:
    try:  # the checks themselves are _validate_each's; this closes what they opened
        return await _validate_each(reader, roots, now, fetchers)
    finally:
        if fetchers is not None:
            await fetchers.close()


async def _validate_each(
    reader: PdfFileReader,
    roots: list[asn1_x509.Certificate],
    now: dt.datetime,
    fetchers: FetcherBackend | None,
) -> list[dict[str, Any]]:
    carried = read_validation_data(reader)
    spec = _spec(roots, carried, fetchers)
    timing = ValidationTimingInfo(now, now, point_in_time_validation=False)
    readable: list[EmbeddedPdfSignature] = []
    entries: list[dict[str, Any]] = []
    for name, field in signature_fields(reader):
        kind = SIGNATURE
        try:
            if field["/V"].get("/Type") == "/DocTimeStamp":
                kind = DOCUMENT_TIMESTAMP
            readable.append(EmbeddedPdfSignature(reader, field, name))
        except Exception as error:  # a hostile file's /Contents, /ByteRange...: invalid
            entries.append(_unreadable(name, kind, error, {}))
    checked = []
    for embedded in sorted(readable, key=lambda e: e.signed_revision):  # in signing order
        stamp = embedded.sig_object_type == "/DocTimeStamp"
        try:
            if stamp:
                checked.append(await _document_timestamp(embedded, spec, timing))
            else:
                checked.append(await _signature(embedded, reader, spec, carried, timing))
        except Exception as error:
            kind = DOCUMENT_TIMESTAMP if stamp else SIGNATURE
            checked.append(_unreadable(embedded.field_name, kind, error, _identity(embedded)))
    return checked + entries


def validate_pdf(
    reader: PdfFileReader,
    roots: list[asn1_x509.Certificate],
    now: dt.datetime,
    fetchers: FetcherBackend | None = None,
) -> dict[str, Any]:
    """DESIGN.md's validation report of an opened PDF at ``now`` (the platform's clock): an
    entry per signature and document timestamp, and ``valid`` when there is at least one
    and every one passes."""
    entries = run(_validate(reader, roots, now, fetchers))
    return {"valid": bool(entries) and all(e["valid"] for e in entries), "signatures": entries}


def open_pdf(pdf: bytes) -> PdfFileReader:
    """A lenient reader (hybrid cross-reference files are common) over ``pdf``."""
    return PdfFileReader(io.BytesIO(pdf), strict=False)
