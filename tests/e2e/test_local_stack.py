"""The local stack over HTTP, as an outside client that knows only DESIGN.md and outputs.json."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import unicodedata
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from infra.servers import free_port
from tests.conftest import ROOT
from tests.independent import pdfsig

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    state = tmp_path_factory.mktemp("local")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "infra.local",
            "--state-dir",
            str(state),
            "--api-port",
            str(free_port()),
            "--aws-port",
            str(free_port()),
            "--pki-port",
            str(free_port()),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 90
        while not (state / "outputs.json").exists():
            assert process.poll() is None, process.stdout.read().decode() if process.stdout else ""
            assert time.monotonic() < deadline, "the local stack did not come up in 90 s"
            time.sleep(0.2)
        time.sleep(0.5)
        yield json.loads((state / "outputs.json").read_text())
    finally:
        process.terminate()
        process.wait(timeout=20)


def _aws(outputs: dict[str, Any], service: str) -> Any:
    return boto3.client(
        service,
        region_name=outputs["region"],
        endpoint_url=outputs["aws_endpoint_url"],
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def _token(outputs: dict[str, Any], username: str) -> str:
    user = next(u for u in outputs["demo_users"] if u["username"] == username)
    result = _aws(outputs, "cognito-idp").initiate_auth(
        ClientId=outputs["user_pool_client_id"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": user["password"]},
    )
    return str(result["AuthenticationResult"]["IdToken"])


def _call(
    outputs: dict[str, Any],
    method: str,
    path: str,
    user: str | None = None,
    body: Any = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, Any]:
    all_headers = dict(headers or {})
    if user:
        all_headers["Authorization"] = f"Bearer {_token(outputs, user)}"
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        all_headers["Content-Type"] = "application/json"
    request = urllib.request.Request(
        outputs["api_url"] + path, data=data, method=method, headers=all_headers
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            raw = response.read()
            kind = response.headers.get("Content-Type", "")
            return response.status, (json.loads(raw) if "json" in kind else raw)
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_a_case_from_submission_to_archive(outputs: dict[str, Any], tmp_path: Path) -> None:
    status, health = _call(outputs, "GET", "/v1/health")
    assert (status, health) == (200, {"status": "ok"})
    status, catalogue = _call(outputs, "GET", "/v1/procedures", "cong-dich-vu")
    assert status == 200
    procedure = next(
        p for p in catalogue["procedures"] if p["code"] == "chuyen-sinh-hoat-chinh-thuc"
    )
    data = procedure["example"]
    status, case = _call(
        outputs,
        "POST",
        "/v1/cases",
        "cong-dich-vu",
        {"procedure": procedure["code"], "organization": "phuong-ba-dinh", "data": data},
        {"Idempotency-Key": str(uuid.uuid4())},
    )
    assert status == 201, case
    status, signed = _call(outputs, "POST", f"/v1/cases/{case['id']}/signatures", "canbo-badinh")
    assert status == 201, signed
    assert signed["status"] == "archived"

    status, record = _call(outputs, "GET", f"/v1/records/{signed['record_id']}", "luu-tru")
    assert status == 200, record
    with urllib.request.urlopen(record["download_url"], timeout=30) as response:
        pdf_bytes = response.read()
    pdf = tmp_path / "archived.pdf"
    pdf.write_bytes(pdf_bytes)

    report = pdfsig(pdf, outputs["trust_anchor_pem"], tmp_path)
    blocks = report.split("Signature #")[1:]
    cms_signatures = [b for b in blocks if "ETSI.CAdES.detached" in b]
    assert len(cms_signatures) == 2, report
    for block in cms_signatures:
        assert "Signature Validation: Signature is Valid." in block, report
        assert "Certificate Validation: Certificate is Trusted." in block, report

    check = subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr

    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = " ".join(unicodedata.normalize("NFC", text).split())
    assert data["member"]["full_name"] in flat

    s3 = _aws(outputs, "s3")
    versions = s3.list_object_versions(Bucket=outputs["bucket"], Prefix="records/")["Versions"]
    archived = next(v for v in versions if signed["record_id"] in v["Key"])
    with pytest.raises(ClientError) as refused:
        s3.delete_object(
            Bucket=outputs["bucket"], Key=archived["Key"], VersionId=archived["VersionId"]
        )
    assert refused.value.response["Error"]["Code"] == "AccessDenied"

    sqs = _aws(outputs, "sqs")
    statuses = []
    for _ in range(10):
        messages = sqs.receive_message(
            QueueUrl=outputs["events_queue_url"], MaxNumberOfMessages=10
        ).get("Messages", [])
        if not messages:
            break
        for message in messages:
            detail = json.loads(message["Body"])["detail"]
            assert data["member"]["full_name"] not in message["Body"]
            if detail.get("case_id") == case["id"]:
                statuses.append((detail["version"], detail["status"]))
    assert [s for _, s in sorted(statuses)] == [
        "submitted",
        "awaiting_signature",
        "awaiting_signature",
        "sealed",
        "archived",
    ]
