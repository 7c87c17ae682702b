"""The audit: a record changed around its lock is flagged and announced; batches are bounded
and carry on from where the last one stopped."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

from moto.backends import get_backend

from cloud.archive import ArchivedObject
from functions.audit import audit_batch, record_problem
from functions.model import Case
from functions.sweep import sweep
from tests.conftest import Stack
from tests.independent import check_independently
from tests.integration.test_verification import archived_case

ACCOUNT = "123456789012"  # moto's
OWN_YEAR = dt.datetime(2033, 6, 2, 3, 0, tzinfo=dt.UTC)  # no other test archives in 2033


def _change_one_byte_around_the_lock(stack: Stack, record: dict[str, Any]) -> None:
    """What no API call can do (COMPLIANCE mode): one byte of the locked version changed
    in moto's own store, as a fault in the storage would."""
    bucket = get_backend("s3")[ACCOUNT]["global"].buckets[stack.outputs["bucket"]]
    key, version = record["object"]["key"], record["object"]["version_id"]
    stored = next(k for k in bucket.keys.getlist(key) if k.version_id == version)
    changed = bytearray(stored.value)
    changed[len(changed) // 2] ^= 0x01
    stored.value = bytes(changed)


def _record(stack: Stack, case: Case) -> dict[str, Any]:
    assert case.record_id is not None
    record = stack.wired()[0].cases.get_record(case.record_id)
    assert record is not None
    return record


def _archived_then_a_minute(stack: Stack) -> Case:
    case = archived_case(stack)
    stack.clock.advance(60)
    return case


def test_a_record_changed_around_its_lock_is_flagged_and_announced(stack: Stack) -> None:
    services = stack.wired()[0]
    # a minute apart: records archived within the same second have no order among them
    older, intact, changed = [_archived_then_a_minute(stack) for _ in range(3)]
    _change_one_byte_around_the_lock(stack, _record(stack, changed))
    assert record_problem(services, _record(stack, intact), services.clock()) is None
    problem = record_problem(services, _record(stack, changed), services.clock())
    # S3 sends the SHA-256 it kept with every read, and botocore checks the bytes with it
    assert problem == "the stored bytes do not match the checksum S3 kept"
    stack.drain_events()

    # a batch of two, from the newest records of this year: the two above
    year = _record(stack, changed)["index"]["year"]
    services.cases.put_audit_cursor({"year": int(year), "start": None})
    report = audit_batch(services, 2)
    assert report.checked == [changed.record_id, intact.record_id]
    assert report.flagged == [changed.record_id]
    integrity = [e for e in stack.drain_events() if e["detail-type"] == "Record Integrity Failed"]
    assert [e["detail"]["record_id"] for e in integrity] == [changed.record_id]
    assert set(integrity[0]["detail"]) == {"event_id", "record_id", "problem", "occurred_at"}
    assert integrity[0]["detail"]["problem"] == problem

    # the next batch carries on after them: the next older record
    assert audit_batch(services, 1).checked == [older.record_id]


def test_a_sweep_audits_its_batch(stack: Stack) -> None:
    # in a year of its own: the audit takes a year's records newest first, other tests
    # archive records on a clock they moved on, and a sweep finishes cases they left due
    with stack.clock.pinned(OWN_YEAR):
        services = stack.wired()[0]
        # other tests' due work first: a sweep archives it now, before our two records
        sweep(
            dataclasses.replace(
                services, settings=dataclasses.replace(services.settings, audit_batch=0)
            )
        )
        stack.clock.advance(60)
        older = archived_case(stack)
        stack.clock.advance(60)
        newer = archived_case(stack)
        services = dataclasses.replace(
            services, settings=dataclasses.replace(services.settings, audit_batch=1)
        )
        services.cases.put_audit_cursor({"year": OWN_YEAR.year, "start": None})
        first = sweep(services)
        cursor = services.cases.get_audit_cursor()
        second = sweep(services)  # carries on where the first stopped
    assert first.audited == [newer.record_id] and first.flagged == []
    assert cursor is not None and cursor["year"] == OWN_YEAR.year and cursor["start"] is not None
    json.dumps(cursor)  # kept as JSON in the table
    assert second.audited == [older.record_id] and second.flagged == []


def test_the_audit_renews_an_archival_timestamp_near_expiry(stack: Stack, tmp_path: Path) -> None:
    case = archived_case(stack)
    services = stack.wired()[0]
    record = _record(stack, case)
    original = dict(record["object"])
    original_pdf = services.documents.get(original["key"], original["version_id"])
    # the dev TSA's certificate runs to 2055: a margin of 40 years makes it near expiry
    services = dataclasses.replace(
        services, settings=dataclasses.replace(services.settings, renewal_margin_days=40 * 365)
    )
    services.cases.put_audit_cursor({"year": int(record["index"]["year"]), "start": None})
    stack.clock.advance(3600)
    report = audit_batch(services, 1)
    assert report.checked == [case.record_id] and report.renewed == [case.record_id]

    renewed = _record(stack, case)
    assert renewed["object"]["key"] == original["key"]
    assert renewed["object"]["version_id"] != original["version_id"]
    [renewal] = renewed["renewals"]
    assert renewal["previous_version_id"] == original["version_id"]
    # the locked original is untouched, and still locked
    assert services.documents.get(original["key"], original["version_id"]) == original_pdf
    mode, _ = services.documents.retention(ArchivedObject(**original))
    assert mode == "COMPLIANCE"
    pdf = services.documents.get(renewed["object"]["key"], renewed["object"]["version_id"])
    assert pdf.startswith(original_pdf)  # an incremental update
    assert hashlib.sha256(pdf).hexdigest() == renewed["sha256"] == renewal["sha256"]
    assert renewed["validation"]["valid"] is True
    stamps = [e for e in renewed["validation"]["signatures"] if e["kind"] == "document_timestamp"]
    assert len(stamps) == 2
    manifest = json.loads(services.documents.get(renewed["manifest"]["key"]))
    assert manifest["renewals"] == [renewal]
    # tools we did not write agree: qpdf, pdfsig, openssl cms and ts for both timestamps
    anchor = services.trust.trust_roots_pem[0]
    assert check_independently(pdf, anchor, tmp_path, stack.clock) == 4
    # and a record not near expiry is left alone
    services.cases.put_audit_cursor({"year": int(record["index"]["year"]), "start": None})
    calm = dataclasses.replace(
        services, settings=dataclasses.replace(services.settings, renewal_margin_days=1)
    )
    assert audit_batch(calm, 1).renewed == []
