"""Every AWS call the code makes during a test run, recorded through botocore's hooks on the
clients that cloud/ is given (presigned URLs too), for the permissions test."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cloud.bootstrap import boto_client
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
