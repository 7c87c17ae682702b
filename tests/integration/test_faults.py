"""Every case reaches an end: faults injected at each boundary of the spine (a crash after a
commit, a service down or throttled, a revoked certificate), then the sweep. Each case ends
archived, or failed with a reason for a permanent error; its events are published in
version order, one per transition with stable ids, and none for a change not committed."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cloud.archive import ArchivedObject
from functions.access import Principal
from functions.automatic import retry_case, retry_failed
from functions.errors import Conflict, Forbidden, Refused, Unavailable
from functions.intake import submit_case
from functions.model import Case
from functions.services import Services
from functions.sign import apply_signature
from functions.signatures import sign_as_officer
from functions.sweep import sweep
from infra.servers import free_port
from signing.backends import CallbackSigner
from signing.devpki import DevPki
from templates import TEMPLATES_DIR
from templates.catalogue import Catalogue
from tests.conftest import Stack
from tests.faults import Crash, Faults, throttled, unreachable

TRANSFER = "chuyen-sinh-hoat-chinh-thuc"
ORG = "phuong-ba-dinh"


@dataclasses.dataclass
class Rig:
    """Services on the test stack whose AWS clients carry ``faults``."""

    stack: Stack
    services: Services
    faults: Faults
    upstream: Principal
    officer: Principal
    admin: Principal

    def submit(
        self, procedure: str = TRANSFER, organization: str = ORG, via: Services | None = None
    ) -> Case:
        """Submit the procedure's example (through ``via``, default the rig's services)."""
        example = (via or self.services).catalogue.get(procedure)
        assert example is not None
        body = {"procedure": procedure, "organization": organization, "data": example.example}
        return submit_case(via or self.services, self.upstream, body, str(uuid.uuid4())).case

    def tsa_down(self) -> Services:
        """The rig's services with a timestamp service that does not answer."""
        dead = f"http://127.0.0.1:{free_port()}/tsa"
        return dataclasses.replace(
            self.services, trust=dataclasses.replace(self.services.trust, tsa_url=dead)
        )

    def case(self, case_id: str) -> Case:
        case = self.services.cases.get_case(case_id)
        assert case is not None
        return case

    def finish(self, case_id: str, rounds: int = 5) -> Case:
        """Let time pass and the sweep run until the case ends (or ``rounds`` sweeps)."""
        for _ in range(rounds):
            case = self.case(case_id)
            if case.status in {"archived", "failed"} and not self.services.cases.event_pending(
                case_id, case.version
            ):
                break
            self.stack.clock.advance(self.services.settings.retry_longest_delay_seconds)
            sweep(self.services)
        return self.case(case_id)

    def sealed_not_archived(self) -> Case:
        """A case whose process died at its first archive write: sealed, not archived."""
        case = self.submit()
        self.faults.add("s3", "PutObject", when=lambda p: "ObjectLockMode" in p, times=1)
        with pytest.raises(Crash):
            sign_as_officer(self.services, self.officer, case.id)
        assert self.case(case.id).status == "sealed"
        return case

    def seal_key(self, organization: str = ORG) -> str:
        entry = self.services.cases.get_organization(organization)
        assert entry is not None
        return str(entry["seal_key_id"])


@pytest.fixture
def rig(stack: Stack) -> Iterator[Rig]:
    faults = Faults()
    services, caller = stack.wired(faults.make_client)
    yield Rig(
        stack,
        services,
        faults,
        caller("cong-dich-vu"),
        caller("canbo-badinh"),
        caller("quan-tri"),
    )
    faults.clear()


def assert_events_in_order(rig: Rig, case: Case) -> None:
    """One event per transition, published in version order, with stable ids; re-sends
    (after a crash between sending and clearing) repeat an event exactly."""
    published = rig.faults.published(case.id)
    first: dict[int, dict[str, Any]] = {}
    for detail in published:
        version = detail["version"]
        assert version <= len(first) + 1, f"version {version} went out before an older one"
        assert first.setdefault(version, detail) == detail  # a re-send is the same event
    assert sorted(first) == list(range(1, case.version + 1))
    assert [first[v]["status"] for v in sorted(first)] == [h["status"] for h in case.history]
    assert all(d["event_id"] == f"{case.id}:{d['version']}" for d in published)
    assert all(d["upstream"] == rig.upstream.subject for d in published)
    assert not rig.services.cases.event_pending(case.id, case.version)


