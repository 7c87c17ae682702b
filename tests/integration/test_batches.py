"""Batches (POST /v1/batches): a case per valid item through the work queue and the worker,
each invalid item reported with its field, counts and progress events, and no second case,
number or document when a message comes again or the same keys are submitted again.

Hostile input, written down: no token 401; an officer's or an admin's token 403; another
upstream system reading the batch 404; a body that is not JSON 400; a body over 1 MB 413;
an envelope that is wrong (no items, an item without key, a key twice, an unknown field)
422 naming each field; the same Idempotency-Key with another body 409.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from chalice.test import Client

from functions import batches
from functions.services import Services
from tests.conftest import (
    Stack,
    app_changed,
    procedure_example,
    send_json,
    submit,
    work_batches,
)
from tests.faults import Faults, unreachable
from tests.integration.test_uploads import left_of, upload

UPSTREAM = "cong-dich-vu"
ORG = "phuong-ba-dinh"


def _post(
    client: Client, stack: Stack, body: Any, key: str | None = None, user: str = UPSTREAM
) -> Any:
    """POST /v1/batches as ``user`` (a fresh Idempotency-Key unless given); a str body as is."""
    headers = {"Idempotency-Key": key or str(uuid.uuid4())}
    if isinstance(body, str):
        headers |= {**stack.auth(user), "Content-Type": "application/json"}
        return client.http.post("/v1/batches", headers=headers, body=body)
    return send_json(client, stack, "POST", "/v1/batches", body, user, headers)


def _items(example: dict[str, Any], count: int) -> list[dict[str, Any]]:
    items = []
    for n in range(count):
        data = copy.deepcopy(example)
        data["member"]["party_card_number"] = f"{70000000 + n:08d}"
        items.append({"key": f"receipt-{uuid.uuid4().hex[:10]}-{n}", "data": data})
    return items


@pytest.fixture(scope="module")
def example(client: Client, stack: Stack) -> dict[str, Any]:
    return procedure_example(client, stack, "dang-phi")


def _batch(
    client: Client, stack: Stack, batch_id: str, user: str = UPSTREAM, after: str | None = None
) -> Any:
    path = f"/v1/batches/{batch_id}" + (f"?next={after}" if after else "")
    return client.http.get(path, headers=stack.auth(user))


def _progress(events: list[dict[str, Any]], batch_id: str) -> list[dict[str, Any]]:
    return [
        e["detail"]
        for e in events
        if e["detail-type"] == "Batch Progress" and e["detail"]["batch_id"] == batch_id
    ]


def test_a_batch_makes_a_case_per_valid_item_and_names_each_invalid_one(
    client: Client, stack: Stack, example: dict[str, Any]
) -> None:
    items = _items(example, 8)
    items[2]["data"]["amount"] = "hai trăm"  # not a number
    items[5]["data"]["member"]["full_name"] = "Lª V¨n Hïng"  # TCVN3 read as Latin-1
    stack.drain_events()
    accepted = _post(client, stack, {"procedure": "dang-phi", "organization": ORG, "items": items})
    assert accepted.status_code == 202, accepted.json_body
    batch = accepted.json_body
    assert batch["total"] == 8 and batch["counts"] == {"queued": 8}

    assert work_batches(stack) >= 9  # the expansion, then one message per item
    done = _batch(client, stack, batch["id"]).json_body
    assert done["counts"] == {"queued": 0, "archived": 6, "invalid": 2}
    assert done["finished_at"] is not None
    assert [f["index"] for f in done["failures"]] == [2, 5]
    assert done["failures"][0]["errors"][0]["field"] == "items[2].data.amount"
    assert done["failures"][1]["errors"][0]["field"] == "items[5].data.member.full_name"
    assert done["next"] is None

    # each valid item is the case its key names: POST /v1/cases with the key finds it
    again = submit(
        client,
        stack,
        {"procedure": "dang-phi", "organization": ORG, "data": items[0]["data"]},
        items[0]["key"],
    )
    assert again.status_code == 201 and again.headers.get("Idempotent-Replayed") == "true"
    assert again.json_body["status"] == "archived"

    progress = _progress(stack.drain_events(), batch["id"])
    assert progress[0]["counts"] == {"total": 8, "queued": 8}  # at the start
    assert progress[-1]["counts"] == {"total": 8, "queued": 0, "archived": 6, "invalid": 2}
    assert len({p["event_id"] for p in progress}) == len(progress)
    assert all(
        set(p) == {"event_id", "batch_id", "upstream", "counts", "occurred_at"} for p in progress
    )


def _numbers(client: Client, stack: Stack, items: list[dict[str, Any]]) -> set[str]:
    """The document numbers of the items' cases, each found by POST /v1/cases with its key."""
    return {
        submit(
            client,
            stack,
            {"procedure": "dang-phi", "organization": ORG, "data": item["data"]},
            item["key"],
        ).json_body["number"]
        for item in items
    }


