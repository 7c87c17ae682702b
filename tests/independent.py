"""Checks by tools we did not write: qpdf, pdfsig (poppler over NSS, OCSP on) and openssl.

Each CMS signature is verified by `openssl cms -verify` over the bytes its /ByteRange
signs, and each document timestamp by `openssl ts -verify` (pdfsig cannot validate RFC
3161 document timestamps: FACTS.md), with the trust anchor as the only CA."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
from pathlib import Path

from pyhanko.pdf_utils.reader import PdfFileReader

from tests.conftest import TestClock


def pdfsig(pdf: Path, anchor_pem: str, work: Path) -> str:
    """pdfsig's report on ``pdf`` with ``anchor_pem`` as the one trusted root (an NSS
    database of its own under ``work``; OCSP checking left on, FACTS.md)."""
    nss = work / "nss"
    nss.mkdir(exist_ok=True)
    (work / "anchor.pem").write_text(anchor_pem)
    subprocess.run(["certutil", "-N", "-d", f"sql:{nss}", "--empty-password"], check=True)
    subprocess.run(
        ["certutil", "-A", "-d", f"sql:{nss}", "-n", "anchor", "-t", "CT,C,C", "-a", "-i",
         str(work / "anchor.pem")],
        check=True,
    )  # fmt: skip
    return subprocess.run(
        ["pdfsig", "-nssdir", f"sql:{nss}", str(pdf)], capture_output=True, text=True, check=False
    ).stdout


def _run(command: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, check=False)


def check_independently(pdf: bytes, anchor_pem: str, work: Path, clock: TestClock) -> int:
    """Assert that qpdf, pdfsig and openssl all accept ``pdf``'s structure, every CMS
    signature and every document timestamp; the number of signatures and timestamps.

    pdfsig asks the dev OCSP responder (it answers on the stack's ``clock``) and NSS judges
    the answer by the machine's clock: the stack's clock stands at the machine's meanwhile,
    as a test clock may run ahead of it."""
    with clock.pinned(dt.datetime.now(dt.UTC).replace(microsecond=0)):
        return _check_independently(pdf, anchor_pem, work)


def _check_independently(pdf: bytes, anchor_pem: str, work: Path) -> int:
    work.mkdir(parents=True, exist_ok=True)
    path = work / "record.pdf"
    path.write_bytes(pdf)
    anchor = work / "anchor.pem"
    anchor.write_text(anchor_pem)
    check = _run(["qpdf", "--check", str(path)])
    assert check.returncode == 0, check.stdout + check.stderr

    report = pdfsig(path, anchor_pem, work)
    blocks = report.split("Signature #")[1:]
    cms_blocks = [b for b in blocks if "ETSI.CAdES.detached" in b]
    for block in cms_blocks:
        assert "Signature Validation: Signature is Valid." in block, report
        assert "Certificate Validation: Certificate is Trusted." in block, report

    signatures = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures
    assert len(cms_blocks) == sum(s.sig_object_type == "/Sig" for s in signatures), report
    for number, signature in enumerate(signatures):
        start, first, second, length = (int(v) for v in signature.byte_range)
        signed = work / f"signed-{number}.bin"
        signed.write_bytes(pdf[start : start + first] + pdf[second : second + length])
        token = work / f"cms-{number}.der"
        token.write_bytes(signature.pkcs7_content)
        if signature.sig_object_type == "/DocTimeStamp":
            command = ["openssl", "ts", "-verify", "-data", str(signed), "-in", str(token),
                       "-token_in", "-CAfile", str(anchor)]  # fmt: skip
        else:
            command = ["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in",
                       str(token), "-content", str(signed), "-CAfile", str(anchor),
                       "-purpose", "any", "-out", "/dev/null"]  # fmt: skip
        verified = _run(command)
        assert verified.returncode == 0, (signature.field_name, verified.stdout + verified.stderr)
    return len(signatures)