def test_a_crash_after_the_officer_commit_and_before_the_seal(rig: Rig) -> None:
    case = rig.submit()
    seal_key = rig.seal_key()
    rig.faults.add("kms", "Sign", when=lambda p: p["KeyId"] == seal_key, times=1)
    with pytest.raises(Crash):
        sign_as_officer(rig.services, rig.officer, case.id)
    stored = rig.case(case.id)
    assert stored.status == "awaiting_signature" and stored.seal_is_due()
    assert [s.kind for s in stored.signatures] == ["officer"]

    final = rig.finish(case.id)
    assert final.status == "archived"
    assert [s.kind for s in final.signatures] == ["officer", "seal"]
    assert_events_in_order(rig, final)


def test_a_crash_after_the_seal_commit_and_before_the_archive(rig: Rig) -> None:
    case = rig.sealed_not_archived()
    final = rig.finish(case.id)
    assert final.status == "archived" and final.record_id
    assert_events_in_order(rig, final)


def test_a_crash_after_the_archive_write_and_before_the_index(rig: Rig) -> None:
    case = rig.submit()
    pdf_put = lambda p: str(p["Key"]).endswith(".pdf") and "ObjectLockMode" in p  # noqa: E731
    rig.faults.add("s3", "PutObject", when=pdf_put, after=True, times=1)
    with pytest.raises(Crash):
        sign_as_officer(rig.services, rig.officer, case.id)
    sealed = rig.case(case.id)
    assert sealed.status == "sealed" and sealed.record_id is None

    final = rig.finish(case.id)
    assert final.status == "archived" and final.record_id
    record = rig.services.cases.get_record(final.record_id)
    assert record is not None
    # the retry found the copy the crashed attempt wrote: one locked version, not two
    versions = rig.services.documents.versions(record["object"]["key"])
    assert versions == [(record["object"]["key"], record["object"]["version_id"])]
    assert_events_in_order(rig, final)


def test_a_crash_between_the_manifest_and_the_pdf_keeps_the_first_archive_time(
    rig: Rig,
) -> None:
    case = rig.submit()
    manifest_put = lambda p: str(p["Key"]).endswith(".manifest.json")  # noqa: E731
    rig.faults.add("s3", "PutObject", when=manifest_put, after=True, times=1)
    with pytest.raises(Crash):
        sign_as_officer(rig.services, rig.officer, case.id)
    assert rig.case(case.id).status == "sealed"

    final = rig.finish(case.id)  # an hour later
    assert final.status == "archived" and final.record_id
    record = rig.services.cases.get_record(final.record_id)
    assert record is not None
    [(key, version)] = rig.services.documents.versions(record["manifest"]["key"])
    manifest = json.loads(rig.services.documents.get(key, version))
    # one locked manifest; the record, the manifest and the PDF's lock tell one archive time
    assert manifest["archived_at"] == record["archived_at"]
    assert manifest["retention"]["until"] == record["retain_until"]
    pdf = ArchivedObject(**record["object"])
    _, locked_until = rig.services.documents.retention(pdf)
    assert locked_until == dt.datetime.fromisoformat(record["retain_until"])
    assert_events_in_order(rig, final)


def test_a_sealed_document_that_does_not_validate_is_not_archived(rig: Rig) -> None:
    # the seal went through; then the trust anchors changed (another PKI's root): the
    # archive refuses a document it cannot prove, and the case fails with the reason
    case = rig.sealed_not_archived()
    other = DevPki.create("http://127.0.0.1:9/ocsp", name="Another")
    untrusting = dataclasses.replace(
        rig.services,
        trust=dataclasses.replace(rig.services.trust, trust_roots_pem=(other.root_pem,)),
    )
    rig.stack.clock.advance(rig.services.settings.retry_longest_delay_seconds)
    sweep(untrusting)
    failed = rig.case(case.id)
    assert failed.status == "failed" and failed.record_id is None
    assert failed.failure is not None and failed.failure.reason == "validation_failed"
    assert "NO_CERTIFICATE_CHAIN_FOUND" in failed.failure.message
    record_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"hoso:record:{case.id}"))
    assert rig.services.documents.versions(f"records/{record_id}") == []  # nothing locked


def test_the_bus_down_across_every_step(rig: Rig) -> None:
    rig.faults.add("events", "PutEvents", error=lambda: unreachable("events"))
    case = rig.submit()
    assert rig.faults.published(case.id) == []
    signed = sign_as_officer(rig.services, rig.officer, case.id)  # 201: committed, not 500
    assert signed.status == "archived"
    assert rig.faults.published(case.id) == []
    assert rig.services.cases.event_pending(case.id, 1)

    rig.faults.clear()
    final = rig.finish(case.id)
    assert_events_in_order(rig, final)