def test_a_message_delivered_again_makes_no_second_case_number_or_count(
    client: Client, stack: Stack, example: dict[str, Any]
) -> None:
    items = _items(example, 3)
    batch = _post(
        client, stack, {"procedure": "dang-phi", "organization": ORG, "items": items}
    ).json_body
    work_batches(stack)
    first = _batch(client, stack, batch["id"]).json_body
    numbers = _numbers(client, stack, items)
    # SQS delivers at least once: the expansion and every item come again
    import app as hoso_app

    queue = hoso_app.wired()[0].queue
    queue.send([{"kind": "expand", "batch": batch["id"], "start": 0}])
    assert work_batches(stack) >= 4
    assert _batch(client, stack, batch["id"]).json_body["counts"] == first["counts"]
    again = _numbers(client, stack, items)
    assert again == numbers and len(numbers) == 3


def test_the_same_request_again_is_the_same_batch_and_another_body_is_409(
    client: Client, stack: Stack, example: dict[str, Any]
) -> None:
    key = str(uuid.uuid4())
    body = {"procedure": "dang-phi", "organization": ORG, "items": _items(example, 2)}
    first = _post(client, stack, body, key)
    second = _post(client, stack, body, key)
    assert second.status_code == 202 and second.headers.get("Idempotent-Replayed") == "true"
    assert second.json_body["id"] == first.json_body["id"]
    other = _post(client, stack, {**body, "items": body["items"][:1]}, key)
    assert other.status_code == 409
    assert other.json_body["error"]["details"][0]["field"] == "headers.Idempotency-Key"
    work_batches(stack)


def test_all_or_nothing_refuses_the_whole_batch_for_one_invalid_item(
    client: Client, stack: Stack, example: dict[str, Any]
) -> None:
    items = _items(example, 3)
    items[1]["data"]["amount"] = -5
    refused = _post(
        client,
        stack,
        {"procedure": "dang-phi", "organization": ORG, "items": items, "all_or_nothing": True},
    )
    assert refused.status_code == 422
    assert [d["field"] for d in refused.json_body["error"]["details"]] == ["items[1].data.amount"]
    work_batches(stack)
    _no_case_made(client, stack, items[0])


def _no_case_made(client: Client, stack: Stack, item: dict[str, Any]) -> None:
    """No case was made under ``item``'s key: POST /v1/cases with it makes one now."""
    replay = submit(
        client,
        stack,
        {"procedure": "dang-phi", "organization": ORG, "data": item["data"]},
        item["key"],
    )
    assert replay.status_code == 201 and replay.headers.get("Idempotent-Replayed") is None


