"""Measures the whole pipeline of a dang-phi receipt next to the bare work it contains (issue 12).

    make bench-pipeline     (or: .venv/bin/python -m bench.pipeline [--receipts 40])

Three figures, in one run, each median of its own repeats:
- the floor: a one-page reportlab document in the documents' font, signed PAdES B-B by
  pyHanko with an RSA key loaded in this process (no timestamp, no validation data);
- render + seal alone: the receipt rendered (``templates.renderer``) and sealed B-LTA
  (``signing.pades.sign_pdf``) with the same loopback TSA/OCSP the pipeline uses;
- the pipeline: ``functions.intake.submit_case`` for a dang-phi receipt, validate, number,
  render, seal, validate again, archive under Object Lock, index, events: everything
  between the API's handler and AWS, with moto server and the dev PKI's TSA/OCSP in a
  child process (their CPU is not this process's, as in AWS);
and the API function's cold start (``bench/coldstart.py``) against the same stack.
AWS calls here are moto's on loopback, not AWS's; the AWS call count per receipt is printed.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import io
import multiprocessing
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from bench import coldstart
from bench.run import _local_signer, _machine, _times
from infra.servers import HOST, free_port
from signing.devpki import DevPki
from signing.pades import SignatureBox, SignatureRequest, sign_pdf
from signing.terms import LEVEL_B_LTA, TrustSettings
from templates import FONTS_DIR, STAMP_FONT_FILE

REGION = "ap-southeast-1"
RECEIPT_LINES = [
    "ĐẢNG CỘNG SẢN VIỆT NAM",
    "BIÊN LAI THU ĐẢNG PHÍ",
    "Họ và tên đảng viên: Nguyễn Thị Hồng Nhung",
    "Chi bộ: Chi bộ Tổ dân phố số 7, Đảng bộ phường Ba Đình",
    "Số tiền: 253.500 đồng (Hai trăm năm mươi ba nghìn năm trăm đồng)",
    "Kỳ nộp: tháng 11 năm 2026",
]


def _median_ms(action: Callable[[], Any], repeat: int) -> float:
    """The median of ``repeat`` calls after a first one (which loads what the rest reuse)."""
    return _times(action, repeat)[1]


def floor_document() -> bytes:
    """The floor's page: reportlab, Liberation Serif embedded (registered once, as the
    renderer does), the receipt's lines."""
    if "LiberationSerif" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(
            TTFont("LiberationSerif", str(FONTS_DIR / "LiberationSerif-Regular.ttf"))
        )
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4)
    page.setFont("LiberationSerif", 13)
    for number, line in enumerate(RECEIPT_LINES):
        page.drawString(72, 770 - 22 * number, line)
    page.showPage()
    page.save()
    return out.getvalue()


def floor_once(signer: signers.Signer) -> bytes:
    """The floor: make the page, sign it B-B."""
    writer = IncrementalPdfFileWriter(io.BytesIO(floor_document()))
    out = io.BytesIO()
    signers.sign_pdf(
        writer, signers.PdfSignatureMetadata(field_name="Signature"), signer, output=out
    )
    return out.getvalue()


def _stack_process(folder: str, ports: tuple[int, int], ready: Any, stop: Any) -> None:
    """Child process: moto server and the dev PKI services, until told to stop."""
    from infra.servers import running_stack

    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    with running_stack(Path(folder), REGION, "bench", *ports) as stack:
        ready.send(stack.environment)
        stop.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--receipts", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    spawn = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory() as folder:
        ports = (free_port(), free_port())
        ready_here, ready_there = spawn.Pipe()
        stop = spawn.Event()
        child = spawn.Process(target=_stack_process, args=(folder, ports, ready_there, stop))
        child.start()
        try:
            environment = ready_here.recv()
            report = _measure(Path(folder), environment, ports[1], args)
        finally:
            stop.set()
            child.join(timeout=30)
    print(report)


