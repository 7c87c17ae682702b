"""Files too large for a request body: POST /v1/uploads, a PUT to S3, then the upload's id.

Who gets what: any signed-in caller 201 with a presigned PUT; no token or a forged one 401;
a body that is not a JSON object 400; a bad or missing sha256 or size, a content_type other
than a PDF's or JSON lines', or an unknown field, 422 naming it; a size over the limit
413. A verification or an import naming an upload: its report or record as with a body,
and the upload is deleted; an id that is malformed 422 naming upload_id; one never
uploaded, already used or another caller's 422 naming upload_id; a file whose SHA-256 is
not the one declared 422; over the limit 413. (A batch naming an upload of JSON lines:
tests/integration/test_batches.py.)"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import pytest
from chalice.test import Client
from PIL import Image
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from functions.errors import Invalid, TooLarge, Unavailable
from functions.imports import import_record
from functions.uploads import SentPdf, new_upload, pdf_bytes
from tests.conftest import Stack
from tests.faults import Faults, throttled
from tests.independent import check_independently
from tests.integration.test_verification import _assemble, archived_pdf

PARAMS = (
    "document_type=Biên bản&original_number={number}&original_date=1979-11-20&retention_years=50"
)


def big_scan(at_least: int) -> bytes:
    """A one-page 'scan' of at least ``at_least`` bytes: a noise image, which does not
    compress."""
    side = int((at_least / 3) ** 0.5) + 1
    image = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=(595, 842), pageCompression=0)
    page.drawImage(ImageReader(image), 20, 20, width=555, height=802)
    page.showPage()
    page.save()
    assert len(out.getvalue()) >= at_least
    return out.getvalue()


def _new_upload(client: Client, stack: Stack, body: Any, user: str = "luu-tru") -> Any:
    headers = {**stack.auth(user), "Content-Type": "application/json"}
    return client.http.post("/v1/uploads", headers=headers, body=_json_bytes(body))


def _json_bytes(body: Any) -> bytes:
    return body if isinstance(body, bytes) else json.dumps(body).encode()


def upload(
    client: Client, stack: Stack, pdf: bytes, user: str = "luu-tru", content_type: str = ""
) -> str:
    """Upload ``pdf`` (or, with ``content_type``, another kind of file) as a client would:
    ask for a URL, PUT the file there; its id."""
    declared: dict[str, Any] = {"sha256": hashlib.sha256(pdf).hexdigest(), "size": len(pdf)}
    if content_type:
        declared["content_type"] = content_type
    answer = _new_upload(client, stack, declared, user)
    assert answer.status_code == 201, answer.json_body
    _put(answer.json_body, pdf)
    return str(answer.json_body["upload_id"])


def _put(answer: dict[str, Any], pdf: bytes) -> None:
    assert answer["method"] == "PUT"
    request = urllib.request.Request(answer["url"], pdf, answer["headers"], method="PUT")
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.status == 200


def _named(client: Client, stack: Stack, path: str, upload_id: Any, **headers: str) -> Any:
    return client.http.post(
        path,
        headers={**stack.auth("luu-tru"), "Content-Type": "application/json", **headers},
        body=_json_bytes({"upload_id": upload_id}),
    )


def left_of(stack: Stack, upload_id: str) -> int:
    """How many versions of the upload ``upload_id`` S3 still holds."""
    versions = stack.wired()[0].documents.versions("uploads/")
    return sum(1 for key, _ in versions if key.endswith(f"/{upload_id}"))


def test_a_scan_over_6_mb_is_imported_through_an_upload(
    client: Client, stack: Stack, tmp_path: Path
) -> None:
    scan = big_scan(6_500_000)
    as_body = client.http.post(
        f"/v1/records/imports?{PARAMS.format(number='413-A')}",
        headers={**stack.auth("luu-tru"), "Content-Type": "application/pdf",
                 "Idempotency-Key": str(uuid.uuid4())},
        body=scan,
    )  # fmt: skip
    assert as_body.status_code == 413
    assert "POST /v1/uploads" in as_body.json_body["error"]["message"]

    answer = _new_upload(client, stack, {"sha256": hashlib.sha256(scan).hexdigest(),
                                         "size": len(scan)}).json_body  # fmt: skip
    assert set(answer) == {"upload_id", "method", "url", "headers", "expires_at", "max_bytes"}
    assert answer["headers"]["x-amz-checksum-sha256"]  # S3 takes no other file
    assert answer["expires_at"] > stack.wired()[0].clock().isoformat()[:19]
    _put(answer, scan)
    number, key = f"{uuid.uuid4().hex[:6]}-BB", str(uuid.uuid4())
    path = f"/v1/records/imports?{PARAMS.format(number=number)}"
    created = _named(client, stack, path, answer["upload_id"], **{"Idempotency-Key": key})
    assert created.status_code == 201, created.json_body
    record = created.json_body
    assert record["digitised"] is True and record["validation"]["valid"] is True
    assert record["size"] > len(scan)
    assert left_of(stack, answer["upload_id"]) == 0  # used, then deleted with every version

    again = _named(client, stack, path, answer["upload_id"], **{"Idempotency-Key": key})
    assert again.status_code == 201 and again.json_body["id"] == record["id"]
    assert again.headers.get("Idempotent-Replayed") == "true"

    services = stack.wired()[0]
    stored = services.cases.get_record(record["id"])
    assert stored is not None
    pdf = services.documents.get(stored["object"]["key"], stored["object"]["version_id"])
    assert pdf.startswith(scan)
    anchor = services.trust.trust_roots_pem[0]
    assert check_independently(pdf, anchor, tmp_path, stack.clock) == 2


def test_a_record_is_verified_through_an_upload_by_any_caller(client: Client, stack: Stack) -> None:
    record = archived_pdf(stack)
    upload_id = upload(client, stack, record, "canbo-badinh")
    headers = {**stack.auth("canbo-badinh"), "Content-Type": "application/json"}
    body = _json_bytes({"upload_id": upload_id})
    report = client.http.post("/v1/verifications", headers=headers, body=body)
    assert report.status_code == 200, report.json_body
    assert report.json_body["valid"] is True
    assert left_of(stack, upload_id) == 0
    used = client.http.post("/v1/verifications", headers=headers, body=body)
    assert used.status_code == 422  # used: deleted
    assert used.json_body["error"]["details"][0]["field"] == "upload_id"


def test_a_5_mb_pdf_with_a_4_mb_contents_uploaded_is_refused_quickly(
    client: Client, stack: Stack
) -> None:
    huge = _assemble(
        [
            b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R] >> >>",
            b"<< /Type /Pages /Kids [] /Count 0 >>",
            b"<< /Type /Sig /ByteRange [0 10 20 10] /Contents <%s> >>" % (b"00" * 2_000_000),
            b"<< /FT /Sig /T (Signature1) /V 3 0 R >>",
        ]
    ).ljust(5_000_000, b"\n")
    upload_id = upload(client, stack, huge)
    started = time.monotonic()
    response = _named(client, stack, "/v1/verifications", upload_id)
    assert time.monotonic() - started < 10
    assert response.status_code == 422, response.json_body  # its signature cannot be read
    assert [d["field"] for d in response.json_body["error"]["details"]] == ["upload_id"]
    assert left_of(stack, upload_id) == 0  # answered: deleted, whatever the answer


def test_another_callers_upload_is_not_found(client: Client, stack: Stack) -> None:
    upload_id = upload(client, stack, archived_pdf(stack), "canbo-badinh")
    theirs = _named(client, stack, "/v1/verifications", upload_id)  # luu-tru asks
    assert theirs.status_code == 422
    assert theirs.json_body["error"]["details"] == [
        {"field": "upload_id", "problem": "not found: never uploaded, expired, used, or not yours"}
    ]
    assert left_of(stack, upload_id) == 1  # still the owner's


def test_a_file_that_is_not_the_one_declared_is_422(client: Client, stack: Stack) -> None:
    # S3 refuses it in AWS (the checksum header is signed); moto does not, the platform does
    record = archived_pdf(stack)
    declared = {"sha256": hashlib.sha256(b"another file").hexdigest(), "size": len(record)}
    answer = _new_upload(client, stack, declared).json_body
    _put(answer, record)
    response = _named(client, stack, "/v1/verifications", answer["upload_id"])
    assert response.status_code == 422
    assert response.json_body["error"]["details"] == [
        {"field": "upload_id", "problem": "its SHA-256 is not the one declared for it"}
    ]


@pytest.mark.parametrize(
    ("body", "status", "fields"),
    [
        (b"[1]", 400, ["body"]),
        (b"not json", 400, []),
        ({"size": 10}, 422, ["sha256"]),
        ({"sha256": "AB" * 32, "size": 10}, 422, ["sha256"]),
        ({"sha256": "ab" * 32}, 422, ["size"]),
        ({"sha256": "ab" * 32, "size": 0}, 422, ["size"]),
        ({"sha256": "ab" * 32, "size": True}, 422, ["size"]),
        ({"sha256": "ab" * 32, "size": "10"}, 422, ["size"]),
        ({"sha256": "ab" * 32, "size": 10, "owner": "x"}, 422, ["owner"]),
        ({"sha256": "ab" * 32, "size": 10, "content_type": "text/csv"}, 422, ["content_type"]),
        ({"sha256": "ab" * 32, "size": 100_000_001}, 413, []),
    ],
)
def test_bad_upload_requests_are_refused_naming_what(
    client: Client, stack: Stack, body: Any, status: int, fields: list[str]
) -> None:
    response = _new_upload(client, stack, body)
    assert response.status_code == status, response.json_body
    assert [d["field"] for d in response.json_body["error"]["details"]] == fields


@pytest.mark.parametrize(
    ("upload_id", "field"),
    [("../../records/x", "upload_id"), (7, "upload_id"), ("A" * 32, "upload_id")],
)
def test_a_malformed_upload_id_is_422(
    client: Client, stack: Stack, upload_id: Any, field: str
) -> None:
    for path in ("/v1/verifications", f"/v1/records/imports?{PARAMS.format(number='1')}"):
        response = _named(client, stack, path, upload_id, **{"Idempotency-Key": "k"})
        assert response.status_code == 422
        assert [d["field"] for d in response.json_body["error"]["details"]] == [field]


def test_a_reference_with_more_than_the_id_is_422(client: Client, stack: Stack) -> None:
    headers = {**stack.auth("luu-tru"), "Content-Type": "application/json"}
    body = _json_bytes({"upload_id": "ab" * 16, "url": "http://169.254.169.254/"})
    response = client.http.post("/v1/verifications", headers=headers, body=body)
    assert response.status_code == 422
    assert [d["field"] for d in response.json_body["error"]["details"]] == ["url"]


def test_no_token_or_a_forged_one_is_401(client: Client, stack: Stack) -> None:
    body = _json_bytes({"sha256": "ab" * 32, "size": 10})
    plain = {"Content-Type": "application/json"}
    assert client.http.post("/v1/uploads", headers=plain, body=body).status_code == 401
    head, payload, signature = stack.token("luu-tru").split(".")
    forged = {**plain, "Authorization": f"Bearer {head}.{payload}.{signature[::-1]}"}
    assert client.http.post("/v1/uploads", headers=forged, body=body).status_code == 401


def test_an_upload_over_the_limit_is_413_before_it_is_read(stack: Stack) -> None:
    services, principal_of = stack.wired()
    small = dataclasses.replace(
        services, settings=dataclasses.replace(services.settings, max_upload_bytes=1000)
    )
    principal = principal_of("luu-tru")
    pdf = archived_pdf(stack)
    upload_id = upload_direct(stack, principal, pdf)
    with pytest.raises(TooLarge):
        pdf_bytes(small, principal, SentPdf(upload_id=upload_id))
    assert pdf_bytes(services, principal, SentPdf(upload_id=upload_id)) == pdf


def upload_direct(stack: Stack, principal: Any, pdf: bytes) -> str:
    services = stack.wired()[0]
    body = {"sha256": hashlib.sha256(pdf).hexdigest(), "size": len(pdf)}
    answer = new_upload(services, principal, body)
    _put(answer, pdf)
    return str(answer["upload_id"])


def test_a_refused_import_deletes_its_upload_and_an_outage_keeps_it(stack: Stack) -> None:
    faults = Faults()
    services, principal_of = stack.wired(faults.make_client)
    archivist = principal_of("luu-tru")
    params = dict(
        document_type="Biên bản", original_number="9-BB", original_date="1979-11-20",
        retention_years="50",
    )  # fmt: skip
    signed = upload_direct(stack, archivist, archived_pdf(stack))
    reference = json.dumps({"upload_id": signed}).encode()
    with pytest.raises(Invalid):  # already signed: refused for good
        import_record(services, archivist, params, "application/json", reference, str(uuid.uuid4()))
    assert left_of(stack, signed) == 0

    scan, key = upload_direct(stack, archivist, big_scan(10_000)), str(uuid.uuid4())
    reference = json.dumps({"upload_id": scan}).encode()
    faults.add("kms", "Sign", lambda: throttled("Sign"))  # the seal cannot be made now
    with pytest.raises(Unavailable):
        import_record(services, archivist, params, "application/json", reference, key)
    assert left_of(stack, scan) == 1  # kept for the retry
    faults.clear()
    record, created = import_record(
        services, archivist, params, "application/json", reference, "k-2"
    )
    assert created and record["validation"]["valid"] is True
    assert left_of(stack, scan) == 0