@pytest.mark.parametrize(
    ("body", "status", "fields"),
    [
        ("{not json", 400, None),
        ({"procedure": "dang-phi", "organization": ORG}, 422, ["items"]),
        ({"procedure": "dang-phi", "organization": ORG, "items": []}, 422, ["items"]),
        (
            {"procedure": "dang-phi", "organization": ORG, "items": [{"data": {}}]},
            422,
            ["items[0].key"],
        ),
        (
            {
                "procedure": "dang-phi",
                "organization": ORG,
                "items": [{"key": "k", "data": {}}, {"key": "k", "data": {}}],
            },
            422,
            ["items[1].key"],
        ),
        (
            {"procedure": "dang-phi", "organization": ORG, "items": [{"key": "k", "data": 3}]},
            422,
            ["items[0].data"],
        ),
        (
            {
                "procedure": "dang-phi",
                "organization": ORG,
                "items": [{"key": "k", "data": {}, "x": 1}],
            },
            422,
            ["items[0].x"],
        ),
        (
            {"procedure": "khong-co", "organization": ORG, "items": [{"key": "k", "data": {}}]},
            422,
            ["procedure"],
        ),
        (
            {
                "procedure": "dang-phi",
                "organization": "khong-co",
                "items": [{"key": "k", "data": {}}],
            },
            422,
            ["organization"],
        ),
        (
            {
                "procedure": "dang-phi",
                "organization": ORG,
                "items": [{"key": "k", "data": {}}],
                "all_or_nothing": "yes",
            },
            422,
            ["all_or_nothing"],
        ),
    ],
    ids=[
        "not json",
        "no items",
        "empty items",
        "no key",
        "a key twice",
        "data not an object",
        "unknown item field",
        "unknown procedure",
        "unknown organization",
        "all_or_nothing not a boolean",
    ],
)
def test_a_wrong_envelope_is_refused_naming_each_field(
    client: Client, stack: Stack, body: Any, status: int, fields: list[str] | None
) -> None:
    answer = _post(client, stack, body)
    assert answer.status_code == status, answer.json_body
    if fields is not None:
        assert [d["field"] for d in answer.json_body["error"]["details"]] == fields


def test_strangers_get_nothing(client: Client, stack: Stack, example: dict[str, Any]) -> None:
    body = {"procedure": "dang-phi", "organization": ORG, "items": _items(example, 1)}
    assert client.http.post("/v1/batches", body=json.dumps(body)).status_code == 401
    forged = {
        "Authorization": "Bearer " + stack.token(UPSTREAM)[:-4] + "AAAA",
        "Idempotency-Key": "x",
    }
    assert client.http.post("/v1/batches", headers=forged, body=json.dumps(body)).status_code == 401
    for person in ("canbo-badinh", "quan-tri", "luu-tru"):
        assert _post(client, stack, body, user=person).status_code == 403
    too_big = {**body, "padding": "x" * 1_000_001}
    assert _post(client, stack, too_big).status_code == 413
    batch = _post(client, stack, body).json_body
    other = stack.add_person("upstream", ORG, groups=["upstream"])
    assert _batch(client, stack, batch["id"], user=other).status_code == 404
    assert _batch(client, stack, batch["id"], user="canbo-badinh").status_code == 403
    assert _batch(client, stack, str(uuid.uuid4())).status_code == 404
    assert _batch(client, stack, batch["id"], after="abc").status_code == 422
    work_batches(stack)
    assert (
        send_json(client, stack, "GET", f"/v1/batches/{batch['id']}", None, UPSTREAM).status_code
        == 200
    )


@contextmanager
def _worker_meeting(stack: Stack, faults: Faults, **settings: Any) -> Iterator[None]:
    """The app (its API and its batch worker) with ``faults`` in its AWS clients and
    ``settings`` changed, until the block ends."""

    def changed(services: Services) -> Services:
        return dataclasses.replace(
            services, settings=dataclasses.replace(services.settings, **settings)
        )

    try:
        with app_changed(stack, changed, faults.make_client):
            yield
    finally:
        faults.clear()


def _retry(client: Client, stack: Stack, batch_id: str, user: str = UPSTREAM) -> Any:
    return client.http.post(f"/v1/batches/{batch_id}/retries", headers=stack.auth(user))


