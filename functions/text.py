"""Text hygiene for every string of a request: NFC, no control characters, no damaged Vietnamese."""

from __future__ import annotations

import unicodedata
from typing import Any

from functions.errors import Problem
from functions.vietnamese import damage_report

_ALLOWED_CONTROLS = {"\n", "\t"}
# controls, format characters, surrogates, private use, and the line and paragraph
# separators U+2028/U+2029 (which break lines in a document where no line was typed)
_REFUSED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Zl", "Zp"}


def normalize(value: Any, path: str, problems: list[Problem]) -> Any:
    """``value`` with every string NFC-normalised; control characters and damaged Vietnamese
    (functions/vietnamese.py: legacy encodings, double decoding, impossible syllables) are
    reported in ``problems`` with the field's path and the offending words."""
    if isinstance(value, str):
        text = unicodedata.normalize("NFC", value)
        bad = sorted(
            {f"U+{ord(c):04X}" for c in text if unicodedata.category(c) in _REFUSED_CATEGORIES}
            - {f"U+{ord(c):04X}" for c in _ALLOWED_CONTROLS}
        )
        # Damage first: a legacy encoding read as Windows-1252 brings invisible characters
        # (TCVN3 "ư" is byte 0xAD, a soft hyphen), and the damaged words say more.
        if damaged := damage_report(text):
            words = "; ".join(f"«{word}» ({reason})" for word, reason in damaged.items())
            problems.append(Problem(path, f"damaged Vietnamese text: {words}"))
        elif bad:
            problems.append(
                Problem(path, f"control or invisible characters are not allowed: {', '.join(bad)}")
            )
        return text
    if isinstance(value, dict):
        return {k: normalize(v, f"{path}.{k}", problems) for k, v in value.items()}
    if isinstance(value, list):
        return [normalize(v, f"{path}.{i}", problems) for i, v in enumerate(value)]
    return value
