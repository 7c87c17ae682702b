"""Text hygiene: NFC normalisation and refusal of control characters, with field paths."""

from __future__ import annotations

import unicodedata

from functions.errors import Problem
from functions.text import normalize


def test_decomposed_text_is_stored_composed() -> None:
    problems: list[Problem] = []
    nfd = unicodedata.normalize("NFD", "Nguyễn Thị Thuỷ")
    assert normalize({"a": [nfd]}, "data", problems) == {"a": ["Nguyễn Thị Thuỷ"]}
    assert problems == []


def test_control_characters_are_reported_with_their_path() -> None:
    problems: list[Problem] = []
    normalize({"member": {"full_name": "Lê\x00Văn"}}, "data", problems)
    assert problems == [
        Problem("data.member.full_name", "control or invisible characters are not allowed: U+0000")
    ]


def test_newlines_and_tabs_are_allowed() -> None:
    problems: list[Problem] = []
    normalize("dòng một\ndòng hai\tcột", "data.x", problems)
    assert problems == []