def test_failed_items_are_tried_again_and_end_archived_without_a_second_case(
    client: Client, stack: Stack, example: dict[str, Any]
) -> None:
    items = _items(example, 3)
    # batches other tests accepted and left queued first: the one-time draft fault below
    # is for this batch's first item, not for a leftover's
    work_batches(stack)
    faults = Faults()
    draft = faults.add(
        "s3",
        "PutObject",
        error=lambda: unreachable("s3"),
        when=lambda p: p["Key"].startswith("cases/"),
        times=1,
    )
    seal = faults.add("kms", "Sign", error=lambda: unreachable("kms"))
    # every delivery the last, and no time to retry a step: the first item makes no case
    # (its draft cannot be stored), the others' cases fail at the seal
    with _worker_meeting(stack, faults, queue_max_receives=1, retry_budget_seconds=0):
        batch = _post(
            client, stack, {"procedure": "dang-phi", "organization": ORG, "items": items}
        ).json_body
        work_batches(stack)
    assert draft.hits == 1 and seal.hits >= 2
    failed = _batch(client, stack, batch["id"]).json_body
    assert failed["counts"] == {"queued": 0, "failed": 3}
    assert failed["finished_at"] is not None
    no_case, *with_case = failed["failures"]
    assert "case_id" not in no_case and no_case["errors"][0]["field"] == "items[0]"
    assert all(f["case_id"] and "budget" in f["errors"][0]["problem"] for f in with_case)

    stack.drain_events()
    retried = _retry(client, stack, batch["id"])
    assert retried.status_code == 202, retried.json_body
    assert retried.json_body["retrying"] == 3 and retried.json_body["finished_at"] is None
    work_batches(stack)
    done = _batch(client, stack, batch["id"]).json_body
    assert done["counts"] == {"queued": 0, "archived": 3}
    assert done["failures"] == [] and done["finished_at"] is not None
    progress = _progress(stack.drain_events(), batch["id"])
    assert progress[0]["counts"] == {"total": 3, "queued": 0, "failed": 3}  # reopened
    assert progress[-1]["counts"] == {"total": 3, "queued": 0, "archived": 3}
    # the failed cases were resumed, not made again: each key still names one case
    cases = {f["case_id"] for f in with_case}
    assert len(_numbers(client, stack, items)) == 3
    for item in items[1:]:
        replay = submit(
            client,
            stack,
            {"procedure": "dang-phi", "organization": ORG, "data": item["data"]},
            item["key"],
        )
        assert replay.json_body["id"] in cases and replay.json_body["status"] == "archived"
    assert _retry(client, stack, batch["id"]).status_code == 409  # nothing failed now


def test_a_retry_cut_short_is_finished_by_the_next(
    client: Client, stack: Stack, example: dict[str, Any]
) -> None:
    items = _items(example, 2)
    faults = Faults()
    faults.add(
        "s3",
        "PutObject",
        error=lambda: unreachable("s3"),
        when=lambda p: p["Key"].startswith("cases/"),
    )
    with _worker_meeting(stack, faults, queue_max_receives=1):
        batch = _post(
            client, stack, {"procedure": "dang-phi", "organization": ORG, "items": items}
        ).json_body
        work_batches(stack)
    assert _batch(client, stack, batch["id"]).json_body["counts"] == {"queued": 0, "failed": 2}
    # a worker hands both items back, then cannot queue them (the queue is down)
    faults.add("sqs", "SendMessageBatch", error=lambda: unreachable("sqs"))
    services = stack.wired(faults.make_client)[0]
    retry = batches.QueueMessage(
        "m-1", json.dumps({"kind": "retry", "batch": batch["id"], "start": 0}), 1
    )
    assert batches.work(services, [retry]) == ["m-1"]  # to be delivered again
    faults.clear()
    stuck = _batch(client, stack, batch["id"]).json_body
    assert stuck["counts"] == {"queued": 2}
    assert [f["state"] for f in stuck["failures"]] == ["retrying", "retrying"]
    # the message lost too: the next retry queues them
    retried = _retry(client, stack, batch["id"])
    assert retried.status_code == 202 and retried.json_body["retrying"] == 2
    work_batches(stack)
    done = _batch(client, stack, batch["id"]).json_body
    assert done["counts"] == {"queued": 0, "archived": 2} and done["failures"] == []
    assert _retry(client, stack, batch["id"]).status_code == 409


