"""The local stack's changes to moto (infra/emulator.py) keep its answers: a transaction
whose condition fails changes nothing, a listing under a prefix finds every version and
delete marker there and nothing else, a queue gives its messages as before, and parallel
writes are each whole, as DynamoDB makes them."""

from __future__ import annotations

import sys
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import Stack


@pytest.fixture(scope="module")
def table(stack: Stack) -> str:
    name = f"emulator-{uuid.uuid4().hex[:8]}"
    db = stack.client("dynamodb")
    db.create_table(
        TableName=name,
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    return name


def _item(db: Any, table: str, sk: str) -> dict[str, Any] | None:
    found = db.get_item(TableName=table, Key={"pk": {"S": "p"}, "sk": {"S": sk}})
    return found.get("Item")


def test_a_transaction_whose_last_condition_fails_changes_nothing(stack: Stack, table: str) -> None:
    db = stack.client("dynamodb")
    db.put_item(TableName=table, Item={"pk": {"S": "p"}, "sk": {"S": "a"}, "n": {"N": "1"}})
    db.put_item(TableName=table, Item={"pk": {"S": "p"}, "sk": {"S": "b"}})
    with pytest.raises(ClientError) as refused:
        db.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": table, "Item": {"pk": {"S": "p"}, "sk": {"S": "new"}}}},
                {
                    "Update": {
                        "TableName": table,
                        "Key": {"pk": {"S": "p"}, "sk": {"S": "a"}},
                        "UpdateExpression": "ADD n :one",
                        "ExpressionAttributeValues": {":one": {"N": "1"}},
                    }
                },
                {
                    "Put": {
                        "TableName": table,
                        "Item": {"pk": {"S": "p"}, "sk": {"S": "b"}, "n": {"N": "9"}},
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
            ]
        )
    assert refused.value.response["Error"]["Code"] == "TransactionCanceledException"
    assert _item(db, table, "new") is None
    assert _item(db, table, "a") == {"pk": {"S": "p"}, "sk": {"S": "a"}, "n": {"N": "1"}}
    assert _item(db, table, "b") == {"pk": {"S": "p"}, "sk": {"S": "b"}}
    # and one whose conditions hold changes everything it names
    db.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": table, "Item": {"pk": {"S": "p"}, "sk": {"S": "new"}}}},
            {"Delete": {"TableName": table, "Key": {"pk": {"S": "p"}, "sk": {"S": "a"}}}},
        ]
    )
    assert _item(db, table, "new") is not None and _item(db, table, "a") is None


def test_a_listing_under_a_prefix_finds_its_versions_and_delete_markers_only(
    stack: Stack,
) -> None:
    s3 = stack.client("s3")
    bucket = f"emulator-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(
        Bucket=bucket,
        CreateBucketConfiguration={"LocationConstraint": stack.outputs["region"]},
    )
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    for key in ("a/1", "a/1", "a/2", "b/1", "a"):
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    s3.delete_object(Bucket=bucket, Key="a/2")
    listed = s3.list_object_versions(Bucket=bucket, Prefix="a/")
    assert sorted(v["Key"] for v in listed["Versions"]) == ["a/1", "a/1", "a/2"]
    assert [m["Key"] for m in listed["DeleteMarkers"]] == ["a/2"]
    assert sum(v["IsLatest"] for v in listed["Versions"]) == 1  # a/1's newest; a/2 deleted
    everything = s3.list_object_versions(Bucket=bucket)
    assert len(everything["Versions"]) == 5
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 3  # listings without versions too


def test_a_queue_gives_its_messages(stack: Stack) -> None:
    sqs = stack.client("sqs")
    url = sqs.create_queue(QueueName=f"emulator-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    sqs.send_message_batch(
        QueueUrl=url, Entries=[{"Id": str(n), "MessageBody": str(n)} for n in range(5)]
    )
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert sorted(m["Body"] for m in got) == ["0", "1", "2", "3", "4"]


def test_parallel_adds_to_a_new_counter_each_get_their_own_number(stack: Stack, table: str) -> None:
    # DynamoDB makes an UpdateItem's ADD atomic; moto's threads did not (two cases got the
    # number 1 while the machine was busy). A short switch interval makes threads interleave
    # as a busy machine does: without the lock, rounds here came back with a number twice.
    db = stack.client("dynamodb")
    rounds, threads = 20, 16

    def add(counter: str) -> int:
        answer = db.update_item(
            TableName=table,
            Key={"pk": {"S": counter}, "sk": {"S": "n"}},
            UpdateExpression="ADD #n :one",
            ExpressionAttributeNames={"#n": "n"},
            ExpressionAttributeValues={":one": {"N": "1"}},
            ReturnValues="UPDATED_NEW",
        )
        return int(answer["Attributes"]["n"]["N"])

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            for _ in range(rounds):
                counter = f"counter-{uuid.uuid4().hex}"
                got = sorted(pool.map(add, [counter] * threads))
                assert got == list(range(1, threads + 1)), got
    finally:
        sys.setswitchinterval(interval)
