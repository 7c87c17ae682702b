"""What the code did during a test run: its AWS calls and its log lines.

Every AWS call is recorded through botocore's hooks on the clients that cloud/ is given
(presigned URLs too), for the permissions test; every log line, for the personal-data
test."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from cloud.bootstrap import boto_client
from functions import telemetry
from functions.settings import Settings


@dataclass(frozen=True)
class Call:
    """One AWS operation as the code asked for it: service, operation and parameters."""

    service: str
    operation: str
    params: dict[str, Any]


@dataclass
class CallLog:
    """The calls of every client made by ``make_client``, in order."""

    calls: list[Call] = field(default_factory=list)

    def make_client(self, settings: Settings, service: str) -> Any:
        client = boto_client(settings, service)
        self.watch(client)
        return client

    def watch(self, client: Any) -> None:
        client.meta.events.register("before-parameter-build", self._record)

    def _record(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        # before the request is built: presigned URLs pass here too, and calls a fault
        # stops still needed their permission
        self.calls.append(Call(model.service_model.service_name, model.name, dict(params)))


CALLS = CallLog()  # the whole test session's


class LogLines(logging.Handler):
    """Every line the platform logs during a test run, as it goes out (JSON)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))

    def attach(self) -> None:
        """On every logger the platform writes through (functions/telemetry.py)."""
        self.setFormatter(telemetry.logger.registered_formatter)
        for name in (*telemetry.PLATFORM_LOGGERS, telemetry.logger.name):
            logging.getLogger(name).addHandler(self)


LOGS = LogLines()  # the whole test session's
