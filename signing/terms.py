"""What callers name of signing without loading pyHanko: the levels, the kinds of report
entry, the trust settings and the errors signing raises (the API starts without pyHanko
and loads it at the first route that signs or validates)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from asn1crypto import x509

    from signing.fetching import OcspAnswers

_MAKING = threading.Lock()

LEVEL_B_B = "PAdES-B-B"
LEVEL_B_T = "PAdES-B-T"
LEVEL_B_LT = "PAdES-B-LT"
LEVEL_B_LTA = "PAdES-B-LTA"
SIGNATURE = "signature"  # a report entry: a signature field's signature
DOCUMENT_TIMESTAMP = "document_timestamp"  # a report entry: a document timestamp


@dataclass(frozen=True)
class TrustSettings:
    """What signing and validation need from outside: trust roots, a TSA, the stamp font."""

    trust_roots_pem: tuple[str, ...]
    tsa_url: str
    stamp_font_file: Path
    # the OCSP answers reused by the signatures of the next five minutes, made at the
    # first signature (aiohttp and the certificate validator load with them)
    _answers: list[OcspAnswers] = field(default_factory=list, compare=False, repr=False)

    @classmethod
    def from_files(
        cls, trust_anchors_file: Path, tsa_url: str, stamp_font_file: Path
    ) -> TrustSettings:
        """Read every certificate of a PEM bundle as a trust root."""
        return cls((trust_anchors_file.read_text(),), tsa_url, stamp_font_file)

    @property
    def ocsp_answers(self) -> OcspAnswers:
        """One set of OCSP answers per settings (so per process)."""
        with _MAKING:
            if not self._answers:
                from signing.fetching import OcspAnswers

                self._answers.append(OcspAnswers())
            return self._answers[0]

    def roots(self) -> list[x509.Certificate]:
        """Every certificate of every PEM text in ``trust_roots_pem``."""
        from pyhanko.keys import load_certs_from_pemder_data

        return list(load_certs_from_pemder_data("".join(self.trust_roots_pem).encode("ascii")))


class SigningUnavailable(Exception):
    """A service the signature needs (timestamps, OCSP, the key) did not answer: try later."""


class SigningRefused(Exception):
    """The signature can never be made as asked (certificate revoked, expired or not
    trusted; a document pyHanko cannot sign): trying again changes nothing.

    ``reason`` is machine-readable: ``certificate_revoked``, ``certificate_expired``,
    ``certificate_untrusted``, ``certificate_invalid`` or ``document_unsignable``.
    """

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class SignatureMismatch(Exception):
    """A signature made elsewhere does not verify with the certificate it claims."""