def test_the_bus_down_and_up_at_every_step_keeps_each_case_in_order(rig: Rig) -> None:
    bus = rig.faults.add("events", "PutEvents", error=lambda: unreachable("events"))
    secretary = rig.stack.wired()[1]("bithu-chibo5")
    case = rig.submit("nhan-xet-noi-cu-tru", "chi-bo-to-dan-pho-5-ba-dinh")  # down: 1, 2 wait
    rig.faults.faults.remove(bus)
    sign_as_officer(rig.services, secretary, case.id)  # up: 3 must wait behind 1 and 2
    assert rig.faults.published(case.id) == []
    rig.faults.faults.append(bus)
    final = sign_as_officer(rig.services, rig.officer, case.id)  # down: 4, 5, 6 wait
    assert final.status == "archived"
    rig.faults.faults.remove(bus)

    rig.finish(case.id)
    assert [d["version"] for d in rig.faults.published(case.id)] == list(range(1, 7))
    assert_events_in_order(rig, rig.case(case.id))


def test_the_timestamp_service_down_postpones_then_archives(rig: Rig) -> None:
    down = rig.tsa_down()
    case = rig.submit()
    with pytest.raises(Unavailable):  # the officer's own signature: 503, nothing stored
        sign_as_officer(down, rig.officer, case.id)
    assert rig.case(case.id).version == case.version

    receipt = rig.submit("dang-phi", via=down)
    assert receipt.status == "awaiting_signature"  # stored; the seal waits for the TSA
    assert receipt.retry is not None and receipt.retry.attempts == 1
    for _ in range(3):  # an outage of a few hours: postponed with back-off, never failed
        rig.stack.clock.advance(rig.services.settings.retry_longest_delay_seconds)
        report = sweep(down)
        assert receipt.id in report.waiting
        assert receipt.id not in report.failed + report.archived
    waiting = rig.case(receipt.id)
    assert waiting.status == "awaiting_signature" and waiting.retry is not None
    assert waiting.retry.attempts == 4 and waiting.failure is None

    final = rig.finish(receipt.id)  # the TSA is back
    assert final.status == "archived" and final.retry is None
    assert_events_in_order(rig, final)


def test_a_timestamp_outage_longer_than_the_budget_fails_the_case(rig: Rig) -> None:
    down = rig.tsa_down()
    stuck = rig.submit("dang-phi", via=down)
    rig.stack.clock.advance(rig.services.settings.retry_budget_seconds + 1)
    report = sweep(down)
    assert stuck.id in report.failed and stuck.id not in report.waiting
    failed = rig.case(stuck.id)
    assert failed.failure is not None and failed.retry is None
    assert failed.failure.at == failed.history[-1]["at"]  # when it moved to failed
    assert failed.status == "failed" and failed.failure is not None
    assert failed.failure.reason == "retry_budget_exhausted"
    assert failed.failure.attempts == 2
    assert "timestamp" in failed.failure.message
    assert_events_in_order(rig, failed)

    again = retry_case(rig.services, rig.admin, stuck.id)  # the TSA is back: an admin retries
    assert again.status == "archived"
    assert_events_in_order(rig, rig.finish(stuck.id))


def test_kms_throttled_postpones_the_seal_then_archives(rig: Rig) -> None:
    seal_key = rig.seal_key()
    throttle = rig.faults.add(
        "kms", "Sign", error=lambda: throttled("Sign"), when=lambda p: p["KeyId"] == seal_key
    )
    case = rig.submit()
    signed = sign_as_officer(rig.services, rig.officer, case.id)
    assert signed.status == "awaiting_signature" and signed.retry is not None
    assert "ThrottlingException" in signed.retry.last_error
    rig.stack.clock.advance(rig.services.settings.retry_longest_delay_seconds)
    sweep(rig.services)
    assert rig.case(case.id).retry.attempts == 2

    rig.faults.faults.remove(throttle)
    final = rig.finish(case.id)
    assert final.status == "archived"
    assert throttle.hits >= 2  # (the sweep may also have tried other tests' due seals)
    assert_events_in_order(rig, final)


