"""What the local stack changes in moto: the costs that grow with everything it holds, and
the races DynamoDB never has; never what it answers.

moto is an emulator written for tests of a few objects, and a local stack holds thousands:
a cost per call that grows with the bucket, the table or the queue makes a batch of N
receipts cost N² (a 200-item batch took four minutes, most of it in the places below).
Each change below keeps moto's answers as they were and is applied once, before the
server's first request. None of this exists in AWS, where these calls cost the same at any
size; bench/RESULTS.md says which figures are moto's.
"""

from __future__ import annotations

import copy
import functools
import threading
import time
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

import jsonpath_ng.ext
import moto.dynamodb.models
import moto.dynamodb.responses
import moto.s3.models
import moto.s3.utils
import moto.sqs.models
from moto.core.model_instances import model_data
from moto.core.utils import unix_time
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.models.table import Table

_applied = False
_listing = threading.local()  # the prefix this thread's ListObjectVersions asks for


class _NotKept(list[Any]):
    """A list that keeps nothing: what moto's models track their instances in, here."""

    def append(self, item: Any) -> None:
        return


def _keep_no_model_instances() -> None:
    """moto keeps every model object it ever made, for its dashboard and its reset
    (``BaseModel.instances_tracked``), copies included: a local stack grew by about 11 MB a
    receipt, and a test run by 24 GB until the OOM killer ended it. The local stack uses
    neither, so S3's and DynamoDB's models (the ones copied) keep none."""
    for service in (moto.s3.models.__name__, moto.dynamodb.models.__name__):
        for model in model_data[service.split(".")[1]].values():
            model.instances_tracked = _NotKept()  # type: ignore[attr-defined]


def _list_versions_under_prefix() -> None:
    """ListObjectVersions deep-copies every version of every object in the bucket (body
    included) before it looks at the prefix, so that listing one case's drafts cost as
    much as the whole archive. Here it sees only the keys under the prefix asked for, which
    is all its answer is made of."""
    original_listing = moto.s3.models.S3Backend.list_object_versions
    store = moto.s3.utils._VersionedKeyStore
    original_lists = store._iterlists

    def lists_under_prefix(self: Any) -> Iterator[tuple[str, list[Any]]]:
        prefix = getattr(_listing, "prefix", "")
        for key, versions in original_lists(self):
            if key.startswith(prefix):
                yield key, versions

    def list_object_versions(self: Any, bucket_name: str, *args: Any, **kwargs: Any) -> Any:
        _listing.prefix = kwargs.get("prefix") or ""
        try:
            return original_listing(self, bucket_name, *args, **kwargs)
        finally:
            _listing.prefix = ""

    store.lists = store.iterlists = lists_under_prefix
    moto.s3.models.S3Backend.list_object_versions = list_object_versions  # type: ignore[method-assign]


def _transactions_keep_their_items_only() -> None:
    """TransactWriteItems deep-copies the whole table once per item of the transaction, to
    put it back if a condition fails: 10 ms at 1,000 items, 273 ms at 20,000, four times a
    receipt. Here it keeps a copy of the items it touches only, and puts those back."""
    original = moto.dynamodb.models.DynamoDBBackend.transact_write_items
    copying = threading.local()

    def deepcopy(value: Any, memo: Any = None) -> Any:
        if getattr(copying, "skip_tables", False) and isinstance(value, Table):
            return value  # moto's own copy, made for a rollback done here instead
        return copy.deepcopy(value, memo)

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        kept = [_item_before(self, entry) for entry in transact_items]
        copying.skip_tables = True
        try:
            original(self, transact_items)
        except BaseException:
            for table, hash_key, range_key, before in reversed([k for k in kept if k]):
                _put_back(table, hash_key, range_key, before)
            raise
        finally:
            copying.skip_tables = False

    moto.dynamodb.models.copy = SimpleNamespace(deepcopy=deepcopy)  # type: ignore[assignment]
    moto.dynamodb.models.DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]


def _item_before(
    backend: Any, entry: dict[str, Any]
) -> tuple[Table, DynamoType, DynamoType | None, Any] | None:
    """The table, key and a copy of the item one action of a transaction is about."""
    ((_, action),) = entry.items()
    table = backend.tables.get(action.get("TableName"))
    if table is None:
        return None  # moto answers for it
    key = action.get("Key") or action.get("Item") or {}
    if table.hash_key_attr not in key:
        return None
    hash_key = DynamoType(key[table.hash_key_attr])
    range_key = None
    if table.range_key_attr:
        if table.range_key_attr not in key:
            return None
        range_key = DynamoType(key[table.range_key_attr])
    return table, hash_key, range_key, copy.deepcopy(table.get_item(hash_key, range_key))


