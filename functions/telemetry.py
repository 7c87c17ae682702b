"""Structured JSON logs and CloudWatch metrics (EMF), through Powertools for AWS Lambda.

What goes out: ids, routes, statuses, counts and durations, never case data."""

from __future__ import annotations

import logging

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

SERVICE = "hoso"
NAMESPACE = "hoso"
PLATFORM_LOGGERS = ("functions", "cloud", "signing", "infra")  # their children write through

# the figures operators watch (infra/template.yaml's alarms read some of them)
CASES_SUBMITTED = "CasesSubmitted"
SIGNATURES = "Signatures"
SEALS = "Seals"
CASE_FAILURES = "CaseFailures"
SIGNING_SERVICE_ERRORS = "SigningServiceErrors"  # the TSA or OCSP did not answer
REQUEST_DURATION = "RequestDuration"
SEAL_DURATION = "SealDuration"
OUTBOX_AGE = "OutboxOldestEventAge"  # seconds the oldest unpublished event has waited

logger = Logger(service=SERVICE)
_metrics = Metrics(namespace=NAMESPACE, service=SERVICE)


def configure() -> None:
    """Every platform logger (and its children) writes JSON lines through ``logger``."""
    for name in PLATFORM_LOGGERS:
        platform = logging.getLogger(name)
        if logger.registered_handler not in platform.handlers:
            platform.addHandler(logger.registered_handler)
        platform.setLevel(logging.INFO)
        platform.propagate = False


def count(metric: str, value: int = 1) -> None:
    _metrics.add_metric(name=metric, unit=MetricUnit.Count, value=value)


def milliseconds(metric: str, value: float) -> None:
    _metrics.add_metric(name=metric, unit=MetricUnit.Milliseconds, value=round(value, 1))


def seconds(metric: str, value: float) -> None:
    _metrics.add_metric(name=metric, unit=MetricUnit.Seconds, value=round(value, 1))


def flush() -> None:
    """Write the metrics recorded since the last flush (one EMF line), if any."""
    if _metrics.metric_set:
        _metrics.flush_metrics()