def test_a_commit_that_loses_its_race_publishes_nothing(rig: Rig) -> None:
    case = rig.submit("nhan-xet-noi-cu-tru", "chi-bo-to-dan-pho-5-ba-dinh")
    stale = rig.case(case.id)
    secretary = rig.stack.wired()[1]("bithu-chibo5")
    sign_as_officer(rig.services, secretary, case.id)  # version 3: the ward officer's turn
    published = rig.faults.published(case.id)
    entry = rig.services.cases.get_officer("bithu-chibo5")
    assert entry is not None
    step = stale.current_step()
    assert step is not None
    signer = CallbackSigner(
        entry["certificate_chain"], rig.services.keys.raw_signer(entry["key_id"])
    )
    with pytest.raises(Conflict):  # the same step again, from the case as it was read before
        apply_signature(rig.services, stale, step, signer, "bithu-chibo5")
    assert rig.faults.published(case.id) == published  # nothing for what did not commit
    now = rig.case(case.id)
    assert now.version == 3 and [s.kind for s in now.signatures] == ["officer"]
    drafts = [key for key, _ in rig.services.documents.versions(f"cases/{case.id}/")]
    assert sorted(drafts) == sorted({case.document.key, now.document.key})  # loser's copy gone
    assert_events_in_order(rig, now)


def test_a_revoked_seal_certificate_fails_the_case_for_good(rig: Rig) -> None:
    code = f"phuong-thu-nghiem-{uuid.uuid4().hex[:8]}"
    entry = rig.stack.register_organization(code)
    rig.stack.revoke(entry["seal_certificate_chain"][0])

    receipt = rig.submit("dang-phi", code)  # 201 with the case as stored: failed, with why
    assert receipt.status == "failed" and receipt.failure is not None
    assert receipt.failure.reason == "certificate_revoked"
    assert receipt.failure.attempts == 1
    assert receipt.public_view()["failure"]["reason"] == "certificate_revoked"
    assert rig.services.cases.due_cases("9999").count(receipt.id) == 1  # drafts kept, queued
    assert_events_in_order(rig, receipt)
    assert rig.faults.published(receipt.id)[-1]["status"] == "failed"

    still = retry_case(rig.services, rig.admin, receipt.id)  # a retry cannot cure it
    assert still.status == "failed" and still.failure is not None
    assert still.failure.reason == "certificate_revoked"
    assert [h["status"] for h in still.history][-2:] == ["awaiting_signature", "failed"]
    assert_events_in_order(rig, still)

    assert receipt.id in rig.services.cases.failed_cases("certificate_revoked")
    drafts = f"cases/{receipt.id}/"
    assert rig.services.documents.versions(drafts)
    rig.stack.clock.advance(rig.services.settings.draft_retention_days * 86400 + 60)
    sweep(rig.services)
    assert rig.services.documents.versions(drafts) == []
    gone = rig.case(receipt.id)
    assert gone.drafts_removed and gone.status == "failed"
    with pytest.raises(Conflict):
        retry_case(rig.services, rig.admin, receipt.id)


def test_a_bulk_retry_goes_on_past_a_case_it_cannot_resume(rig: Rig) -> None:
    code = f"phuong-thu-nghiem-{uuid.uuid4().hex[:8]}"
    rig.stack.revoke(rig.stack.register_organization(code)["seal_certificate_chain"][0])
    first, middle, last = sorted(rig.submit("dang-phi", code).id for _ in range(3))
    assert {rig.case(c).status for c in (first, middle, last)} == {"failed"}
    rig.faults.add(  # the table is out of reach while the middle case is written
        "dynamodb",
        "TransactWriteItems",
        error=lambda: unreachable("dynamodb"),
        when=lambda params: middle in json.dumps(params),
    )

    resumed = retry_failed(rig.services, rig.admin, {"reason": "certificate_revoked"})

    assert first in resumed and last in resumed and middle not in resumed
    assert [rig.case(c).status for c in (first, middle, last)] == [
        "awaiting_signature",
        "failed",
        "awaiting_signature",
    ]
    rig.faults.clear()
    assert middle in retry_failed(rig.services, rig.admin, {"reason": "certificate_revoked"})


def test_a_revoked_officer_certificate_is_refused_and_nothing_is_stored(rig: Rig) -> None:
    saved = rig.services.cases.get_officer("canbo-hoankiem")
    assert saved is not None
    case = rig.submit(organization="phuong-hoan-kiem")
    try:
        revoked = rig.stack.reissue_officer("canbo-hoankiem")
        rig.stack.revoke(revoked["certificate_chain"][0])
        officer = rig.stack.wired()[1]("canbo-hoankiem")
        with pytest.raises(Refused) as refused:
            sign_as_officer(rig.services, officer, case.id)
        assert refused.value.reason == "certificate_revoked"
        assert rig.case(case.id).version == case.version
        drafts = rig.services.documents.versions(f"cases/{case.id}/")
        assert [key for key, _ in drafts] == [case.document.key]  # no signed copy left
    finally:
        rig.services.cases.put_document("OFFICER#canbo-hoankiem", saved)


