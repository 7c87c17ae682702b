"""The procedure catalogue: each folder holding a procedure.json is one procedure."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker, validators
from jsonschema.exceptions import SchemaError, ValidationError

from templates import TEMPLATES_DIR
from templates.rules import Rule, RuleError, parse_rules, rule_findings

# A step's organisation is a level relative to the case's organisation, resolved to a
# concrete organisation code when a case is submitted: "issuer" is the case's own
# organisation, "parent" the organisation its directory entry names as ``parent``.
ORGANIZATION_LEVELS = ("issuer", "parent")
STEP_ROLES = ("officer", "seal")

# JSON Schema lets 2025.0 pass as an "integer"; a form field's integer is written as one
# (a year printed as "2025.0" or an amount as "253500.0" is a wrong document).
StrictValidator = validators.extend(
    Draft202012Validator,
    type_checker=Draft202012Validator.TYPE_CHECKER.redefine(
        "integer", lambda _, value: isinstance(value, int) and not isinstance(value, bool)
    ),
)


@dataclass(frozen=True)
class AppearanceBox:
    """Where a step's signature appearance goes, relative to a named anchor in the document."""

    anchor: str
    dx: float
    dy: float
    width: float
    height: float


@dataclass(frozen=True)
class StepDefinition:
    """One signing step of a procedure: who signs and where the signature shows."""

    role: str  # one of STEP_ROLES
    organization: str  # one of ORGANIZATION_LEVELS
    title: str
    appearance: AppearanceBox | None  # None: the signature is invisible


@dataclass(frozen=True)
class Procedure:
    """A procedure's definition (procedure.json) and its Jinja2 document."""

    code: str
    title: str
    version: str
    document_title: str
    number_symbol: str
    retention_years: int
    schema: dict[str, Any]
    example: dict[str, Any]
    steps: tuple[StepDefinition, ...]
    folder: Path
    rules: tuple[Rule, ...] = ()

    @cached_property
    def _validator(self) -> Any:
        return StrictValidator(self.schema, format_checker=FormatChecker())

    def schema_errors(self, data: Any) -> list[tuple[str, str]]:
        """JSON Schema errors of ``data`` as (dotted path under ``data``, message) pairs."""
        found = []
        errors = self._validator.iter_errors(data)
        for error in sorted(errors, key=lambda e: list(e.absolute_path)):
            found.append((_error_path(error), error.message))
        return found

    def rule_errors(self, data: Any) -> list[tuple[str, str]]:
        """Broken cross-field rules (templates/rules.py) of schema-valid ``data``, as
        (dotted path under ``data``, message) pairs."""
        return rule_findings(self.rules, data)

    def label(self, path: str, value: Any) -> Any:
        """The title the schema gives ``value`` at ``path`` (a ``oneOf`` of ``const``s with
        a ``title`` each), or ``value`` itself."""
        node = _schema_at(self.schema, path) or {}
        for option in node.get("oneOf", []):
            if option.get("const") == value and "title" in option:
                return option["title"]
        return value

    def public_view(self) -> dict[str, Any]:
        """The API shape of a catalogue entry."""
        return {
            "code": self.code,
            "title": self.title,
            "version": self.version,
            "schema": self.schema,
            "example": self.example,
            "steps": [
                {"index": i, "role": s.role, "organization": s.organization, "title": s.title}
                for i, s in enumerate(self.steps)
            ],
        }


def _error_path(error: ValidationError) -> str:
    parts = ["data", *(str(p) for p in error.absolute_path)]
    if error.validator == "required" and isinstance(error.instance, dict):
        missing = [k for k in error.validator_value if k not in error.instance]
        if missing:
            parts.append(str(missing[0]))
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = set(error.schema.get("properties", {}))
        extra = sorted(k for k in error.instance if k not in allowed)
        if extra:
            parts.append(extra[0])
    return ".".join(parts)


