"""Text hygiene for every string of a request: NFC normalisation and control characters."""

from __future__ import annotations

import unicodedata
from typing import Any

from functions.errors import Problem

_ALLOWED_CONTROLS = {"\n", "\t"}


def normalize(value: Any, path: str, problems: list[Problem]) -> Any:
    """``value`` with every string NFC-normalised; control characters are reported."""
    if isinstance(value, str):
        text = unicodedata.normalize("NFC", value)
        bad = sorted(
            {f"U+{ord(c):04X}" for c in text if unicodedata.category(c) in {"Cc", "Cf", "Cs", "Co"}}
            - {f"U+{ord(c):04X}" for c in _ALLOWED_CONTROLS}
        )
        if bad:
            problems.append(
                Problem(path, f"control or invisible characters are not allowed: {', '.join(bad)}")
            )
        return text
    if isinstance(value, dict):
        return {k: normalize(v, f"{path}.{k}", problems) for k, v in value.items()}
    if isinstance(value, list):
        return [normalize(v, f"{path}.{i}", problems) for i, v in enumerate(value)]
    return value
