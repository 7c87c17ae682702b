"""The work queue (SQS): batch items and their expansion, sent ten messages a call."""

from __future__ import annotations

import json
from typing import Any

from cloud.errors import aws_errors
from functions.errors import Unavailable

MESSAGES_PER_CALL = 10  # SendMessageBatch takes at most 10 entries


class WorkQueue:
    """Sends JSON messages to one queue; the worker function (app.batch_worker) takes them."""

    def __init__(self, client: Any, queue_url: str) -> None:
        self._sqs = client
        self._url = queue_url

    def send(self, messages: list[dict[str, Any]]) -> None:
        """Send every message, ten a call; an entry SQS refuses is sent once more, then
        Unavailable (what went out already is harmless to send again: the worker's
        handling of each message is idempotent)."""
        for start in range(0, len(messages), MESSAGES_PER_CALL):
            entries = [
                {"Id": str(number), "MessageBody": json.dumps(message, ensure_ascii=False)}
                for number, message in enumerate(messages[start : start + MESSAGES_PER_CALL])
            ]
            for _attempt in range(2):
                with aws_errors("the work queue"):
                    response = self._sqs.send_message_batch(QueueUrl=self._url, Entries=entries)
                failed = {entry["Id"] for entry in response.get("Failed", [])}
                entries = [entry for entry in entries if entry["Id"] in failed]
                if not entries:
                    break
            if entries:
                raise Unavailable("the work queue did not take every message")
