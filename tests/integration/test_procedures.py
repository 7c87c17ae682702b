"""Every procedure of the catalogue through the spine: submit its example, sign in turn
(refusing the wrong officer), seal, archive; its rules refused through the API."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import shutil
import subprocess
import unicodedata
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import pytest
from chalice.test import Client
from pyhanko.pdf_utils.reader import PdfFileReader

from functions.access import Principal
from functions.errors import Conflict
from functions.intake import submit_case
from functions.signatures import sign_as_officer
from infra.servers import free_port
from templates import TEMPLATES_DIR
from templates.catalogue import Catalogue
from tests.conftest import Stack, procedure_example, sign, submit
from tests.independent import check_independently

# procedure → (the organisation that issues it, the demo officers of its officer steps in turn)
FLOWS: dict[str, tuple[str, list[str]]] = {
    "chuyen-sinh-hoat-chinh-thuc": ("phuong-ba-dinh", ["canbo-badinh"]),
    "chuyen-sinh-hoat-tam-thoi": ("phuong-hoan-kiem", ["canbo-hoankiem"]),
    "nhan-xet-noi-cu-tru": ("chi-bo-to-dan-pho-5-ba-dinh", ["bithu-chibo5", "canbo-badinh"]),
    "dang-phi": ("phuong-ba-dinh", []),
}
OFFICERS = ("canbo-badinh", "canbo-hoankiem", "bithu-chibo5")
SIGNATORIES = {  # the certificate names of the demo officers and seals
    "canbo-badinh": "Trần Văn Bình",
    "canbo-hoankiem": "Lê Thị Hoà",
    "bithu-chibo5": "Phạm Thị Lan",
    "phuong-ba-dinh": "Đảng ủy phường Ba Đình",
    "phuong-hoan-kiem": "Đảng ủy phường Hoàn Kiếm",
}


def _body(client: Client, stack: Stack, code: str, **data: Any) -> dict[str, Any]:
    example = procedure_example(client, stack, code)
    return {"procedure": code, "organization": FLOWS[code][0], "data": {**example, **data}}


def _case(client: Client, stack: Stack, case_id: str, username: str) -> Any:
    return client.http.get(f"/v1/cases/{case_id}", headers=stack.auth(username))


ARCHIVISTS = {"phuong-ba-dinh": "luu-tru", "phuong-hoan-kiem": "luu-tru-hoankiem"}


def _archived_pdf(
    client: Client, stack: Stack, record_id: str, organization: str
) -> tuple[dict[str, Any], bytes]:
    archivist = ARCHIVISTS[organization]
    record = client.http.get(f"/v1/records/{record_id}", headers=stack.auth(archivist))
    assert record.status_code == 200, record.json_body
    with urllib.request.urlopen(record.json_body["download_url"]) as response:
        pdf = response.read()
    assert hashlib.sha256(pdf).hexdigest() == record.json_body["sha256"]
    return record.json_body, pdf


def test_the_catalogue_lists_the_four_procedures(client: Client, stack: Stack) -> None:
    response = client.http.get("/v1/procedures", headers=stack.auth("bithu-chibo5"))
    assert response.status_code == 200
    listed = {p["code"]: p for p in response.json_body["procedures"]}
    assert set(listed) == set(FLOWS)
    for code, (_, officers) in FLOWS.items():
        entry = listed[code]
        assert entry["schema"]["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert entry["example"] and entry["title"] and entry["version"]
        assert [s["role"] for s in entry["steps"]] == ["officer"] * len(officers) + ["seal"]


@pytest.mark.parametrize("code", sorted(FLOWS))
def test_each_procedure_from_submission_to_archive(
    client: Client, stack: Stack, code: str, tmp_path: Path
) -> None:
    stack.drain_events()
    organization, officers = FLOWS[code]
    created = submit(client, stack, _body(client, stack, code))
    assert created.status_code == 201, created.json_body
    case = created.json_body
    case_id = case["id"]

    for index, officer in enumerate(officers):
        assert case["status"] == "awaiting_signature"
        assert case["steps"][index]["status"] == "pending"
        for other in OFFICERS:
            if other == officer:
                continue
            answer = sign(client, stack, case_id, other)
            if other in officers[:index]:
                assert answer.status_code == 409, answer.json_body  # signed an earlier step
            elif other in officers:
                assert answer.status_code == 403, answer.json_body  # not yet their turn
            else:
                assert answer.status_code == 404, answer.json_body  # not their case
            assert _case(client, stack, case_id, officer).json_body["version"] == case["version"]
        signed = sign(client, stack, case_id, officer)
        assert signed.status_code == 201, signed.json_body
        case = signed.json_body

    assert case["status"] == "archived", case
    assert [s["status"] for s in case["steps"]] == ["signed"] * (len(officers) + 1)
    assert [s["kind"] for s in case["signatures"]] == ["officer"] * len(officers) + ["seal"]
    for officer in officers:
        assert sign(client, stack, case_id, officer).status_code == 409  # nothing left to sign

    record, pdf = _archived_pdf(client, stack, case["record_id"], case["steps"][-1]["organization"])
    assert record["case_id"] == case_id and record["number"] == case["number"]
    signatures = PdfFileReader(io.BytesIO(pdf)).embedded_regular_signatures
    assert [s.field_name for s in signatures] == [
        f"Signature-{i + 1}" for i in range(len(case["steps"]))
    ]
    sealer = case["steps"][-1]["organization"]
    expected = [SIGNATORIES[o] for o in officers] + [SIGNATORIES[sealer]]
    assert [s.signer_cert.subject.native["common_name"] for s in signatures] == expected
    # qpdf, pdfsig (OCSP on) and openssl, with only the trust anchor: every signature and
    # the document timestamp
    anchor = stack.wired()[0].trust.trust_roots_pem[0]
    assert check_independently(pdf, anchor, tmp_path, stack.clock) == len(case["steps"]) + 1
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "record.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert case["number"] in unicodedata.normalize("NFC", text)  # the document shows its number

    events = [e["detail"] for e in stack.case_events(case_id)]
    assert [e["status"] for e in events] == (
        ["submitted"] + ["awaiting_signature"] * (len(officers) + 1) + ["sealed", "archived"]
    )
    assert all(e["organization"] == organization for e in events)


def test_the_residence_comment_goes_from_the_cell_to_the_ward(client: Client, stack: Stack) -> None:
    created = submit(client, stack, _body(client, stack, "nhan-xet-noi-cu-tru"))
    assert created.status_code == 201, created.json_body
    case = created.json_body
    assert case["organization"] == "chi-bo-to-dan-pho-5-ba-dinh"
    assert case["number"].endswith("-PNX/CB")  # numbered by the cell, which issues it
    assert [(s["role"], s["organization"]) for s in case["steps"]] == [
        ("officer", "chi-bo-to-dan-pho-5-ba-dinh"),
        ("officer", "phuong-ba-dinh"),
        ("seal", "phuong-ba-dinh"),
    ]
    # the ward's officer reads the case before its turn; an unrelated ward's does not
    assert _case(client, stack, case["id"], "canbo-badinh").status_code == 200
    assert _case(client, stack, case["id"], "canbo-hoankiem").status_code == 404
    draft = client.http.get(
        f"/v1/cases/{case['id']}/document",
        headers={**stack.auth("canbo-badinh"), "Accept": "application/pdf"},
    )
    assert draft.status_code == 200 and draft.body.startswith(b"%PDF")


def test_a_party_fee_receipt_is_sealed_on_submission(client: Client, stack: Stack) -> None:
    created = submit(client, stack, _body(client, stack, "dang-phi"))
    assert created.status_code == 201, created.json_body
    case = created.json_body
    assert case["status"] == "archived" and case["record_id"]
    assert case["number"].endswith("-BLĐP/ĐU")
    assert [s["kind"] for s in case["signatures"]] == ["seal"]
    assert sign(client, stack, case["id"], "canbo-badinh").status_code == 409


def test_both_transfer_letters_share_one_number_sequence(client: Client, stack: Stack) -> None:
    numbers = []
    for code in ("chuyen-sinh-hoat-chinh-thuc", "chuyen-sinh-hoat-tam-thoi"):
        body = dict(_body(client, stack, code), organization="phuong-ba-dinh")
        created = submit(client, stack, body)
        assert created.status_code == 201, created.json_body
        numbers.append(created.json_body["number"])
    serials = [int(n.split("-", 1)[0]) for n in numbers]
    assert all(n.endswith("-GGT/ĐU") for n in numbers)
    assert serials[1] == serials[0] + 1  # "Giấy giới thiệu" of either kind: one sequence


@pytest.mark.parametrize(
    ("code", "changes", "field"),
    [
        ("dang-phi", {"amount": 250_000}, "data.amount"),
        ("dang-phi", {"category": "huu-tri"}, "data.amount"),  # 0.5 %, not 1 %
        (
            "chuyen-sinh-hoat-chinh-thuc",
            {"member.official_date": "2014-01-01"},  # admitted 2015-05-19
            "data.member.official_date",
        ),
        (
            "chuyen-sinh-hoat-tam-thoi",
            {"reason_kind": "cong-tac"},  # the example's 12 months are training only
            "data.period.to_date",
        ),
        (
            "chuyen-sinh-hoat-tam-thoi",
            {"period.to_date": "2025-11-07"},  # 2 months from 2025-09-08
            "data.period.to_date",
        ),
    ],
)
def test_broken_rules_are_422_naming_the_field(
    client: Client, stack: Stack, code: str, changes: dict[str, Any], field: str
) -> None:
    body = _body(client, stack, code)
    for dotted, value in changes.items():
        *parents, last = dotted.split(".")
        node = body["data"]
        for part in parents:
            node = node[part]
        node[last] = value
    refused = submit(client, stack, body)
    assert refused.status_code == 422, refused.json_body
    error = refused.json_body["error"]
    assert error["code"] == "invalid"
    assert [d["field"] for d in error["details"]] == [field]


@pytest.mark.parametrize(
    ("code", "organization", "problem"),
    [
        ("chuyen-sinh-hoat-chinh-thuc", "chi-bo-to-dan-pho-5-ba-dinh", "has no seal"),
        ("nhan-xet-noi-cu-tru", "phuong-ba-dinh", "has no parent organisation"),
    ],
)
def test_an_organisation_that_cannot_issue_the_procedure_is_422(
    client: Client, stack: Stack, code: str, organization: str, problem: str
) -> None:
    body = dict(_body(client, stack, code), organization=organization)
    refused = submit(client, stack, body)
    assert refused.status_code == 422, refused.json_body
    (detail,) = refused.json_body["error"]["details"]
    assert detail["field"] == "organization" and problem in detail["problem"]


def test_one_officer_never_signs_two_steps(stack: Stack, tmp_path: Path) -> None:
    """A fifth procedure (only a folder) with two officer steps of the same organisation:
    the officer who signed the first may not sign the second."""
    folder = tmp_path / "xac-nhan-hai-buoc"
    shutil.copytree(TEMPLATES_DIR / "chuyen-sinh-hoat-chinh-thuc", folder)
    spec = json.loads((folder / "procedure.json").read_text(encoding="utf-8"))
    spec["code"] = "xac-nhan-hai-buoc"
    spec["steps"].insert(1, dict(spec["steps"][0], title="Bước hai"))
    (folder / "procedure.json").write_text(json.dumps(spec, ensure_ascii=False), "utf-8")
    services = stack.wired()[0]
    services = dataclasses.replace(services, catalogue=Catalogue(tmp_path))
    upstream = Principal("test-upstream", "cong-dich-vu", frozenset({"upstream"}), None)
    officer = Principal("test-officer", "canbo-badinh", frozenset({"officer"}), "phuong-ba-dinh")
    body = {"procedure": spec["code"], "organization": "phuong-ba-dinh", "data": spec["example"]}

    case = submit_case(services, upstream, body, str(uuid.uuid4())).case
    assert [s.status for s in case.steps] == ["pending", "waiting", "waiting"]
    sign_as_officer(services, officer, case.id)
    with pytest.raises(Conflict, match="you signed step 0"):
        sign_as_officer(services, officer, case.id)
    stored = services.cases.get_case(case.id)
    assert stored is not None
    assert [s.status for s in stored.steps] == ["signed", "pending", "waiting"]
    assert [s.username for s in stored.signatures] == ["canbo-badinh"]


def test_a_receipt_waits_for_its_seal_when_timestamping_is_down(stack: Stack) -> None:
    services = stack.wired()[0]
    offline = dataclasses.replace(services.trust, tsa_url=f"http://127.0.0.1:{free_port()}/tsa")
    services = dataclasses.replace(services, trust=offline)
    upstream = Principal("test-upstream", "cong-dich-vu", frozenset({"upstream"}), None)
    procedure = Catalogue().get("dang-phi")
    assert procedure is not None
    body = {"procedure": "dang-phi", "organization": "phuong-ba-dinh", "data": procedure.example}

    submission = submit_case(services, upstream, body, str(uuid.uuid4()))
    assert submission.created
    stored = services.cases.get_case(submission.case.id)
    assert stored is not None
    assert stored.status == "awaiting_signature"
    assert [(s.role, s.status) for s in stored.steps] == [("seal", "pending")]
    assert stored.signatures == [] and stored.record_id is None
