"""POST /v1/verifications: DESIGN.md's report for a record, one changed byte making it
invalid, and the hostile set (each a 4xx or an invalid report, none a 500 or a hang).

Who gets what: any valid token (upstream, officer, archivist, admin) may verify; no token or
a forged one gets 401; a body that is not application/pdf gets 415; over 4.5 MB gets 413;
empty, not a PDF, truncated, encrypted, looping, 10,000 pages or 500 signatures get 422
naming the body; a lying /ByteRange or a /Contents that is not CMS gets a report whose
signature is invalid."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from chalice.test import Client
from pypdf import PdfWriter

from cloud.archive import ArchivedObject
from functions.intake import submit_case
from functions.model import Case
from functions.signatures import sign_as_officer
from tests.conftest import Stack

# Validation of a hostile file must end well within this: a bound against hangs, not a
# speed measure (speed is measured in bench/).
HANG_BOUND_SECONDS = 10


def archived_case(stack: Stack, procedure: str = "chuyen-sinh-hoat-chinh-thuc") -> Case:
    """A case of ``procedure`` submitted in phường Ba Đình, signed, sealed and archived."""
    services, people = stack.wired()
    found = services.catalogue.get(procedure)
    assert found is not None
    body = {"procedure": procedure, "organization": "phuong-ba-dinh", "data": found.example}
    case = submit_case(services, people("cong-dich-vu"), body, str(uuid.uuid4())).case
    if case.status != "archived":
        case = sign_as_officer(services, people("canbo-badinh"), case.id)
    assert case.status == "archived"
    return case


def archived_pdf(stack: Stack, procedure: str = "chuyen-sinh-hoat-chinh-thuc") -> bytes:
    """The PDF of a record of ``procedure`` (``archived_case``)."""
    case = archived_case(stack, procedure)
    return stack.wired()[0].documents.get(case.document.key, case.document.version_id)


@pytest.fixture(scope="module")
def record_pdf(stack: Stack) -> bytes:
    return archived_pdf(stack)


def _verify(client: Client, stack: Stack, pdf: bytes, username: str = "luu-tru") -> Any:
    headers = {**stack.auth(username), "Content-Type": "application/pdf"}
    started = time.monotonic()
    response = client.http.post("/v1/verifications", headers=headers, body=pdf)
    assert time.monotonic() - started < HANG_BOUND_SECONDS
    return response


def test_a_record_is_valid_with_every_field_of_the_report(
    client: Client, stack: Stack, record_pdf: bytes
) -> None:
    response = _verify(client, stack, record_pdf)
    assert response.status_code == 200
    report = response.json_body
    assert report["valid"] is True
    officer, seal, stamp = report["signatures"]
    assert [officer["signer"], seal["signer"]] == ["Trần Văn Bình", "Đảng ủy phường Ba Đình"]
    for entry in (officer, seal):
        assert entry["kind"] == "signature"
        assert entry["intact"] is entry["trusted"] is entry["valid"] is True
        assert entry["level"] == "PAdES-B-LTA"  # the document timestamp archives both
        assert entry["timestamp"]["trusted"] is True
        assert entry["revocation"] == {"status": "good", "embedded": True}
        assert entry["coverage"] == "entire_revision"
        assert entry["indication"] == "PASSED" and entry["subindication"] is None
        assert re.fullmatch("[0-9a-f]{64}", entry["certificate_sha256"])
    # after the officer: the seal's form filling; after the seal: validation data and a stamp
    assert officer["modification_level"] == "form_filling"
    assert seal["modification_level"] == "lta_updates"
    assert stamp["kind"] == "document_timestamp" and stamp["valid"] is True
    assert stamp["signer"] == "hoso Development Time Stamping Authority"


def test_a_record_stays_valid_for_decades_on_the_platform_clock(
    client: Client, stack: Stack, record_pdf: bytes
) -> None:
    # verified a month and 17 years after it was sealed (before the dev PKI expires in 2055),
    # with only the validation data it carries: its OCSP responses lapsed after a day
    sealed = dt.datetime.fromisoformat(
        _verify(client, stack, record_pdf).json_body["signatures"][1]["timestamp"]["time"]
    )
    for later in (dt.timedelta(days=30), dt.timedelta(days=17 * 365)):
        with stack.clock.pinned(sealed + later):
            report = _verify(client, stack, record_pdf).json_body
        assert report["valid"] is True, later
        levels = [e["level"] for e in report["signatures"]]
        assert levels == ["PAdES-B-LTA", "PAdES-B-LTA", None]


@pytest.mark.parametrize("username", ["cong-dich-vu", "canbo-badinh", "quan-tri"])
def test_any_signed_in_caller_may_verify(
    client: Client, stack: Stack, record_pdf: bytes, username: str
) -> None:
    assert _verify(client, stack, record_pdf, username).status_code == 200


def test_no_token_or_a_forged_one_is_401(client: Client, stack: Stack, record_pdf: bytes) -> None:
    plain = {"Content-Type": "application/pdf"}
    assert client.http.post("/v1/verifications", headers=plain, body=record_pdf).status_code == 401
    head, payload, signature = stack.token("luu-tru").split(".")
    forged = {**plain, "Authorization": f"Bearer {head}.{payload}.{signature[::-1]}"}
    response = client.http.post("/v1/verifications", headers=forged, body=record_pdf)
    assert response.status_code == 401


def test_a_body_that_is_not_a_pdf_type_is_415(client: Client, stack: Stack) -> None:
    for media_type in ("text/plain", ""):
        headers = {**stack.auth("luu-tru"), "Content-Type": media_type}
        response = client.http.post("/v1/verifications", headers=headers, body=b"%PDF-1.7")
        assert response.status_code == 415
        assert response.json_body["error"]["code"] == "unsupported_media_type"
    json_headers = {**stack.auth("luu-tru"), "Content-Type": "application/json"}
    response = client.http.post("/v1/verifications", headers=json_headers, body=b"{}")
    assert response.status_code == 422  # JSON names an upload (tests/integration/test_uploads.py)


def _signed_ranges(pdf: bytes) -> list[tuple[int, int]]:
    """Every (start, end) byte range the file's signatures sign."""
    ranges = []
    for match in re.finditer(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", pdf):
        a, b, c, d = (int(v) for v in match.groups())
        ranges += [(a, a + b), (c, c + d)]
    return ranges


@pytest.mark.parametrize("where", ["header", "first-page", "last-signed-byte"])
def test_one_changed_byte_in_a_signed_range_makes_it_invalid(
    client: Client, stack: Stack, record_pdf: bytes, where: str
) -> None:
    ranges = _signed_ranges(record_pdf)
    if where == "header":
        offset = record_pdf.index(b"\n") + 2  # the binary comment after %PDF-x.y
    elif where == "first-page":
        offset = record_pdf.index(b"stream", ranges[0][0]) + 20  # inside the first stream
    else:
        offset = ranges[1][1] - 3  # near the end of the officer's second range
    changed = bytearray(record_pdf)
    changed[offset] ^= 0x01
    response = _verify(client, stack, bytes(changed))
    assert response.status_code == 200
    report = response.json_body
    assert report["valid"] is False
    for entry in report["signatures"]:  # every signature covers the changed byte
        assert (entry["intact"], entry["valid"], entry["subindication"]) == (
            False,
            False,
            "HASH_FAILURE",
        )


def _byte_range_lie(pdf: bytes, lie: Callable[[int, int, int, int, int], tuple[int, ...]]) -> bytes:
    """The file with its first /ByteRange rewritten (same length) as ``lie`` says."""
    match = re.search(rb"/ByteRange\s*\[([^\]]*)\]", pdf)
    assert match is not None
    a, b, c, d = (int(v) for v in match.group(1).split())
    numbers = " ".join(str(v) for v in lie(a, b, c, d, len(pdf))).encode()
    assert len(numbers) <= len(match.group(1))
    start, end = match.span(1)
    return pdf[:start] + numbers.ljust(end - start) + pdf[end:]


def _contents_not_cms(pdf: bytes) -> bytes:
    match = re.search(rb"/Contents\s*<([0-9a-fA-F]+)>", pdf)
    assert match is not None
    start, end = match.span(1)
    return pdf[:start] + b"41" * ((end - start) // 2) + pdf[end:]


def _encrypted() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _pages(count: int) -> bytes:
    writer = PdfWriter()
    for _ in range(count):
        writer.add_blank_page(595, 842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _many_signatures(count: int) -> bytes:
    """A one-page PDF whose form holds ``count`` signature fields with signature values."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [%s] >> >>"
        % b" ".join(b"%d 0 R" % (4 + i) for i in range(count)),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    for i in range(count):
        objects.append(
            b"<< /FT /Sig /T (S%d) /V << /Type /Sig /Filter /Adobe.PPKLite "
            b"/SubFilter /ETSI.CAdES.detached /ByteRange [0 10 20 10] /Contents <00> >> >>" % i
        )
    return _assemble(objects)


def _assemble(objects: list[bytes], prev_loop: bool = False) -> bytes:
    """A classic PDF of ``objects`` (1, 2, ...) with its xref; ``prev_loop``: the trailer's
    /Prev points at its own cross-reference section."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    prev = b" /Prev %d" % xref if prev_loop else b""
    out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\n" % (len(objects) + 1, prev)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def _object_loop() -> bytes:
    """A page tree whose kid is its own parent, and an xref whose /Prev is itself."""
    return _assemble(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [2 0 R] /Count 1 >>",
        ],
        prev_loop=True,
    )


HOSTILE: dict[str, tuple[Callable[[bytes], bytes], str]] = {
    "empty": (lambda pdf: b"", "empty"),
    "not-a-pdf": (lambda pdf: b"GIF89a this is no PDF at all", "no %PDF- header"),
    "truncated": (lambda pdf: pdf[: len(pdf) // 2], "not readable"),
    "encrypted": (lambda pdf: _encrypted(), "encrypted"),
    "xref-loop": (lambda pdf: _object_loop(), "not readable"),
    "10000-pages": (lambda pdf: _pages(10_000), "10000 pages: at most 2000"),
    "500-signatures": (lambda pdf: _many_signatures(500), "500 signatures: at most 50"),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_files_get_a_422_naming_the_body(
    client: Client, stack: Stack, record_pdf: bytes, name: str
) -> None:
    make, problem = HOSTILE[name]
    response = _verify(client, stack, make(record_pdf))
    assert response.status_code == 422, response.json_body
    [detail] = response.json_body["error"]["details"]
    assert detail["field"] == "body" and problem in detail["problem"]


LIES: dict[str, Callable[[bytes], bytes]] = {
    "byte-range-overlaps": lambda pdf: _byte_range_lie(
        pdf, lambda a, b, c, d, n: (a, b, b - 10, d)
    ),
    "byte-range-past-eof": lambda pdf: _byte_range_lie(
        pdf, lambda a, b, c, d, n: (a, b, int("9" * len(str(c))), d)
    ),
    "byte-range-gap-not-contents": lambda pdf: _byte_range_lie(
        pdf, lambda a, b, c, d, n: (a, b - 100, c, d)
    ),
    "contents-not-cms": _contents_not_cms,
}


@pytest.mark.parametrize("name", list(LIES))
def test_a_lying_signature_is_reported_invalid(
    client: Client, stack: Stack, record_pdf: bytes, name: str
) -> None:
    response = _verify(client, stack, LIES[name](record_pdf))
    assert response.status_code == 200
    report = response.json_body
    assert report["valid"] is False
    first = next(e for e in report["signatures"] if e["field"] == "Signature-1")
    assert first["valid"] is False and first["indication"] == "FAILED"


def test_a_5_mb_pdf_with_a_4_mb_contents_is_413(client: Client, stack: Stack) -> None:
    huge = _assemble(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [] /Count 0 >>",
            b"<< /Type /Sig /ByteRange [0 10 20 10] /Contents <%s> >>" % (b"00" * 2_000_000),
        ]
    ).ljust(5_000_000, b"\n")
    response = _verify(client, stack, huge)
    assert response.status_code == 413
    assert response.json_body["error"]["code"] == "too_large"


def _strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [value] if isinstance(value, str) else []


def test_a_record_carries_its_validation_and_a_locked_manifest(
    client: Client, stack: Stack
) -> None:
    services = stack.wired()[0]
    case = archived_case(stack)
    assert case.record_id is not None
    response = client.http.get(f"/v1/records/{case.record_id}", headers=stack.auth("luu-tru"))
    assert response.status_code == 200
    record = response.json_body
    validation = record["validation"]
    assert validation["valid"] is True and validation["checked_at"] == record["archived_at"]
    assert [e["kind"] for e in validation["signatures"]] == [
        "signature",
        "signature",
        "document_timestamp",
    ]
    assert "manifest" not in record and "object" not in record

    stored = services.cases.get_record(case.record_id)
    assert stored is not None
    [(key, version)] = services.documents.versions(stored["manifest"]["key"])
    manifest = json.loads(services.documents.get(key, version))
    assert manifest["record_id"] == case.record_id and manifest["digitised"] is False
    assert manifest["document"]["sha256"] == record["sha256"] == case.document.sha256
    assert manifest["number"] == record["number"] and manifest["procedure"] == case.procedure
    assert [s["certificate_sha256"] for s in manifest["signatures"]] == [
        e["certificate_sha256"] for e in validation["signatures"]
    ]
    assert manifest["validation"] == validation  # the index holds what the manifest says
    assert manifest["retention"] == {"mode": "COMPLIANCE", "until": record["retain_until"]}
    mode, until = services.documents.retention(ArchivedObject(key, version))
    assert mode == "COMPLIANCE" and until == dt.datetime.fromisoformat(record["retain_until"])
    # no personal data of the member: none of the case data's strings is in the manifest
    found = services.catalogue.get(case.procedure)
    assert found is not None
    text = json.dumps(manifest, ensure_ascii=False)
    leaked = [v for v in _strings(found.example) if len(v) > 3 and v in text]
    assert leaked == []


def test_a_record_is_validated_again_on_request(client: Client, stack: Stack) -> None:
    case = archived_case(stack)
    headers = stack.auth("luu-tru")
    stack.clock.advance(3600)
    later = client.http.get(f"/v1/records/{case.record_id}?verify=true", headers=headers)
    assert later.status_code == 200
    validation = later.json_body["validation"]
    assert validation["valid"] is True
    assert validation["checked_at"] > later.json_body["archived_at"]
    bad = client.http.get(f"/v1/records/{case.record_id}?verify=maybe", headers=headers)
    assert bad.status_code == 400
    assert bad.json_body["error"]["details"] == [
        {"field": "query.verify", "problem": "not a boolean"}
    ]
    officer = client.http.get(
        f"/v1/records/{case.record_id}?verify=true", headers=stack.auth("canbo-badinh")
    )
    assert officer.status_code == 403


def test_a_record_still_validates_after_its_officer_is_revoked(
    client: Client, stack: Stack
) -> None:
    # an organisation and an officer of their own, so that no other test meets the revocation
    code = f"phuong-thu-{uuid.uuid4().hex[:6]}"
    stack.register_organization(code)
    officer = stack.add_person("officer", code)
    certificate = stack.reissue_officer(officer)["certificate_chain"][0]
    services, people = stack.wired()
    found = services.catalogue.get("chuyen-sinh-hoat-chinh-thuc")
    assert found is not None
    body = {"procedure": found.code, "organization": code, "data": found.example}
    case = submit_case(services, people("cong-dich-vu"), body, str(uuid.uuid4())).case
    case = sign_as_officer(services, people(officer), case.id)
    assert case.status == "archived"
    pdf = services.documents.get(case.document.key, case.document.version_id)

    stack.clock.advance(3600)
    stack.revoke(certificate)  # an hour after the record was sealed and timestamped
    stack.clock.advance(60)
    report = _verify(client, stack, pdf).json_body
    assert report["valid"] is True
    officer_entry = report["signatures"][0]
    assert officer_entry["level"] == "PAdES-B-LTA"
    assert officer_entry["revocation"]["embedded"] is True
    # and the revoked officer signs nothing new
    again = submit_case(services, people("cong-dich-vu"), body, str(uuid.uuid4())).case
    refused = client.http.post(f"/v1/cases/{again.id}/signatures", headers=stack.auth(officer))
    assert refused.status_code == 409
    assert refused.json_body["error"]["code"] == "certificate_revoked"
