"""Faults injected into real AWS clients through botocore's event hooks: errors, outages,
throttling and crashes at a chosen call; and a record of the calls that went through."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError, EndpointConnectionError

from functions.settings import Settings
from tests.calls import CALLS

Params = dict[str, Any]


class Crash(BaseException):
    """The process dies here: a BaseException, so nothing of ours can catch it."""


def throttled(operation: str) -> Exception:
    """What botocore raises once its retries of a throttled call are spent."""
    return ClientError(
        {"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"}}, operation
    )


def unreachable(service: str) -> Exception:
    """What botocore raises when the service's endpoint does not answer."""
    return EndpointConnectionError(endpoint_url=f"https://{service}.ap-southeast-1.amazonaws.com")


@dataclass
class Fault:
    """One injected fault: on ``service``'s ``operation`` when ``when(params)`` holds, raise
    what ``error()`` returns before the call (or after it, ``after``); ``error`` may also
    just hold the call back and return None. ``times`` hits (None: always)."""

    service: str
    operation: str
    when: Callable[[Params], bool]
    error: Callable[[], BaseException | None]
    after: bool = False
    times: int | None = None
    hits: int = 0

    def matches(self, service: str, operation: str, params: Params) -> bool:
        return (
            (self.service, self.operation) == (service, operation)
            and (self.times is None or self.hits < self.times)
            and self.when(params)
        )


@dataclass
class Faults:
    """Hooks on every client made by ``make_client``: the faults to inject, and each call
    that succeeded, as (service, operation, params)."""

    faults: list[Fault] = field(default_factory=list)
    succeeded: list[tuple[str, str, Params]] = field(default_factory=list)

    def make_client(self, settings: Settings, service: str) -> Any:
        client = CALLS.make_client(settings, service)  # recorded for the permissions test
        client.meta.events.register("before-parameter-build", self._before)
        client.meta.events.register("after-call", self._after)
        return client

    def add(
        self,
        service: str,
        operation: str,
        error: Callable[[], BaseException | None] = Crash,
        when: Callable[[Params], bool] = lambda _: True,
        after: bool = False,
        times: int | None = None,
    ) -> Fault:
        fault = Fault(service, operation, when, error, after, times)
        self.faults.append(fault)
        return fault

    def clear(self) -> None:
        self.faults.clear()

    def _before(self, model: Any, params: Params, context: dict[str, Any], **_: Any) -> None:
        """Before the request is built: ``params`` are the call's own arguments."""
        service, operation = model.service_model.service_name, model.name
        context["hoso_call"] = (service, operation, dict(params))
        for fault in self.faults:
            if fault.matches(service, operation, params):
                fault.hits += 1
                if fault.after:
                    context["hoso_crash_after"] = fault
                    continue
                if (problem := fault.error()) is not None:
                    raise problem

    def _after(self, http_response: Any, context: dict[str, Any], **_: Any) -> None:
        if http_response.status_code < 300 and "hoso_call" in context:
            self.succeeded.append(context["hoso_call"])
        fault = context.pop("hoso_crash_after", None)
        if fault is not None and (problem := fault.error()) is not None:
            raise problem

    def calls(self, service: str, operation: str) -> list[Params]:
        """The params of each successful call of ``service``'s ``operation``, in order."""
        return [p for s, o, p in self.succeeded if (s, o) == (service, operation)]

    def published(self, case_id: str) -> list[dict[str, Any]]:
        """The events of ``case_id`` that EventBridge took, in the order it took them."""
        details = [
            json.loads(entry["Detail"])
            for params in self.calls("events", "PutEvents")
            for entry in params["Entries"]
        ]
        return [d for d in details if d.get("case_id") == case_id]
