"""The procedure catalogue: each folder holding a procedure.json is one procedure."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

from templates import TEMPLATES_DIR


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

    role: str
    organization: str
    title: str
    appearance: AppearanceBox


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

    @property
    def document_template(self) -> str:
        return (self.folder / "document.rml.j2").read_text(encoding="utf-8")

    def schema_errors(self, data: Any) -> list[tuple[str, str]]:
        """JSON Schema errors of ``data`` as (dotted path under ``data``, message) pairs."""
        validator = Draft202012Validator(self.schema, format_checker=FormatChecker())
        found = []
        for error in sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path)):
            found.append((_error_path(error), error.message))
        return found

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


def _load(folder: Path) -> Procedure:
    spec = json.loads((folder / "procedure.json").read_text(encoding="utf-8"))
    steps = tuple(
        StepDefinition(
            role=s["role"],
            organization=s["organization"],
            title=s.get("title", ""),
            appearance=AppearanceBox(**s["appearance"]),
        )
        for s in spec["steps"]
    )
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
    )
    Draft202012Validator.check_schema(procedure.schema)
    problems = procedure.schema_errors(procedure.example)
    if problems:
        raise ValueError(f"{folder.name}: its example does not satisfy its schema: {problems}")
    return procedure


class Catalogue:
    """All procedures found under a folder, by code."""

    def __init__(self, root: Path = TEMPLATES_DIR) -> None:
        self._procedures = {
            p.code: p for p in (_load(f.parent) for f in sorted(root.glob("*/procedure.json")))
        }

    def get(self, code: str) -> Procedure | None:
        return self._procedures.get(code)

    def all(self) -> list[Procedure]:
        return list(self._procedures.values())
