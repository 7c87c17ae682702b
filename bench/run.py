"""Measures render, preview and signing times and sizes; prints a Markdown report for RESULTS.md.

    make bench            (or: .venv/bin/python -m bench.run [--repeat 15])

Everything runs in this process on loopback: the dev PKI's TSA/OCSP service and local RSA
keys stand in for KMS, so the signing figures leave out the KMS round trip.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko_certvalidator import ValidationContext

from infra.demo import ORGANIZATIONS
from infra.package import JOBS_ZIP, unzipped_mb
from infra.servers import HOST, free_port, start_pki_services
from signing.backends import CallbackSigner
from signing.devpki import DevPki
from signing.pades import (
    SignatureBox,
    SignatureRequest,
    finish_signature,
    prepare_signature,
    sign_pdf,
)
from signing.terms import LEVEL_B_LT, LEVEL_B_LTA, TrustSettings
from signing.validation import open_pdf, validate_pdf
from templates import STAMP_FONT_FILE
from templates.catalogue import Catalogue
from templates.preview import page_png
from templates.renderer import document_context, render_pdf

ROOT = Path(__file__).resolve().parent.parent


def _times(action: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    """(first, median of the rest) in ms, and the last result."""
    spent = []
    result = None
    for _ in range(repeat + 1):
        start = time.perf_counter()
        result = action()
        spent.append((time.perf_counter() - start) * 1000)
    return spent[0], statistics.median(spent[1:]), result


def _machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return f"{os.cpu_count()} vCPU {cpu}, Python {platform.python_version()}, {platform.system()}"


def _local_signer(pki: DevPki, name: str) -> CallbackSigner:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )

    def raw_sign(data: bytes) -> bytes:
        return key.sign(data, padding.PKCS1v15(), hashes.SHA256())

    return CallbackSigner(pki.issue_pem(der, name, name), raw_sign)


def _bare_validation(pdf: bytes, roots: list[Any]) -> None:
    """pyHanko's plain point-in-time validation of each signature and timestamp: the floor."""
    context = ValidationContext(
        trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail"
    )
    for embedded in open_pdf(pdf).embedded_signatures:
        if embedded.sig_object_type == "/DocTimeStamp":
            validate_pdf_timestamp(embedded, validation_context=context)
        else:
            validate_pdf_signature(embedded, context, context)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    organization = ORGANIZATIONS[0]
    lines = [
        f"Machine: {_machine()}; {dt.date.today().isoformat()}; `make bench`, "
        f"first call and median of {args.repeat} more.",
        "",
        "| procedure | render first ms | render median ms | pages | draft KB "
        "| preview median ms | PNG KB |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    drafts = {}
    for procedure in Catalogue().all():
        # every step goes to the same organisation: enough to time the render
        context = document_context(
            procedure,
            procedure.example,
            organization,
            [organization] * len(procedure.steps),
            f"123-{procedure.number_symbol}/{organization['symbol']}",
            dt.date(2025, 5, 19),
        )
        first, median, rendered = _times(
            lambda p=procedure, c=context: render_pdf(p, c), args.repeat
        )
        drafts[procedure.code] = rendered.pdf
        _, preview, png = _times(lambda pdf=rendered.pdf: page_png(pdf, 1), args.repeat)
        lines.append(
            f"| {procedure.code} | {first:.0f} | {median:.0f} | {rendered.pages} "
            f"| {len(rendered.pdf) / 1024:.0f} | {preview:.0f} | {len(png) / 1024:.0f} |"
        )

    with tempfile.TemporaryDirectory() as folder:
        port = free_port()
        pki = DevPki.create(f"http://{HOST}:{port}/ocsp")
        pki.save(Path(folder))
        server = start_pki_services(Path(folder), port)
        try:
            trust = TrustSettings((pki.root_pem,), f"http://{HOST}:{port}/tsa", STAMP_FONT_FILE)
            officer, seal = _local_signer(pki, "Cán bộ"), _local_signer(pki, "Đảng ủy")
            draft = next(iter(drafts.values()))
            box = SignatureBox(0, (300, 200, 490, 260))

            def request_now(field: str, level: str) -> SignatureRequest:
                return SignatureRequest(
                    field_name=field,
                    level=level,
                    box=box,
                    stamp_text="Ký bởi: %(signer)s\nNgày ký: %(time)s",
                    reason="bench",
                    location="Hà Nội",
                    signing_time=dt.datetime.now(dt.UTC),
                )

            def sign(pdf: bytes, signer: CallbackSigner, level: str, field: str) -> bytes:
                return sign_pdf(pdf, signer, request_now(field, level), trust).pdf

            o_first, o_median, signed = _times(
                lambda: sign(draft, officer, LEVEL_B_LT, "Signature-1"), args.repeat
            )
            from bench.pipeline import floor_once  # (bench.pipeline imports this module)

            b_first, b_median, _ = _times(lambda: floor_once(officer), args.repeat)
            # an officer's own token: the two halves of a signing session, same document
            token_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            token_chain = pki.issue_pem(
                token_key.public_key().public_bytes(
                    serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
                ),
                "Cán bộ",
                "Cán bộ",
            )

            def two_phase() -> tuple[float, float]:
                request = request_now("Signature-1", LEVEL_B_LT)
                started = time.perf_counter()
                prepared = prepare_signature(draft, token_chain, request, trust)
                opened = time.perf_counter()
                signature = token_key.sign(
                    prepared.signed_attributes, padding.PKCS1v15(), hashes.SHA256()
                )
                finish_signature(draft, prepared, token_chain, signature, request, trust)
                return (opened - started) * 1000, (time.perf_counter() - opened) * 1000

            halves = [two_phase() for _ in range(args.repeat + 1)]
            p_median = statistics.median(h[0] for h in halves[1:])
            f2_median = statistics.median(h[1] for h in halves[1:])
            s_first, s_median, sealed = _times(
                lambda: sign(signed, seal, LEVEL_B_LTA, "Signature-2"), args.repeat
            )
            now = dt.datetime.now(dt.UTC)
            roots = trust.roots()
            v_first, v_median, report = _times(
                lambda: validate_pdf(open_pdf(sealed), roots, now), args.repeat
            )
            assert report["valid"], report
            f_first, f_median, _ = _times(lambda: _bare_validation(sealed, roots), args.repeat)
        finally:
            server.shutdown()
    lines += [
        "",
        "| signing (local RSA key, loopback TSA/OCSP) | first ms | median ms | PDF KB after "
        "| ratio to the floor |",
        "| --- | ---: | ---: | ---: | ---: |",
        f"| floor: a reportlab page made and signed B-B (`bench/pipeline.py`) | {b_first:.0f} "
        f"| {b_median:.0f} | | 1.00 |",
        f"| officer PAdES B-LT | {o_first:.0f} | {o_median:.0f} | {len(signed) / 1024:.0f} "
        f"| {o_median / b_median:.2f} |",
        f"| seal PAdES B-LTA | {s_first:.0f} | {s_median:.0f} | {len(sealed) / 1024:.0f} "
        f"| {s_median / b_median:.2f} |",
        "",
        "| an officer's token (signing session, same document, B-LT) | median ms "
        "| ratio to the platform-key signature |",
        "| --- | ---: | ---: |",
        f"| POST signing-sessions: prepare | {p_median:.0f} | {p_median / o_median:.2f} |",
        f"| PUT signing-sessions/{{id}}: finish | {f2_median:.0f} | {f2_median / o_median:.2f} |",
        f"| both | {p_median + f2_median:.0f} | {(p_median + f2_median) / o_median:.2f} |",
    ]
    entries = len(report["signatures"])
    lines += [
        "",
        f"| verification of the sealed file ({entries} entries: 2 signatures and a document "
        "timestamp; one core) | first ms | median ms | entries/s | ratio to the floor |",
        "| --- | ---: | ---: | ---: | ---: |",
        f"| `signing.validation.validate_pdf` (AdES LTA, embedded data only) | {v_first:.0f} "
        f"| {v_median:.0f} | {entries / v_median * 1000:.1f} | {v_median / f_median:.2f} |",
        f"| floor: pyHanko's bare `validate_pdf_signature` / `validate_pdf_timestamp`, "
        f"no revocation check | {f_first:.0f} | {f_median:.0f} "
        f"| {entries / f_median * 1000:.1f} | 1.00 |",
    ]
    built = ROOT / ".build" / "package"
    for name, functions in (("deployment.zip", "the API"), (JOBS_ZIP, "the worker and the sweep")):
        if (built / name).exists():
            lines += [
                "",
                f"Lambda package `{name}` ({functions}; `make package`): "
                f"{(built / name).stat().st_size / 2**20:.1f} MB zipped, "
                f"{unzipped_mb(built / name):.1f} MB unzipped (limit 250 MB).",
            ]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
