"""Certificates as a CA issues them: a PKCS#10 request signed by a key held elsewhere, and the
checks an issued chain must pass before anyone signs with it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from asn1crypto import csr, keys, pem, x509
from pyhanko.keys import load_certs_from_pemder_data
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError

from signing.runtime import run

# what a signing certificate's key usage must allow (nonRepudiation is contentCommitment)
SIGNING_KEY_USAGE = frozenset({"digital_signature", "non_repudiation"})


def signing_request(
    public_key_der: bytes,
    common_name: str,
    organization: str,
    raw_sign: Callable[[bytes], bytes],
    mechanism: str = "sha256_rsa",
) -> str:
    """A PEM PKCS#10 request for the key whose DER SubjectPublicKeyInfo is ``public_key_der``,
    signed by ``raw_sign`` (the key itself, wherever it lives)."""
    info = csr.CertificationRequestInfo(
        {
            "version": "v1",
            "subject": x509.Name.build(
                {
                    "country_name": "VN",
                    "organization_name": organization,
                    "common_name": common_name,
                },
                use_printable=False,
            ),
            "subject_pk_info": keys.PublicKeyInfo.load(public_key_der),
            "attributes": [],
        }
    )
    request = csr.CertificationRequest(
        {
            "certification_request_info": info,
            "signature_algorithm": {"algorithm": mechanism},
            "signature": raw_sign(info.dump()),
        }
    )
    return pem.armor("CERTIFICATE REQUEST", request.dump()).decode("ascii")


class ChainRefused(Exception):
    """An issued chain that must not be used to sign; ``problem`` says why, for a person."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


def parse_chain(chain_pem: list[str]) -> list[x509.Certificate]:
    """The certificates of a PEM chain (signer first); ChainRefused if an entry is not one."""
    certificates = []
    for index, text in enumerate(chain_pem):
        try:
            found = list(load_certs_from_pemder_data(text.encode("ascii")))
        except (ValueError, TypeError, UnicodeEncodeError) as error:
            raise ChainRefused(f"entry {index} is not a PEM certificate") from error
        if len(found) != 1:
            raise ChainRefused(f"entry {index} is not one PEM certificate")
        certificates.append(found[0])
    if not certificates:
        raise ChainRefused("the chain is empty")
    return certificates


def check_signing_chain(
    certificates: list[x509.Certificate], roots: list[x509.Certificate], now: dt.datetime
) -> None:
    """Refuse (ChainRefused) a chain (signer first) whose signer may not sign: not valid
    ``now``, a key usage without digitalSignature and nonRepudiation, or a chain that does
    not reach one of ``roots``. Revocation is not checked here: it is, by OCSP, before
    each signature."""
    signer = certificates[0]
    validity = signer["tbs_certificate"]["validity"]
    if now < validity["not_before"].native:
        raise ChainRefused(f"the certificate is not valid before {validity['not_before'].native}")
    if now > validity["not_after"].native:
        raise ChainRefused(f"the certificate expired on {validity['not_after'].native}")
    usage = set(signer.key_usage_value.native) if signer.key_usage_value else set()
    if not usage >= SIGNING_KEY_USAGE:
        missing = ", ".join(sorted(SIGNING_KEY_USAGE - usage))
        raise ChainRefused(f"the certificate's key usage lacks {missing}")
    context = ValidationContext(
        trust_roots=roots,
        other_certs=certificates[1:],
        moment=now,
        allow_fetching=False,
        revocation_mode="soft-fail",
    )
    validator = CertificateValidator(signer, certificates[1:], validation_context=context)
    try:
        run(validator.async_validate_path())
    except PathBuildingError as error:
        raise ChainRefused("the chain does not reach a trusted root of this platform") from error
    except PathValidationError as error:
        raise ChainRefused(f"the chain is not valid: {error}") from error