def _put_back(table: Table, hash_key: DynamoType, range_key: DynamoType | None, item: Any) -> None:
    items = table.items[hash_key] if range_key is not None else table.items
    slot = range_key if range_key is not None else hash_key
    if item is None:
        items.pop(slot, None)
    else:
        items[slot] = item


def _receive_without_counting_the_queue() -> None:
    """ReceiveMessage checks each message's retention by computing all the queue's
    attributes, message counts included: O(messages) per message, so O(N²) a receive on a
    queue of N. Here it reads the retention period alone."""

    def retained(self: Any, queue_name: str, message: Any) -> bool:
        period = int(self.get_queue(queue_name).message_retention_period)
        return bool(period + message.sent_timestamp / 1000 > unix_time())

    moto.sqs.models.SQSBackend.is_message_valid_based_on_retention_period = retained  # type: ignore[method-assign]


COUNTING_SHARE = 0.01  # of the server's time, at most, spent counting a queue's messages


def _count_a_queue_now_and_then() -> None:
    """Every SendMessage (and every event a rule sends to a queue) computes all the queue's
    attributes to read one flag, and with them its approximate message counts: a pass over
    every message it holds, four clock readings each. The events queue of a local stack
    holds every event nobody read: at 38,000 (a 10,000-item batch), counting it took most of
    the server's time and the batch slowed from 1.4 to 0.1 receipts/s. Here a count is kept
    for at least a second, and for a hundred times as long as it took to make, so counting
    takes at most 1% of the server's time at any size: approximate, as SQS says they are."""
    queue_class = moto.sqs.models.Queue
    for name in (
        "approximate_number_of_messages",
        "approximate_number_of_messages_delayed",
        "approximate_number_of_messages_not_visible",
    ):
        setattr(
            queue_class,
            name,
            property(counted_now_and_then(name, getattr(queue_class, name).fget)),
        )


def counted_now_and_then(name: str, count: Callable[[Any], int]) -> Callable[[Any], int]:
    """``count`` of a queue, made again only once the last one is older than a second and
    than the time it took divided by COUNTING_SHARE; kept on the queue under ``name``."""

    def counted(queue: Any) -> int:
        now = time.monotonic()
        kept = queue.__dict__.setdefault("_hoso_counts", {})
        if name in kept:
            made_at, took, value = kept[name]
            if now - made_at < max(1.0, took / COUNTING_SHARE):
                return int(value)
        value = count(queue)
        kept[name] = (now, time.monotonic() - now, value)
        return int(value)

    return counted


def _parse_each_event_path_once() -> None:
    """A rule's target turns each event through moto's input template, which builds a new
    JSONPath parser (ply) for each of its eight paths, for every event. Here each path is
    parsed once; a parsed path is only read."""
    jsonpath_ng.ext.parse = functools.lru_cache(maxsize=256)(jsonpath_ng.ext.parse)


_DYNAMODB_CALLS = (
    "put_item",
    "get_item",
    "query",
    "scan",
    "update_item",
    "delete_item",
    "transact_write_items",
    "transact_get_items",
    "batch_get_item",
    "batch_write_item",
)


def _dynamodb_one_call_at_a_time() -> None:
    """DynamoDB makes each write atomic: an UpdateItem's ADD, a conditional put, a
    transaction. moto's server answers each request in a thread of its own and reads, checks
    and writes without a lock, so under load two first ADDs on a new counter both started
    from nothing and both answered 1 (two cases numbered 1 in test_numbering, while the
    machine was busy). Here one DynamoDB call runs at a time, each whole, as DynamoDB
    guarantees; moto is bound to one core by the GIL anyway. This one changes no answer but
    a racing one, which AWS never gives."""
    lock = threading.RLock()  # a batch write calls put_item and delete_item itself
    # the request handler, not only the backend: UpdateItem's answer ("UPDATED_NEW") is read
    # from the item after the write, and another thread's write came in between
    for model in (moto.dynamodb.models.DynamoDBBackend, moto.dynamodb.responses.DynamoHandler):
        for name in _DYNAMODB_CALLS:
            setattr(model, name, _holding(lock, getattr(model, name)))


def _holding(lock: threading.RLock, call: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(call)
    def held(*args: Any, **kwargs: Any) -> Any:
        with lock:
            return call(*args, **kwargs)

    return held


FIXES: tuple[Callable[[], None], ...] = (
    _keep_no_model_instances,
    _list_versions_under_prefix,
    _transactions_keep_their_items_only,
    _dynamodb_one_call_at_a_time,  # after the line above: it holds the changed transaction
    _receive_without_counting_the_queue,
    _count_a_queue_now_and_then,
    _parse_each_event_path_once,
)


def tame_moto() -> None:
    """Apply every change above, once per process."""
    global _applied
    if not _applied:
        for fix in FIXES:
            fix()
        _applied = True