def test_who_may_retry_a_batch(client: Client, stack: Stack, example: dict[str, Any]) -> None:
    batch = _post(
        client, stack, {"procedure": "dang-phi", "organization": ORG, "items": _items(example, 1)}
    ).json_body
    work_batches(stack)
    assert client.http.post(f"/v1/batches/{batch['id']}/retries").status_code == 401
    for person in ("canbo-badinh", "quan-tri", "luu-tru"):
        assert _retry(client, stack, batch["id"], user=person).status_code == 403
    other = stack.add_person("upstream", ORG, groups=["upstream"])
    assert _retry(client, stack, batch["id"], user=other).status_code == 404
    assert _retry(client, stack, str(uuid.uuid4())).status_code == 404
    nothing = _retry(client, stack, batch["id"])
    assert nothing.status_code == 409, nothing.json_body  # nothing failed


# --- an uploaded batch (JSON lines) ----------------------------------------------------------


def _lines(items: list[Any]) -> bytes:
    return b"".join(json.dumps(item, ensure_ascii=False).encode() + b"\n" for item in items)


def _uploaded(client: Client, stack: Stack, items: list[Any] | bytes, **fields: Any) -> Any:
    """POST /v1/batches naming an upload of ``items`` as JSON lines; its answer, once the
    upload is checked gone (used, whatever the answer)."""
    content = items if isinstance(items, bytes) else _lines(items)
    upload_id = upload(client, stack, content, UPSTREAM, "application/x-ndjson")
    body = {"procedure": "dang-phi", "organization": ORG, "upload_id": upload_id, **fields}
    answer = _post(client, stack, body)
    assert left_of(stack, upload_id) == 0
    return answer


def test_an_uploaded_batch_makes_a_case_per_item_and_its_upload_is_gone(
    client: Client, stack: Stack, example: dict[str, Any]
) -> None:
    items = _items(example, 3)
    items[1]["data"]["amount"] = "hai trăm"
    accepted = _uploaded(client, stack, items)
    assert accepted.status_code == 202, accepted.json_body
    batch = accepted.json_body
    assert batch["source"] == "upload" and batch["total"] == 3
    assert batch["counts"] == {"queued": 3}
    work_batches(stack)
    done = _batch(client, stack, batch["id"]).json_body
    assert done["counts"] == {"queued": 0, "archived": 2, "invalid": 1}
    assert [f["errors"][0]["field"] for f in done["failures"]] == ["items[1].data.amount"]
    assert len(_numbers(client, stack, [items[0], items[2]])) == 2