def _measure(folder: Path, environment: dict[str, str], pki_port: int, args: Any) -> str:
    from cloud.bootstrap import boto_client, build_services
    from functions.access import Principal
    from functions.intake import submit_case
    from templates.renderer import document_context, render_pdf

    os.environ.update(environment)
    pki = DevPki.load(folder / "pki")
    trust = TrustSettings((pki.root_pem,), f"http://{HOST}:{pki_port}/tsa", STAMP_FONT_FILE)

    # a key loaded once (pyHanko's SimpleSigner parses its key again for every signature,
    # with OpenSSL's RSA check: 50 ms)
    bare_signer = _local_signer(pki, "Sàn")
    floor = _median_ms(lambda: floor_once(bare_signer), args.repeat)

    calls: collections.Counter[str] = collections.Counter()

    def counting_client(settings: Any, service: str) -> Any:
        client = boto_client(settings, service)
        client.meta.events.register(
            "before-call", lambda model, **_: calls.update([f"{service}:{model.name}"])
        )
        return client

    services, _ = build_services(make_client=counting_client)
    procedure = services.catalogue.get("dang-phi")
    assert procedure is not None
    organization = services.cases.get_organization("phuong-ba-dinh")
    assert organization is not None
    seal = _local_signer(pki, "Đảng ủy phường Ba Đình")

    def render_and_seal() -> bytes:
        context = document_context(
            procedure,
            procedure.example,
            organization,
            [organization],
            f"1-{procedure.number_symbol}/{organization['symbol']}",
            dt.date(2026, 11, 30),
        )
        draft = render_pdf(procedure, context).pdf
        request = SignatureRequest(
            field_name="Signature-1",
            level=LEVEL_B_LTA,
            box=SignatureBox(0, (300, 200, 490, 260)),
            stamp_text="Ký bởi: %(signer)s\nNgày ký: %(time)s",
            reason="bench",
            location="Hà Nội",
            signing_time=dt.datetime.now(dt.UTC),
        )
        return sign_pdf(draft, seal, request, trust).pdf

    alone = _median_ms(render_and_seal, args.repeat)

    upstream = Principal("bench-upstream", "cong-dich-vu", frozenset({"upstream"}), None)
    body = {"procedure": "dang-phi", "organization": "phuong-ba-dinh", "data": procedure.example}

    def receipt() -> None:
        case = submit_case(services, upstream, body, str(uuid.uuid4())).case
        assert case.status == "archived", case.status

    receipt()
    calls.clear()
    spent = []
    for _ in range(args.receipts):
        start = time.perf_counter()
        receipt()
        spent.append((time.perf_counter() - start) * 1000)
    pipeline = statistics.median(spent)
    per_receipt = ", ".join(
        f"{name} {count / args.receipts:g}" for name, count in sorted(calls.items())
    )
    return "\n".join(
        [
            f"Machine: {_machine()}; {dt.date.today().isoformat()}; `make bench-pipeline`, "
            f"medians of {args.repeat} (floor, render + seal) and {args.receipts} receipts.",
            "",
            "| dang-phi receipt, in process | median ms | receipts/s | ratio to the floor "
            "| ratio to render + seal |",
            "| --- | ---: | ---: | ---: | ---: |",
            f"| floor: reportlab page + pyHanko B-B, key in process | {floor:.0f} "
            f"| {1000 / floor:.1f} | 1.00 | |",
            f"| render + seal B-LTA alone (same TSA/OCSP) | {alone:.0f} | {1000 / alone:.1f} "
            f"| {alone / floor:.2f} | 1.00 |",
            f"| the pipeline: `submit_case` to archived | {pipeline:.0f} | {1000 / pipeline:.1f} "
            f"| {pipeline / floor:.2f} | {pipeline / alone:.2f} |",
            "",
            f"AWS calls per receipt (moto): {per_receipt}.",
            "",
            coldstart.measure({**os.environ, **environment}, body),
        ]
    )


if __name__ == "__main__":
    main()