def test_a_bug_in_the_seal_fails_the_case_and_the_officer_still_gets_it(rig: Rig) -> None:
    seal_key = rig.seal_key()
    rig.faults.add(
        "kms", "Sign", error=lambda: ValueError("a bug"), when=lambda p: p["KeyId"] == seal_key
    )
    case = rig.submit()
    answer = sign_as_officer(rig.services, rig.officer, case.id)  # committed: no exception
    assert answer.status == "failed" and answer.failure is not None
    assert answer.failure.reason == "internal_error"
    assert answer.failure.message == "unexpected ValueError"  # no trace, no personal data
    assert [s.kind for s in answer.signatures] == ["officer"]
    assert_events_in_order(rig, answer)


def test_removing_drafts_is_retried_and_never_fails_an_archived_case(rig: Rig) -> None:
    gone = rig.faults.add("s3", "DeleteObject", error=lambda: unreachable("s3"))
    case = rig.submit()
    archived = sign_as_officer(rig.services, rig.officer, case.id)
    assert archived.status == "archived" and not archived.drafts_removed
    assert archived.retry is not None and gone.hits == 1
    assert rig.services.documents.versions(f"cases/{case.id}/")  # still there, queued

    rig.faults.faults.remove(gone)
    rig.stack.clock.advance(rig.services.settings.retry_longest_delay_seconds)
    report = sweep(rig.services)
    assert case.id not in report.archived + report.failed  # it was archived before
    done = rig.case(case.id)
    assert done.status == "archived" and done.drafts_removed and done.retry is None
    assert rig.services.documents.versions(f"cases/{case.id}/") == []
    assert_events_in_order(rig, done)


def test_a_failure_commits_its_event_with_it_and_counts_every_attempt(rig: Rig) -> None:
    code = f"phuong-thu-nghiem-{uuid.uuid4().hex[:8]}"
    entry = rig.stack.register_organization(code)
    receipt = rig.submit("dang-phi", code, via=rig.tsa_down())
    assert receipt.retry is not None and receipt.retry.attempts == 1  # transient: postponed

    rig.stack.revoke(entry["seal_certificate_chain"][0])
    bus = rig.faults.add("events", "PutEvents", error=lambda: unreachable("events"))
    rig.stack.clock.advance(rig.services.settings.retry_longest_delay_seconds)
    assert receipt.id in sweep(rig.services).failed
    failed = rig.case(receipt.id)
    assert failed.failure is not None and failed.failure.attempts == 2  # 1 transient + 1
    assert rig.services.cases.event_pending(receipt.id, failed.version)  # in the outbox

    rig.faults.faults.remove(bus)
    assert_events_in_order(rig, rig.finish(receipt.id))


def test_the_sweep_stops_at_its_time_budget_and_indexes_page(rig: Rig) -> None:
    code = f"phuong-thu-nghiem-{uuid.uuid4().hex[:8]}"
    entry = rig.stack.register_organization(code)
    rig.stack.revoke(entry["seal_certificate_chain"][0])
    failed = [rig.submit("dang-phi", code).id for _ in range(3)]
    found = rig.services.cases.failed_cases("certificate_revoked", page=1)
    assert set(failed) <= set(found)  # read one item a page, all of them found
    assert len(rig.services.cases.failed_cases("certificate_revoked", limit=2, page=1)) == 2
    assert len(rig.services.cases.due_cases("9999", limit=2)) == 2  # their drafts' removal

    rig.stack.clock.advance(rig.services.settings.draft_retention_days * 86400 + 60)
    hurried = dataclasses.replace(
        rig.services, settings=dataclasses.replace(rig.services.settings, sweep_seconds=-1)
    )
    assert sweep(hurried).waiting == []  # out of time before the first case: all still due
    assert all(not rig.case(case_id).drafts_removed for case_id in failed)


