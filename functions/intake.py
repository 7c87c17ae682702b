"""Intake: validate a submitted case, number it, render its document, store it, emit events."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any

from functions import telemetry
from functions.access import Principal
from functions.automatic import continue_case
from functions.errors import Conflict, Invalid, Malformed, Problem
from functions.model import (
    AWAITING_SIGNATURE,
    ROLE_SEAL,
    STEP_PENDING,
    STEP_WAITING,
    SUBMITTED,
    VIETNAM,
    Case,
    Document,
    Step,
)
from functions.publish import publish_events
from functions.schedule import iso, schedule
from functions.services import Services
from functions.sign import discard_working
from functions.text import normalize
from templates.catalogue import Procedure

MAX_IDEMPOTENCY_KEY = 128


@dataclass(frozen=True)
class Submission:
    """The outcome of a submission: the case, and whether this request created it."""

    case: Case
    created: bool


def submit_case(
    services: Services, principal: Principal, body: Any, idempotency_key: str | None
) -> Submission:
    """Create a case from ``{"procedure", "organization", "data"}``; idempotent per key.

    A procedure whose only step is the organisation seal (dang-phi) is sealed and archived
    in the same call; if sealing cannot run now, the case is stored awaiting the seal and
    the sweep seals it later. Once the case is stored the answer is the case as stored.
    """
    principal.require("upstream")
    key = idempotency_key_from(idempotency_key)
    procedure, organization, data, warnings = _validate(services, body)
    targets = step_organizations(services, procedure, organization)
    request_hash = _request_hash(procedure.code, organization["code"], data)

    replay = _replay(services, principal, key, request_hash)
    if replay is not None:
        return Submission(replay, created=False)

    case = _new_case(services, principal, procedure, organization, targets, data)
    case.warnings = [w.as_dict() for w in warnings]
    now = services.clock()
    submitted = [case.advance(SUBMITTED, iso(now)), case.advance(AWAITING_SIGNATURE, iso(now))]
    schedule(case, services.settings, now)
    if not services.cases.create_case(case, submitted, (principal.subject, key, request_hash)):
        discard_working(services, case.document.key)
        replay = _replay(services, principal, key, request_hash)
        if replay is None:
            raise Conflict("the case could not be stored; try again")
        return Submission(replay, created=False)
    telemetry.count(telemetry.CASES_SUBMITTED)
    publish_events(services, submitted)
    return Submission(continue_case(services, case), created=True)


def usable_key(key: str) -> bool:
    """Whether ``key`` may be an idempotency key: a batch item's ``key`` is one."""
    return bool(key.strip()) and len(key.strip()) <= MAX_IDEMPOTENCY_KEY and key.isprintable()


def idempotency_key_from(value: str | None) -> str:
    """The key of an Idempotency-Key header (a batch's too); Malformed if missing or unusable."""
    key = (value or "").strip()
    if not key:
        raise Malformed(
            "the Idempotency-Key header is required",
            [Problem("headers.Idempotency-Key", "missing")],
        )
    if not usable_key(key):
        raise Malformed(
            "the Idempotency-Key header is not usable",
            [
                Problem(
                    "headers.Idempotency-Key", f"at most {MAX_IDEMPOTENCY_KEY} printable characters"
                )
            ],
        )
    return key


def _validate(
    services: Services, body: Any
) -> tuple[Procedure, dict[str, Any], dict[str, Any], list[Problem]]:
    """The procedure, organisation and data of a valid ``body``, and the doubts about its
    text (warnings); Invalid naming every field that is wrong."""
    if not isinstance(body, dict):
        raise Malformed("the body must be a JSON object", [Problem("body", "not a JSON object")])
    problems: list[Problem] = []
    warnings: list[Problem] = []
    if isinstance(body.get("data"), dict):
        # the data is text people wrote, judged as Vietnamese; the procedure and the
        # organisation are codes (a code is no word: "phuong-thu-e58da5" reads as VNI
        # keystrokes), checked against the catalogue and the directory instead
        body = {**body, "data": normalize(body["data"], "data", problems, warnings)}
    problems += code_problems(body)
    if not isinstance(body.get("data"), dict):
        problems.append(Problem("data", "required, a JSON object"))
    unknown = sorted(set(body) - {"procedure", "organization", "data"})
    problems.extend(Problem(name, "unknown field") for name in unknown)
    if problems:
        raise Invalid("the case is not valid", problems)

    procedure, organization = catalogued(services, body["procedure"], body["organization"])
    check_data(procedure, body["data"])
    return procedure, organization, body["data"], warnings


def code_problems(body: dict[str, Any]) -> list[Problem]:
    """A problem for the procedure or organisation code that is missing or not a string."""
    return [
        Problem(name, "required, a non-empty string")
        for name in ("procedure", "organization")
        if not isinstance(body.get(name), str) or not body.get(name)
    ]