def _schema_at(schema: dict[str, Any], path: str) -> dict[str, Any] | None:
    """The subschema of the property at dotted ``path``, or None if the schema has none."""
    node: Any = schema
    for part in path.split("."):
        node = node.get("properties", {}).get(part) if isinstance(node, dict) else None
        if node is None:
            return None
    return node if isinstance(node, dict) else None


def _steps(spec: list[dict[str, Any]]) -> tuple[StepDefinition, ...]:
    steps = tuple(
        StepDefinition(
            role=s["role"],
            organization=s["organization"],
            title=s.get("title", ""),
            appearance=AppearanceBox(**s["appearance"]) if s.get("appearance") else None,
        )
        for s in spec
    )
    for index, step in enumerate(steps):
        if step.role not in STEP_ROLES:
            raise ValueError(f"step {index}: role {step.role!r} is not one of {STEP_ROLES}")
        if step.organization not in ORGANIZATION_LEVELS:
            raise ValueError(
                f"step {index}: organization {step.organization!r} is not one of "
                f"{ORGANIZATION_LEVELS}"
            )
    # Sealing ends the signing and archives the case (functions/signatures.py).
    roles = [s.role for s in steps]
    if not roles or roles[-1] != "seal" or roles.count("seal") != 1:
        raise ValueError("the last step, and only the last, must be the organisation seal")
    return steps


def _load(folder: Path, check_schema: bool) -> Procedure:
    try:
        return _load_procedure(folder, check_schema)
    except (KeyError, TypeError, ValueError, SchemaError) as error:
        detail = f"missing {error}" if isinstance(error, KeyError) else str(error)
        raise ValueError(f"procedure {folder.name}: {detail}") from error


def _load_procedure(folder: Path, check_schema: bool) -> Procedure:
    spec = json.loads((folder / "procedure.json").read_text(encoding="utf-8"))
    steps = _steps(spec["steps"])
    try:
        rules = parse_rules(spec.get("rules"))
    except RuleError as error:
        raise ValueError(f"rules: {error}") from error
    procedure = Procedure(
        code=spec["code"],
        title=spec["title"],
        version=str(spec["version"]),
        document_title=spec["document_title"],
        number_symbol=spec["number_symbol"],
        retention_years=int(spec["retention_years"]),
        schema=spec["schema"],
        example=spec["example"],
        steps=steps,
        folder=folder,
        rules=rules,
    )
    if check_schema:
        Draft202012Validator.check_schema(procedure.schema)
    unknown = sorted(
        {p for rule in rules for p in rule.paths() if _schema_at(spec["schema"], p) is None}
    )
    if unknown:
        raise ValueError(f"rules: the schema has no field {', '.join(unknown)}")
    problems = procedure.schema_errors(procedure.example)
    if problems:
        raise ValueError(f"its example does not satisfy its schema: {problems}")
    broken = procedure.rule_errors(procedure.example)
    if broken:
        raise ValueError(f"its example breaks its rules: {broken}")
    return procedure


class Catalogue:
    """All procedures found under a folder, by code.

    Each procedure is checked as it loads: its steps, its rules' fields, its example
    against its schema and rules, and (``check_schemas``) its schema against JSON Schema's
    own, which costs 150 ms for the four procedures. The API's wiring leaves that last one
    to the tests, which load every procedure shipped with it (a cold start pays for what
    no deployed file can change)."""

    def __init__(self, root: Path = TEMPLATES_DIR, check_schemas: bool = True) -> None:
        self._procedures: dict[str, Procedure] = {}
        for definition in sorted(root.glob("*/procedure.json")):
            procedure = _load(definition.parent, check_schemas)
            if procedure.code in self._procedures:
                raise ValueError(
                    f"procedure {definition.parent.name}: code {procedure.code!r} is already "
                    f"used by {self._procedures[procedure.code].folder.name}"
                )
            self._procedures[procedure.code] = procedure

    def get(self, code: str) -> Procedure | None:
        return self._procedures.get(code)

    def all(self) -> list[Procedure]:
        return list(self._procedures.values())
