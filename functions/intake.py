"""Intake: validate a submitted case, number it, render its document, store it, emit events."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any

from functions.access import Principal
from functions.errors import Conflict, Invalid, Malformed, Problem
from functions.model import AWAITING_SIGNATURE, STEP_PENDING, SUBMITTED, Case, Document, Step
from functions.publish import publish_events
from functions.services import Services
from functions.text import normalize
from templates.catalogue import Procedure
from templates.renderer import render_pdf

VIETNAM = dt.timezone(dt.timedelta(hours=7), "ICT")
MAX_IDEMPOTENCY_KEY = 128


@dataclass(frozen=True)
class Submission:
    """The outcome of a submission: the case, and whether this request created it."""

    case: Case
    created: bool


def submit_case(
    services: Services, principal: Principal, body: Any, idempotency_key: str | None
) -> Submission:
    """Create a case from ``{"procedure", "organization", "data"}``; idempotent per key."""
    principal.require("upstream")
    key = _idempotency_key(idempotency_key)
    procedure, organization, data = _validate(services, body)
    request_hash = _request_hash(procedure.code, organization["code"], data)

    replay = _replay(services, principal, key, request_hash)
    if replay is not None:
        return Submission(replay, created=False)

    case = _new_case(services, principal, procedure, organization, data)
    at = services.clock().isoformat(timespec="seconds")
    submitted = [case.advance(SUBMITTED, at), case.advance(AWAITING_SIGNATURE, at)]
    if not services.cases.create_case(case, submitted, (principal.subject, key, request_hash)):
        services.documents.delete_working(case.document.key)
        replay = _replay(services, principal, key, request_hash)
        if replay is None:
            raise Conflict("the case could not be stored; try again")
        return Submission(replay, created=False)
    publish_events(services, submitted)
    return Submission(case, created=True)


def _idempotency_key(value: str | None) -> str:
    key = (value or "").strip()
    if not key:
        raise Malformed(
            "the Idempotency-Key header is required",
            [Problem("headers.Idempotency-Key", "missing")],
        )
    if len(key) > MAX_IDEMPOTENCY_KEY or not key.isprintable():
        raise Malformed(
            "the Idempotency-Key header is not usable",
            [
                Problem(
                    "headers.Idempotency-Key", f"at most {MAX_IDEMPOTENCY_KEY} printable characters"
                )
            ],
        )
    return key


def _validate(services: Services, body: Any) -> tuple[Procedure, dict[str, Any], dict[str, Any]]:
    if not isinstance(body, dict):
        raise Malformed("the body must be a JSON object", [Problem("body", "not a JSON object")])
    problems: list[Problem] = []
    body = normalize(body, "body", problems)
    problems = [Problem(p.field.removeprefix("body."), p.problem) for p in problems]
    for name in ("procedure", "organization"):
        if not isinstance(body.get(name), str) or not body.get(name):
            problems.append(Problem(name, "required, a non-empty string"))
    if not isinstance(body.get("data"), dict):
        problems.append(Problem("data", "required, a JSON object"))
    unknown = sorted(set(body) - {"procedure", "organization", "data"})
    problems.extend(Problem(name, "unknown field") for name in unknown)
    if problems:
        raise Invalid("the case is not valid", problems)

    procedure = services.catalogue.get(body["procedure"])
    if procedure is None:
        raise Invalid(
            "unknown procedure", [Problem("procedure", f"no procedure {body['procedure']!r}")]
        )
    organization = services.cases.get_organization(body["organization"])
    if organization is None:
        raise Invalid(
            "unknown organization",
            [Problem("organization", f"no organization {body['organization']!r}")],
        )
    errors = procedure.schema_errors(body["data"])
    if errors:
        raise Invalid(
            "the case data does not match the procedure's schema",
            [Problem(path, message) for path, message in errors],
        )
    return procedure, organization, body["data"]


def _request_hash(procedure: str, organization: str, data: dict[str, Any]) -> str:
    canonical = json.dumps(
        {"procedure": procedure, "organization": organization, "data": data},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _replay(services: Services, principal: Principal, key: str, request_hash: str) -> Case | None:
    entry = services.cases.get_idempotency(principal.subject, key)
    if entry is None:
        return None
    if entry["request_hash"] != request_hash:
        raise Conflict(
            "this Idempotency-Key was used with another request body",
            [Problem("headers.Idempotency-Key", "already used with a different body")],
        )
    return services.cases.get_case(entry["case_id"])


def _new_case(
    services: Services,
    principal: Principal,
    procedure: Procedure,
    organization: dict[str, Any],
    data: dict[str, Any],
) -> Case:
    now = services.clock()
    serial = services.cases.next_number(organization["code"], procedure.number_symbol)
    number = f"{serial}-{procedure.number_symbol}/{organization['symbol']}"
    rendered = render_pdf(
        procedure,
        {
            "data": data,
            "organization": organization,
            "number": number,
            "issued_on": now.astimezone(VIETNAM).date(),
            "signatory": organization["signatory"],
        },
    )
    case_id = str(uuid.uuid4())
    key = f"cases/{case_id}/v1.pdf"
    services.documents.put_working(key, rendered.pdf)
    steps = [
        Step(
            index=i,
            role=s.role,
            organization=organization["code"] if s.organization == "issuer" else s.organization,
            title=s.title,
            status=STEP_PENDING if i == 0 else "waiting",
        )
        for i, s in enumerate(procedure.steps)
    ]
    return Case(
        id=case_id,
        procedure=procedure.code,
        procedure_version=procedure.version,
        organization=organization["code"],
        submitted_by=principal.subject,
        created_at=now.isoformat(timespec="seconds"),
        data=data,
        number=number,
        steps=steps,
        document=Document(
            key=key,
            sha256=hashlib.sha256(rendered.pdf).hexdigest(),
            pages=rendered.pages,
            size=len(rendered.pdf),
        ),
    )
