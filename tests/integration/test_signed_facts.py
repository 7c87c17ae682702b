"""The facts of a signed and archived case, checked one by one: signature levels (DSS,
document timestamp), one clock for signing time, stamp and retention (29 February, the
new year in +07:00), the Object Lock mode and date, outbox rows in the same transaction
as their state change, one event per transition, drafts gone once archived."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import uuid
from collections.abc import Iterator
from typing import Any

import pypdfium2
import pytest
from chalice.test import Client
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation.dss import DocumentSecurityStore

from cloud.archive import ArchivedObject
from functions.intake import submit_case
from functions.model import Case
from functions.services import Services
from functions.signatures import sign_as_officer
from templates.renderer import find_line
from tests.conftest import Stack
from tests.faults import Faults

# 01:00 on 29 February 2028 in Hà Nội is still 28 February in UTC
LEAP_DAY = dt.datetime(2028, 2, 28, 18, 0, tzinfo=dt.UTC)
# 00:30 on 1 January 2029 in Hà Nội is still 2028 in UTC
NEW_YEAR = dt.datetime(2028, 12, 31, 17, 30, tzinfo=dt.UTC)


def _submit(stack: Stack, services: Services, procedure: str, organization: str) -> Case:
    found = services.catalogue.get(procedure)
    assert found is not None
    body = {"procedure": procedure, "organization": organization, "data": found.example}
    upstream = stack.wired()[1]("cong-dich-vu")
    return submit_case(services, upstream, body, str(uuid.uuid4())).case


def _signatures(pdf: bytes) -> list[Any]:
    return list(PdfFileReader(io.BytesIO(pdf)).embedded_signatures)


def _signing_time(signature: Any) -> dt.datetime:
    """The signing time the signature dictionary claims (/M: PAdES has no CMS signing-time)."""
    moment: dt.datetime = signature.self_reported_timestamp
    return moment


def _shown_text(pdf: bytes) -> str:
    """The text of page 1 with the signature appearances flattened into it (PDFium)."""
    document = pypdfium2.PdfDocument(pdf)
    document.init_forms()
    document[0].flatten(1)  # FLAT_PRINT
    flattened = io.BytesIO()
    document.save(flattened)
    document.close()
    again = pypdfium2.PdfDocument(flattened.getvalue())
    text = str(again[0].get_textpage().get_text_range())
    again.close()
    return text


@pytest.fixture
def leap_day(stack: Stack) -> Iterator[Services]:
    with stack.clock.pinned(LEAP_DAY):
        yield stack.wired()[0]


def test_one_clock_on_29_february(stack: Stack, leap_day: Services) -> None:
    services = leap_day
    case = _submit(stack, services, "chuyen-sinh-hoat-chinh-thuc", "phuong-ba-dinh")
    final = sign_as_officer(services, stack.wired()[1]("canbo-badinh"), case.id)
    assert final.status == "archived"

    # the case, the signatures and their timestamp tokens all tell the clock's time
    assert [(s.kind, s.level) for s in final.signatures] == [
        ("officer", "PAdES-B-LT"),
        ("seal", "PAdES-B-LTA"),
    ]
    for signature in final.signatures:
        assert signature.signed_at == "2028-02-28T18:00:00+00:00"
        assert signature.timestamped_at == "2028-02-28T18:00:00+00:00"
    pdf = services.documents.get(final.document.key, final.document.version_id)
    officer, seal, document_timestamp = _signatures(pdf)
    assert _signing_time(officer) == LEAP_DAY and _signing_time(seal) == LEAP_DAY
    assert document_timestamp.sig_object_type == "/DocTimeStamp"
    # each stamp names its signer and shows Vietnam time: already 29 February there
    assert [s.signer for s in final.signatures] == ["Trần Văn Bình", "Đảng ủy phường Ba Đình"]
    shown = " ".join(_shown_text(pdf).split())
    assert "Ký bởi: Trần Văn Bình Ngày ký: 29/02/2028 01:00:00 +0700" in shown
    assert "Đóng dấu: Đảng ủy phường Ba Đình Ngày: 29/02/2028 01:00:00 +0700" in shown
    procedure = services.catalogue.get("chuyen-sinh-hoat-chinh-thuc")
    assert procedure is not None
    for signature, step in zip((officer, seal), procedure.steps, strict=True):
        # where the procedure places it: offsets from its anchor line, its size
        assert signature.sig_object["/Reason"] == step.title
        assert signature.sig_object["/Location"] == "Hà Nội"
        box = step.appearance
        assert box is not None
        anchor = find_line(pdf, box.anchor)
        assert anchor is not None
        x1, y1 = int(anchor.x + box.dx), int(anchor.y + box.dy)
        rect = (
            [float(v) for v in signature.sig_field["/Kids"][0]["/Rect"]]
            if "/Kids" in (signature.sig_field)
            else [float(v) for v in signature.sig_field["/Rect"]]
        )
        assert rect == [x1, y1, x1 + int(box.width), y1 + int(box.height)]

    # 70 years in Vietnam time: 29 February 2028 + 70 years is 28 February 2098
    assert final.record_id is not None
    record = services.cases.get_record(final.record_id)
    assert record is not None
    assert record["archived_at"] == "2028-02-28T18:00:00+00:00"
    assert record["retain_until"] == "2098-02-28T01:00:00+07:00"
    mode, until = services.documents.retention(ArchivedObject(**record["object"]))
    assert mode == "COMPLIANCE"
    assert until == dt.datetime(2098, 2, 27, 18, 0, tzinfo=dt.UTC)


def test_the_new_year_in_vietnam_time(stack: Stack) -> None:
    with stack.clock.pinned(NEW_YEAR):
        services = stack.wired()[0]
        receipt = _submit(stack, services, "dang-phi", "phuong-ba-dinh")
    assert receipt.status == "archived"
    assert receipt.record_id is not None
    record = services.cases.get_record(receipt.record_id)
    assert record is not None
    assert record["retain_until"] == "2039-01-01T00:30:00+07:00"  # 10 years from 2029-01-01
    text = subprocess.run(
        ["pdftotext", "-", "-"],
        input=services.documents.get(receipt.document.key, receipt.document.version_id),
        capture_output=True,
        check=True,
    ).stdout.decode("utf-8")
    assert "năm 2029" in text and "năm 2028" not in text  # dated in Hà Nội's year


def test_an_officer_signature_is_b_lt_and_the_seal_b_lta(stack: Stack) -> None:
    services, caller = stack.wired()
    case = _submit(stack, services, "nhan-xet-noi-cu-tru", "chi-bo-to-dan-pho-5-ba-dinh")
    first = sign_as_officer(services, caller("bithu-chibo5"), case.id)
    assert first.status == "awaiting_signature"  # the ward officer's turn: nothing automatic

    after_officer = services.documents.get(first.document.key)
    (officer,) = _signatures(after_officer)
    assert officer.sig_object_type == "/Sig"  # no document timestamp after an officer
    dss = DocumentSecurityStore.read_dss(PdfFileReader(io.BytesIO(after_officer)))
    assert dss.ocsps, "the officer's revocation data is embedded (B-LT)"
    certificate = officer.signer_cert.dump()
    assert any(c.dump() == certificate for c in dss.load_certs())

    final = sign_as_officer(services, caller("canbo-badinh"), case.id)
    assert final.status == "archived"
    sealed = services.documents.get(final.document.key, final.document.version_id)
    signatures = _signatures(sealed)
    assert [s.sig_object_type for s in signatures] == ["/Sig"] * 3 + ["/DocTimeStamp"]
    dss = DocumentSecurityStore.read_dss(PdfFileReader(io.BytesIO(sealed)))
    seal_certificate = signatures[2].signer_cert.dump()
    assert any(c.dump() == seal_certificate for c in dss.load_certs())


def test_outbox_rows_commit_with_their_state_change(stack: Stack) -> None:
    faults = Faults()
    services, caller = stack.wired(faults.make_client)
    case = _submit(stack, services, "chuyen-sinh-hoat-chinh-thuc", "phuong-ba-dinh")
    final = sign_as_officer(services, caller("canbo-badinh"), case.id)
    assert final.status == "archived"

    committed: list[int] = []
    for call in faults.calls("dynamodb", "TransactWriteItems"):
        puts = [item["Put"]["Item"] for item in call["TransactItems"]]
        ours = [p for p in puts if p["pk"]["S"] == f"CASE#{case.id}"]
        if not ours:
            continue
        version = int(ours[0]["version"]["N"])
        outbox = sorted(p["pk"]["S"] for p in puts if p["pk"]["S"].startswith("OUTBOX#"))
        new = [v for v in range(1, version + 1) if v not in committed]
        assert outbox == sorted(f"OUTBOX#{case.id}:{v}" for v in new)  # no more, no less
        committed += new
    assert committed == list(range(1, final.version + 1))
    # each transition's event, published once, in order
    statuses = [(d["version"], d["status"]) for d in faults.published(case.id)]
    assert statuses == [
        (1, "submitted"),
        (2, "awaiting_signature"),
        (3, "awaiting_signature"),
        (4, "sealed"),
        (5, "archived"),
    ]


def test_once_archived_only_the_record_remains(client: Client, stack: Stack) -> None:
    services = stack.wired()[0]
    case = _submit(stack, services, "chuyen-sinh-hoat-chinh-thuc", "phuong-ba-dinh")
    final = sign_as_officer(services, stack.wired()[1]("canbo-badinh"), case.id)
    assert final.status == "archived" and final.drafts_removed
    assert services.documents.versions(f"cases/{case.id}/") == []
    record = services.cases.get_record(str(final.record_id))
    assert record is not None
    assert services.documents.versions(record["object"]["key"]) == [
        (record["object"]["key"], record["object"]["version_id"])
    ]
    officer = stack.auth("canbo-badinh")
    document = client.http.get(
        f"/v1/cases/{case.id}/document", headers={**officer, "Accept": "application/pdf"}
    )
    assert document.status_code == 200
    assert document.body == services.documents.get(record["object"]["key"])
    preview = client.http.get(
        f"/v1/cases/{case.id}/preview?page=1", headers={**officer, "Accept": "image/png"}
    )
    assert preview.status_code == 200 and preview.body.startswith(b"\x89PNG")


def test_every_object_is_encrypted_by_the_archive_key(stack: Stack) -> None:
    services = stack.wired()[0]
    s3 = stack.client("s3")
    bucket, key_arn = stack.outputs["bucket"], stack.outputs["archive_key_id"]

    def encryption(key: str) -> tuple[str, str, bool]:
        head = s3.head_object(Bucket=bucket, Key=key)
        return head["ServerSideEncryption"], head["SSEKMSKeyId"], head["BucketKeyEnabled"]

    case = _submit(stack, services, "chuyen-sinh-hoat-chinh-thuc", "phuong-ba-dinh")
    drafts = [key for key, _ in services.documents.versions(f"cases/{case.id}/")]
    assert drafts
    for draft in drafts:  # the working draft holds personal data too
        assert encryption(draft) == ("aws:kms", key_arn, True)
    final = sign_as_officer(services, stack.wired()[1]("canbo-badinh"), case.id)
    record = services.cases.get_record(str(final.record_id))
    assert record is not None
    for key in (record["object"]["key"], record["manifest"]["key"]):
        assert encryption(key) == ("aws:kms", key_arn, True)
    # and the bucket's default, for anything put without naming the key
    rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]
    assert rules["Rules"][0]["ApplyServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "aws:kms",
        "KMSMasterKeyID": key_arn,
    }
