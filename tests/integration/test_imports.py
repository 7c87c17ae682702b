"""POST /v1/records/imports: a scanned paper record sealed by the archivist's organisation,
validated, archived with a manifest marked digitised, and found by search.

Who gets what: an archivist 201 (the same Idempotency-Key and body again: the same record,
Idempotent-Replayed); an officer or upstream system 403; no token 401; no Idempotency-Key
400; the key with another body 409; a body sent neither as a PDF nor as JSON naming an
upload 415; over 4.5 MB 413; a
missing or bad parameter, or a file that is not a PDF, encrypted or already signed, 422."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from chalice.test import Client

from tests.conftest import Stack
from tests.independent import check_independently
from tests.integration.test_verification import _encrypted, _pages, archived_pdf

PARAMS = (
    "document_type=Quyết định kết nạp đảng viên&original_number={number}"
    "&original_date=1987-03-02&retention_years=70"
)


def _scan(pages: int = 2) -> bytes:
    return _pages(pages)  # a scan, as far as the platform can tell: pages, no signature


def _import(
    client: Client,
    stack: Stack,
    pdf: bytes,
    query: str,
    key: str | None = None,
    user: str = "luu-tru",
    content_type: str = "application/pdf",
) -> Any:
    headers = {**stack.auth(user), "Content-Type": content_type}
    if key is not None:
        headers["Idempotency-Key"] = key
    return client.http.post(f"/v1/records/imports?{query}", headers=headers, body=pdf)


def test_a_scan_is_sealed_archived_and_found(client: Client, stack: Stack, tmp_path: Path) -> None:
    number = f"{uuid.uuid4().hex[:6]}-QĐ/ĐU"
    scan, key = _scan(), str(uuid.uuid4())
    created = _import(client, stack, scan, PARAMS.format(number=number), key)
    assert created.status_code == 201, created.json_body
    record = created.json_body
    assert record["digitised"] is True and record["case_id"] is None
    assert record["number"] == number and record["original_date"] == "1987-03-02"
    assert record["validation"]["valid"] is True
    [seal, stamp] = record["validation"]["signatures"]
    assert seal["signer"] == "Đảng ủy phường Ba Đình" and seal["level"] == "PAdES-B-LTA"
    assert stamp["kind"] == "document_timestamp"

    again = _import(client, stack, scan, PARAMS.format(number=number), key)
    assert again.status_code == 201 and again.json_body["id"] == record["id"]
    assert again.headers.get("Idempotent-Replayed") == "true"
    services = stack.wired()[0]
    stored = services.cases.get_record(record["id"])
    assert stored is not None
    assert len(services.documents.versions(stored["object"]["key"])) == 1  # locked once

    manifest = client.http.get(
        f"/v1/records/{record['id']}/manifest", headers=stack.auth("luu-tru")
    ).json_body
    assert manifest["digitised"] is True
    assert manifest["original"] == {"number": number, "date": "1987-03-02"}
    found = client.http.get(f"/v1/records?number={number}", headers=stack.auth("luu-tru"))
    assert [item["id"] for item in found.json_body["items"]] == [record["id"]]
    by_paper_date = client.http.get(
        "/v1/records?original_from=1987-03-02&original_to=1987-03-02", headers=stack.auth("luu-tru")
    )
    assert record["id"] in [item["id"] for item in by_paper_date.json_body["items"]]
    assert all(item["original_date"] == "1987-03-02" for item in by_paper_date.json_body["items"])
    before = client.http.get(
        f"/v1/records?number={number}&original_to=1987-03-01", headers=stack.auth("luu-tru")
    )
    assert before.json_body["items"] == []  # the paper date filters the number's index too
    other = client.http.get(f"/v1/records?number={number}", headers=stack.auth("luu-tru-hoankiem"))
    assert other.json_body["items"] == []

    pdf = services.documents.get(stored["object"]["key"], stored["object"]["version_id"])
    assert pdf.startswith(scan)  # the scan itself, sealed by an incremental update
    anchor = services.trust.trust_roots_pem[0]
    assert check_independently(pdf, anchor, tmp_path, stack.clock) == 2


def test_the_key_with_another_body_is_409(client: Client, stack: Stack) -> None:
    key = str(uuid.uuid4())
    assert _import(client, stack, _scan(), PARAMS.format(number="1-A"), key).status_code == 201
    other = _import(client, stack, _scan(3), PARAMS.format(number="1-A"), key)
    assert other.status_code == 409
    assert other.json_body["error"]["details"][0]["field"] == "headers.Idempotency-Key"


@pytest.mark.parametrize(
    ("case", "status", "field"),
    [
        ("encrypted", 422, "body"),
        ("signed", 422, "body"),
        ("not-a-pdf", 422, "body"),
        ("missing-date", 422, "query.original_date"),
        ("bad-years", 422, "query.retention_years"),
        ("unknown-parameter", 422, "query.owner"),
        ("no-key", 400, "headers.Idempotency-Key"),
    ],
)
def test_bad_imports_are_refused_naming_what(
    client: Client, stack: Stack, case: str, status: int, field: str
) -> None:
    query, key, pdf = PARAMS.format(number="2-B"), str(uuid.uuid4()), _scan()
    if case == "encrypted":
        pdf = _encrypted()
    elif case == "signed":
        pdf = archived_pdf(stack)
    elif case == "not-a-pdf":
        pdf = b"GIF89a"
    elif case == "missing-date":
        query = query.replace("&original_date=1987-03-02", "")
    elif case == "bad-years":
        query = query.replace("retention_years=70", "retention_years=0")
    elif case == "unknown-parameter":
        query += "&owner=x"
    response = _import(client, stack, pdf, query, None if case == "no-key" else key)
    assert response.status_code == status, response.json_body
    assert field in [d["field"] for d in response.json_body["error"]["details"]]


def test_only_archivists_import(client: Client, stack: Stack) -> None:
    query = PARAMS.format(number="3-C")
    for user in ("canbo-badinh", "cong-dich-vu"):
        assert _import(client, stack, _scan(), query, str(uuid.uuid4()), user).status_code == 403
    plain = client.http.post(f"/v1/records/imports?{query}", body=_scan())
    assert plain.status_code == 401
    text = _import(client, stack, b"%PDF", query, str(uuid.uuid4()), content_type="text/plain")
    assert text.status_code == 415
    no_upload = _import(
        client, stack, b"{}", query, str(uuid.uuid4()), content_type="application/json"
    )
    assert no_upload.status_code == 422  # JSON names an upload (tests/integration/test_uploads.py)
    assert no_upload.json_body["error"]["details"][0]["field"] == "upload_id"
    huge = _import(client, stack, b"%PDF-1.7\n" + b"0" * 5_000_000, query, str(uuid.uuid4()))
    assert huge.status_code == 413