def catalogued(
    services: Services, procedure_code: str, organization_code: str
) -> tuple[Procedure, dict[str, Any]]:
    """The procedure of the catalogue and the organisation of the directory these codes
    name; Invalid naming the one that is unknown."""
    procedure = services.catalogue.get(procedure_code)
    if procedure is None:
        raise Invalid(
            "unknown procedure", [Problem("procedure", f"no procedure {procedure_code!r}")]
        )
    organization = services.cases.get_organization(organization_code)
    if organization is None:
        raise Invalid(
            "unknown organization",
            [Problem("organization", f"no organization {organization_code!r}")],
        )
    return procedure, organization


def check_data(procedure: Procedure, data: Any) -> None:
    """Invalid unless normalised ``data`` matches the procedure's schema, then its rules."""
    errors = procedure.schema_errors(data)
    if errors:
        raise Invalid(
            "the case data does not match the procedure's schema",
            [Problem(path, message) for path, message in errors],
        )
    broken = procedure.rule_errors(data)
    if broken:
        raise Invalid(
            "the case data breaks the procedure's rules",
            [Problem(path, message) for path, message in broken],
        )


def step_organizations(
    services: Services, procedure: Procedure, organization: dict[str, Any], planned: bool = False
) -> list[dict[str, Any]]:
    """The directory entry of the organisation each step goes to: the case's own for level
    "issuer", the one its entry names as ``parent`` for level "parent". A seal step needs
    an organisation with a seal (party cells have none) and, unless ``planned`` (the
    directory checking what an organisation will issue), its seal's certificate."""
    levels: dict[str, dict[str, Any] | None] = {"issuer": organization}
    if any(step.organization == "parent" for step in procedure.steps):
        parent = organization.get("parent")
        levels["parent"] = services.cases.get_organization(parent) if parent else None
    found: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for step in procedure.steps:
        target = levels[step.organization]
        if target is None:
            problems.append(
                Problem(
                    "organization",
                    f"{organization['code']!r} has no parent organisation to confirm "
                    f"{procedure.code!r}",
                )
            )
        elif step.role == ROLE_SEAL and not target.get("seal"):
            problems.append(
                Problem(
                    "organization",
                    f"{target['code']!r} has no seal, which {procedure.code!r} needs",
                )
            )
        elif step.role == ROLE_SEAL and not planned and not target.get("seal_key_id"):
            problems.append(
                Problem(
                    "organization",
                    f"{target['code']!r} has no seal certificate yet, which "
                    f"{procedure.code!r} needs",
                )
            )
        else:
            found.append(target)
    if problems:
        raise Invalid(
            f"the organisation cannot issue {procedure.code!r}", list(dict.fromkeys(problems))
        )
    return found


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
    same_request(entry, request_hash, "request body")
    return services.cases.get_case(entry["case_id"])


def same_request(entry: dict[str, Any], request_hash: str, what: str) -> None:
    """Conflict (409) unless the idempotency ``entry`` was stored by a request of the same
    ``request_hash`` (a case's, a batch's): the key came again with another ``what``."""
    if entry["request_hash"] != request_hash:
        raise Conflict(
            f"this Idempotency-Key was used with another {what}",
            [Problem("headers.Idempotency-Key", "already used with a different body")],
        )


def _new_case(
    services: Services,
    principal: Principal,
    procedure: Procedure,
    organization: dict[str, Any],
    targets: list[dict[str, Any]],
    data: dict[str, Any],
) -> Case:
    from templates.renderer import document_context, render_pdf

    now = services.clock()
    # The case's organisation issues the document, so it numbers it (per document type).
    serial = services.cases.next_number(organization["code"], procedure.number_symbol)
    number = f"{serial}-{procedure.number_symbol}/{organization['symbol']}"
    rendered = render_pdf(
        procedure,
        document_context(
            procedure,
            data,
            organization,
            targets,
            number,
            now.astimezone(VIETNAM).date(),
        ),
    )
    case_id = str(uuid.uuid4())
    key = f"cases/{case_id}/v1.pdf"
    services.documents.put_working(key, rendered.pdf)
    steps = [
        Step(
            index=i,
            role=s.role,
            organization=target["code"],
            title=s.title,
            status=STEP_PENDING if i == 0 else STEP_WAITING,
        )
        for i, (s, target) in enumerate(zip(procedure.steps, targets, strict=True))
    ]
    return Case(
        id=case_id,
        procedure=procedure.code,
        procedure_version=procedure.version,
        organization=organization["code"],
        submitted_by=principal.subject,
        created_at=iso(now),
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
