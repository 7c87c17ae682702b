"""Text hygiene for every string of a request: NFC, no controls, damage refused, doubt said."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import Any

from functions.errors import Problem
from functions.vietnamese import Evidence, damage_report, evidence, judge, vietnamese_as_written

_ALLOWED_CONTROLS = {"\n", "\t"}
# controls, format characters, surrogates, private use, and the line and paragraph
# separators U+2028/U+2029 (which break lines in a document where no line was typed)
_REFUSED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Zl", "Zp"}


# Spaces other than the plain one that Word and web pages paste between words. Harmless to
# make plain, except right after a character that UTF-8 text read as Windows-1252 leaves
# before a no-break space ("à" is bytes C3 A0, "Ã" + NBSP): there it is a sign of damage.
_UNICODE_SPACES = {"\u00a0", "\u202f", "\u2007", "\u3000"}
_BEFORE_A_DAMAGED_NBSP = set("ÂÃÄÅÆáâãº»¹")
# Invisible characters that web pages and files paste and that mean nothing in Vietnamese
# text: the zero-width space and the byte-order mark. Dropped; other format characters
# (a soft hyphen is TCVN3's "ư") stay refused.
_PASTED_INVISIBLES = str.maketrans({"\u200b": None, "\ufeff": None})
# Ð (U+00D0, Icelandic eth) and ð look like Đ and đ, and old keyboards and systems type them.
_ETH = str.maketrans({"Ð": "Đ", "ð": "đ"})


def _eth_as_dj(text: str) -> str:
    """``text`` with Ð and ð read as Đ and đ in the words that are then Vietnamese ("Ðào" is
    Đào); an Icelandic or Faroese word keeps its eth ("Suðurland", "Guðrún")."""
    words = text.split(" ")
    for i, word in enumerate(words):
        as_dj = word.translate(_ETH)
        if as_dj != word and vietnamese_as_written(as_dj):
            words[i] = as_dj
    return " ".join(words)


def _plain_spaces(text: str) -> str:
    text = text.translate(_PASTED_INVISIBLES)
    return "".join(
        " " if c in _UNICODE_SPACES and (i == 0 or text[i - 1] not in _BEFORE_A_DAMAGED_NBSP) else c
        for i, c in enumerate(text)
    )


def normalize(
    value: Any, path: str, problems: list[Problem], warnings: list[Problem] | None = None
) -> Any:
    """``value`` with every string NFC-normalised, its harmless Unicode spaces made plain and
    its pasted zero-width spaces and byte-order marks dropped.

    Two verdicts. Damage is refused: control characters and damaged Vietnamese
    (functions/vietnamese.py: legacy encodings, double decoding, impossible syllables) are
    reported in ``problems`` with the field's path and the offending words. Doubt is
    accepted and reported in ``warnings`` (functions/vietnamese.py's doubts: one odd
    syllable, a word a legacy encoding could have made, a foreign name; and an Ð written
    for Đ, stored as Đ).

    The request is judged as a whole: each field with the evidence of the others, so that a
    short field's doubtful words count as the damage the other fields show for certain."""
    texts: list[str] = []

    def collect(text: str, _: str) -> str:
        texts.append(_plain_spaces(unicodedata.normalize("NFC", text)))
        return text

    _map_strings(value, path, collect)
    return _map_strings(value, path, _Fields(texts, problems, warnings).judge)


def _map_strings(value: Any, path: str, change: Callable[[str, str], str]) -> Any:
    """``value`` with each string replaced by ``change(string, its path)``, in order."""
    if isinstance(value, str):
        return change(value, path)
    if isinstance(value, dict):
        return {k: _map_strings(v, f"{path}.{k}" if path else k, change) for k, v in value.items()}
    if isinstance(value, list):
        return [
            _map_strings(v, f"{path}.{i}" if path else str(i), change) for i, v in enumerate(value)
        ]
    return value


class _Fields:
    """One request's strings (prepared), judged in order, each with the evidence of the others."""

    def __init__(
        self, texts: list[str], problems: list[Problem], warnings: list[Problem] | None
    ) -> None:
        self._texts = texts
        self._own = [evidence(text) for text in texts]
        self._all = sum(self._own, Evidence())
        self._problems = problems
        self._warnings = warnings
        self._next = 0

    def judge(self, _: str, path: str) -> str:
        """The next string, prepared, with its problems and warnings noted."""
        index, self._next = self._next, self._next + 1
        text = self._texts[index]
        if "Ð" in text or "ð" in text:
            as_dj = _eth_as_dj(text)
            if as_dj != text and not damage_report(as_dj) and self._warnings is not None:
                self._warnings.append(
                    Problem(path, "Ð (U+00D0, Icelandic eth) read as Đ (U+0110), ð as đ")
                )
                text = as_dj
        bad = sorted(
            {f"U+{ord(c):04X}" for c in text if unicodedata.category(c) in _REFUSED_CATEGORIES}
            - {f"U+{ord(c):04X}" for c in _ALLOWED_CONTROLS}
        )
        # Damage first: a legacy encoding read as Windows-1252 brings invisible characters
        # (TCVN3 "ư" is byte 0xAD, a soft hyphen), and the damaged words say more.
        damaged, doubtful = judge(text, self._all - self._own[index])
        if damaged:
            self._problems.append(Problem(path, f"damaged Vietnamese text: {_listed(damaged)}"))
        elif bad:
            self._problems.append(
                Problem(path, f"control or invisible characters are not allowed: {', '.join(bad)}")
            )
        elif doubtful and self._warnings is not None:
            self._warnings.append(Problem(path, f"doubtful text: {_listed(doubtful)}"))
        return text


def _listed(words: dict[str, str]) -> str:
    return "; ".join(f"«{word}» ({reason})" for word, reason in words.items())
