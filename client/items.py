"""The cases a person submits, read from a file: one JSON object, JSON lines, or CSV whose
columns are the data's dotted paths (member.full_name); CSV values typed by the
procedure's schema. Each item gets a key: its own, or the SHA-256 of its data, so that
submitting the same file again makes nothing twice."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path
from typing import Any

MAX_FILE_BYTES = 200 * 1024 * 1024  # a batch's upload (100,000 items) stays well under


class ItemsError(Exception):
    """A file that cannot be read as cases; ``message`` says where and why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def read_items(path: Path, schema: dict[str, Any]) -> list[dict[str, Any]]:
    """The file's items, each ``{"key", "data"}``; ItemsError if it is not one JSON object,
    JSON lines or CSV with a header row, or holds no item."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ItemsError(f"{path} is over {MAX_FILE_BYTES // 2**20} MB")
        text = path.read_text(encoding="utf-8-sig")
    except OSError as error:
        raise ItemsError(f"{path} cannot be read: {error.strerror}") from None
    except UnicodeDecodeError:
        raise ItemsError(f"{path} is not UTF-8 text") from None
    suffix = path.suffix.lower()
    if suffix == ".csv":
        items = _csv_items(text, schema)
    elif suffix in (".jsonl", ".ndjson"):
        items = [_item(_json(line, f"line {n}"), f"line {n}") for n, line in _lines(text)]
    elif suffix == ".json":
        items = [_item(_json(text, "the file"), "the file")]
    else:
        raise ItemsError(f"{path}: give a .json, .jsonl or .csv file")
    if not items:
        raise ItemsError(f"{path} holds no case")
    return items


def _lines(text: str) -> list[tuple[int, str]]:
    return [(n, line) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]


def _json(text: str, where: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ItemsError(f"{where} is not JSON: {error.msg} (column {error.colno})") from None


def _item(found: Any, where: str) -> dict[str, Any]:
    """``{"key", "data"}`` from an object that is either the data or holds it as ``data``."""
    if not isinstance(found, dict):
        raise ItemsError(f"{where} is not a JSON object")
    if "data" in found and set(found) <= {"key", "data"}:
        data, key = found["data"], found.get("key")
        if not isinstance(data, dict):
            raise ItemsError(f"{where}: data is not a JSON object")
        if key is not None and not isinstance(key, str):
            raise ItemsError(f"{where}: key is not a string")
    else:
        data, key = found, None
    return {"key": key or data_key(data), "data": data}


def data_key(data: dict[str, Any]) -> str:
    """The key of an item that names none: the SHA-256 of its data, written canonically."""
    canonical = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _csv_items(text: str, schema: dict[str, Any]) -> list[dict[str, Any]]:
    rows = list(csv.DictReader(io.StringIO(text)))
    if not rows:
        raise ItemsError("the CSV file has no row under its header")
    items = []
    for number, row in enumerate(rows, start=2):  # line 1 is the header
        if None in row:
            raise ItemsError(f"line {number} has more cells than the header")
        data: dict[str, Any] = {}
        key = None
        for column, value in row.items():
            if column == "key":
                key = value or None
            elif value != "":
                _put(data, column.split("."), _typed(value, _schema_at(schema, column)), number)
        items.append({"key": key or data_key(data), "data": data})
    return items


def _schema_at(schema: dict[str, Any], column: str) -> dict[str, Any]:
    for name in column.split("."):
        schema = schema.get("properties", {}).get(name, {}) if isinstance(schema, dict) else {}
    return schema if isinstance(schema, dict) else {}


def _typed(value: str, schema: dict[str, Any]) -> Any:
    """A CSV cell as its schema's type says (an integer, a number, a boolean); as written
    if it does not read as one (the API then names the field)."""
    kind = schema.get("type")
    try:
        if kind == "integer":
            return int(value)
        if kind == "number":
            return float(value)
    except ValueError:
        return value
    if kind == "boolean" and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return value


def _put(data: dict[str, Any], path: list[str], value: Any, line: int) -> None:
    for name in path[:-1]:
        inner = data.setdefault(name, {})
        if not isinstance(inner, dict):
            raise ItemsError(f"line {line}: {'.'.join(path)} is inside a value")
        data = inner
    data[path[-1]] = value