def test_a_large_upload_is_expanded_by_ranges_each_item_once(
    client: Client, stack: Stack, example: dict[str, Any]
) -> None:
    # 8 KB an item: a 2 MB range ends mid-line, long before its 500 items
    pad = "đ" * 4_000
    items = [
        {"key": f"big-{uuid.uuid4().hex}-{n}", "data": {"n": n, "pad": pad}} for n in range(700)
    ]
    batch = _uploaded(client, stack, items).json_body
    assert batch["total"] == 700
    # the expansions only (not the items: 700 receipts): each queues the items its range
    # holds whole (at most 500), then the rest's expansion
    sqs, url = stack.client("sqs"), stack.outputs["work_queue_url"]
    services = stack.wired()[0]
    queued: list[dict[str, Any]] = []
    expansions = 0
    while True:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        messages = got.get("Messages", [])
        if not messages:
            break
        for message in messages:
            body = json.loads(message["Body"])
            if body["kind"] == "expand":
                expansions += 1
                batches.work(services, [batches.QueueMessage("m", message["Body"], 1)])
            else:
                queued.append(body)
        sqs.delete_message_batch(
            QueueUrl=url,
            Entries=[
                {"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(messages)
            ],
        )
    assert expansions == 3  # 5.6 MB in ranges of 2 MB (500 items a range would be 2)
    assert sorted(m["index"] for m in queued) == list(range(700))
    assert all(m["key"] == items[m["index"]]["key"] for m in queued)


@pytest.mark.parametrize(
    ("content", "fields"),
    [
        (b'{"key": "a", "data": {}}\n{not json\n', ["items[1]"]),
        (b'{"key": "a", "data": {}}\n\n{"key": "b", "data": {}}\n', ["items[1]"]),
        (b'{"key": "a", "data": {}}\n{"key": "a", "data": {}}\n', ["items[1].key"]),
        (b'{"data": {}}\n[1]\n', ["items[0].key", "items[1]"]),
        (b'{"key": "a", "data": 1, "x": 2}\n', ["items[0].x", "items[0].data"]),
        (b'{"key": "a", "data": {"x": "' + b"x" * 70_000 + b'"}}\n', ["items[0]"]),
    ],
    ids=["not json", "an empty line", "a key twice", "no key, not an object", "bad item", "long"],
)
def test_an_upload_whose_items_are_wrong_is_refused_naming_each_line(
    client: Client, stack: Stack, content: bytes, fields: list[str]
) -> None:
    refused = _uploaded(client, stack, content)
    assert refused.status_code == 422, refused.json_body
    assert [d["field"] for d in refused.json_body["error"]["details"]] == fields


def test_an_upload_named_wrong_is_refused(
    client: Client, stack: Stack, example: dict[str, Any]
) -> None:
    never = _post(
        client,
        stack,
        {"procedure": "dang-phi", "organization": ORG, "upload_id": uuid.uuid4().hex},
    )
    assert never.status_code == 422
    assert [d["field"] for d in never.json_body["error"]["details"]] == ["upload_id"]
    content = _lines(_items(example, 1))
    theirs = upload(client, stack, content, "luu-tru", "application/x-ndjson")
    stolen = _post(
        client, stack, {"procedure": "dang-phi", "organization": ORG, "upload_id": theirs}
    )
    assert stolen.status_code == 422  # another caller's upload is not found
    both = _post(
        client,
        stack,
        {
            "procedure": "dang-phi",
            "organization": ORG,
            "upload_id": theirs,
            "items": _items(example, 1),
        },
    )
    assert [d["field"] for d in both.json_body["error"]["details"]] == ["upload_id"]


def test_an_upload_of_more_than_100000_items_is_refused(client: Client, stack: Stack) -> None:
    content = b"".join(b'{"key": "k%d", "data": {}}\n' % n for n in range(100_001))
    refused = _uploaded(client, stack, content)
    assert refused.status_code == 422
    assert refused.json_body["error"]["details"][-1]["field"] == "upload_id"


def test_an_uploaded_all_or_nothing_batch_with_an_invalid_item_makes_no_case(
    client: Client, stack: Stack, example: dict[str, Any]
) -> None:
    items = _items(example, 3)
    items[2]["data"]["amount"] = -5
    accepted = _uploaded(client, stack, items, all_or_nothing=True)
    assert accepted.status_code == 202, accepted.json_body
    stack.drain_events()
    work_batches(stack)
    done = _batch(client, stack, accepted.json_body["id"]).json_body
    assert done["counts"] == {"queued": 0, "invalid": 1, "skipped": 2}
    assert done["finished_at"] is not None
    assert [f["errors"][0]["field"] for f in done["failures"]] == ["items[2].data.amount"]
    progress = _progress(stack.drain_events(), accepted.json_body["id"])
    assert progress[-1]["counts"] == {"total": 3, "queued": 0, "invalid": 1, "skipped": 2}
    _no_case_made(client, stack, items[0])


def test_an_upload_outlives_an_outage_and_the_same_request_again_makes_the_batch(
    client: Client, stack: Stack, example: dict[str, Any]
) -> None:
    items = _items(example, 1)
    upload_id = upload(client, stack, _lines(items), UPSTREAM, "application/x-ndjson")
    body = {"procedure": "dang-phi", "organization": ORG, "upload_id": upload_id}
    faults = Faults()
    faults.add(
        "dynamodb",
        "TransactWriteItems",
        error=lambda: unreachable("dynamodb"),
        when=lambda p: "BATCH#" in json.dumps(p["TransactItems"][0]),
        times=1,
    )
    key = f"upload-outage-{uuid.uuid4()}"
    with _worker_meeting(stack, faults):
        refused = _post(client, stack, body, key=key)
    assert refused.status_code == 503, refused.json_body
    assert left_of(stack, upload_id) == 1  # kept for the same request again
    accepted = _post(client, stack, body, key=key)
    assert accepted.status_code == 202 and accepted.json_body["total"] == 1
    assert left_of(stack, upload_id) == 0
