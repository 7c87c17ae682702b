"""Lambda's SQS event source mapping, played on the local stack: the work queue's messages, ten
at a time, handed to ``app.batch_worker`` as Lambda hands them; what it does not report as
failed is deleted, the rest comes back once its visibility timeout passes.

    python -m infra.poller          (with the stage's environment; `make run` starts one)
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

log = logging.getLogger("hoso.poller")
Handler = Callable[[dict[str, Any], Any], Any]
VISIBILITY_SECONDS = 30  # locally: ten items take well under this


def poll_once(
    sqs: Any,
    queue_url: str,
    handler: Handler,
    visibility_seconds: int = VISIBILITY_SECONDS,
    wait_seconds: int = 1,
    batch_size: int = 10,
) -> int:
    """One receive, one call of ``handler``, one delete; how many messages it handled."""
    response = sqs.receive_message(
        QueueUrl=queue_url,
        MaxNumberOfMessages=batch_size,
        WaitTimeSeconds=wait_seconds,
        VisibilityTimeout=visibility_seconds,
        MessageSystemAttributeNames=["All"],
    )
    messages = response.get("Messages", [])
    if not messages:
        return 0
    event = {
        "Records": [
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message["Body"],
                "attributes": message.get("Attributes", {}),
                "messageAttributes": {},
                "md5OfBody": message.get("MD5OfBody", ""),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_url,
            }
            for message in messages
        ]
    }
    context = SimpleNamespace(aws_request_id=f"local-poller-{time.time_ns()}")
    result = handler(event, context) or {}
    again = {failure["itemIdentifier"] for failure in result.get("batchItemFailures", [])}
    done = [message for message in messages if message["MessageId"] not in again]
    if done:
        sqs.delete_message_batch(
            QueueUrl=queue_url,
            Entries=[
                {"Id": str(number), "ReceiptHandle": message["ReceiptHandle"]}
                for number, message in enumerate(done)
            ],
        )
    return len(messages)


def drain(sqs: Any, queue_url: str, handler: Handler, idle_polls: int = 2, **options: Any) -> int:
    """Handle messages until the queue has given none ``idle_polls`` times in a row; how many."""
    handled, idle = 0, 0
    while idle < idle_polls:
        count = poll_once(sqs, queue_url, handler, **options)
        handled += count
        idle = 0 if count else idle + 1
    return handled


def poll_forever(sqs: Any, queue_url: str, handler: Handler, **options: Any) -> None:
    """What the event source mapping does in AWS, until the process ends."""
    while True:
        try:
            poll_once(sqs, queue_url, handler, wait_seconds=5, **options)
        except Exception:
            log.exception("the local poller failed; it polls again in 5 s")
            time.sleep(5)


def serve(visibility_seconds: int = VISIBILITY_SECONDS, batch_size: int = 10) -> None:
    """The app's batch worker over the stage's work queue, with the app's wiring, until the
    process ends (`make run`'s thread, this module's command, the tests' worker process)."""
    import app as hoso_app  # once the stage's environment is set (and the wiring, if any)
    from cloud.bootstrap import boto_client

    services = hoso_app.wired()[0]
    poll_forever(
        boto_client(services.settings, "sqs"),
        services.settings.work_queue_url,
        hoso_app.batch_worker,
        visibility_seconds=visibility_seconds,
        batch_size=batch_size,
    )


def main() -> None:
    serve(
        int(os.environ.get("HOSO_POLLER_VISIBILITY_SECONDS", str(VISIBILITY_SECONDS))),
        int(os.environ.get("HOSO_POLLER_BATCH_SIZE", "10")),
    )


if __name__ == "__main__":
    main()