def _with_copy(rig: Rig, folder: Path, code: str, missing_anchor: int | None = None) -> Services:
    """Services whose catalogue is a copy of the transfer letter named ``code`` (whose step
    ``missing_anchor`` places its stamp under a line the document does not have)."""
    copy = folder / code
    shutil.copytree(TEMPLATES_DIR / TRANSFER, copy)
    spec = json.loads((copy / "procedure.json").read_text(encoding="utf-8"))
    spec["code"] = code
    if missing_anchor is not None:
        spec["steps"][missing_anchor]["appearance"]["anchor"] = "DÒNG KHÔNG CÓ TRONG VĂN BẢN"
    (copy / "procedure.json").write_text(json.dumps(spec, ensure_ascii=False), "utf-8")
    return dataclasses.replace(rig.services, catalogue=Catalogue(folder))


def test_no_place_for_the_officer_stamp_is_refused(rig: Rig, tmp_path: Path) -> None:
    services = _with_copy(rig, tmp_path, "khong-co-cho-ky", missing_anchor=0)
    case = rig.submit("khong-co-cho-ky", via=services)
    with pytest.raises(Refused) as refused:
        sign_as_officer(services, rig.officer, case.id)
    assert refused.value.reason == "signature_placement"
    assert rig.case(case.id).version == case.version


def test_no_place_for_the_seal_fails_the_case(rig: Rig, tmp_path: Path) -> None:
    services = _with_copy(rig, tmp_path, "khong-co-cho-ky", missing_anchor=1)
    case = rig.submit("khong-co-cho-ky", via=services)
    answer = sign_as_officer(services, rig.officer, case.id)
    assert answer.status == "failed" and answer.failure is not None
    assert answer.failure.reason == "signature_placement"


def test_an_officer_signs_only_with_a_key_of_the_step_organisation(rig: Rig) -> None:
    case = rig.submit()
    # the token says phuong-ba-dinh; the directory registers this officer elsewhere
    elsewhere = Principal("sub-x", "canbo-hoankiem", frozenset({"officer"}), ORG)
    with pytest.raises(Forbidden, match="no signing key registered"):
        sign_as_officer(rig.services, elsewhere, case.id)
    unknown = Principal("sub-y", "khong-co-trong-danh-ba", frozenset({"officer"}), ORG)
    with pytest.raises(Forbidden, match="no signing key registered"):
        sign_as_officer(rig.services, unknown, case.id)
    assert rig.case(case.id).version == case.version


def test_a_failure_that_cannot_be_committed_announces_nothing(rig: Rig) -> None:
    code = f"phuong-thu-nghiem-{uuid.uuid4().hex[:8]}"
    entry = rig.stack.register_organization(code)
    rig.stack.revoke(entry["seal_certificate_chain"][0])

    def failing(params: dict[str, Any]) -> bool:
        return '\\"status\\": \\"failed\\"' in json.dumps(params["TransactItems"])

    table_down = rig.faults.add(
        "dynamodb", "TransactWriteItems", error=lambda: unreachable("dynamodb"), when=failing
    )
    receipt = rig.submit("dang-phi", code)  # stored; its failure could not be written
    assert table_down.hits == 1
    assert receipt.status == "awaiting_signature" and receipt.failure is None
    assert [d["status"] for d in rig.faults.published(receipt.id)] == [
        "submitted",
        "awaiting_signature",
    ]  # no "failed" event for a change that did not commit

    rig.faults.faults.remove(table_down)
    rig.stack.clock.advance(rig.services.settings.step_lease_seconds + 1)
    assert receipt.id in sweep(rig.services).failed  # still due: the sweep fails it for real
    assert_events_in_order(rig, rig.case(receipt.id))


def test_a_procedure_gone_before_the_archive_fails_the_case(rig: Rig, tmp_path: Path) -> None:
    with_it = _with_copy(rig, tmp_path, "thu-tuc-da-bo")
    case = rig.submit("thu-tuc-da-bo", via=with_it)
    locked_put = rig.faults.add(
        "s3", "PutObject", error=lambda: unreachable("s3"), when=lambda p: "ObjectLockMode" in p
    )
    sealed = sign_as_officer(with_it, rig.officer, case.id)
    assert sealed.status == "sealed" and sealed.retry is not None  # the archive waits
    rig.faults.faults.remove(locked_put)

    rig.stack.clock.advance(rig.services.settings.retry_longest_delay_seconds)
    assert case.id in sweep(rig.services).failed  # this deployment no longer has it
    failed = rig.case(case.id)
    assert failed.failure is not None and failed.failure.reason == "procedure_missing"
    assert failed.failure.resume_status == "sealed"
    assert_events_in_order(rig, failed)
