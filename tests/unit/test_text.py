"""Text hygiene: NFC normalisation and refusal of control characters, with field paths."""

from __future__ import annotations

import unicodedata

from bench.damage import tcvn3_as_cp1252
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


def test_a_request_is_judged_as_a_whole() -> None:
    # "Vò" is TCVN3 for "Vũ" read as Windows-1252, but alone it may be a real word: it is
    # damage when the request's other fields are TCVN3 for certain, and only then
    reason = tcvn3_as_cp1252("Chi bộ Khu dân cư số 3 đề nghị chuyển sinh hoạt đảng")
    alone: list[Problem] = []
    normalize({"name": "Vò"}, "data", alone)
    assert alone == []
    together: list[Problem] = []
    normalize({"name": "Vò", "reason": reason}, "data", together)
    assert [p.field for p in together] == ["data.name", "data.reason"]
    good: list[Problem] = []
    normalize({"name": "Vò", "reason": "Chi bộ Khu dân cư số 3"}, "data", good)
    assert good == []


def test_pasted_zero_width_spaces_and_byte_order_marks_are_dropped() -> None:
    # what a web page or a file pastes: "kiến \u200b\u200btrúc" (maint-guide-vi has it)
    problems: list[Problem] = []
    warnings: list[Problem] = []
    pasted = {"reason": "\ufeffkiến \u200b\u200btrúc độc lập", "name": "Lê\u200bVăn"}
    assert normalize(pasted, "data", problems, warnings) == {
        "reason": "kiến trúc độc lập",
        "name": "LêVăn",
    }
    assert problems == [] and warnings == []


def test_other_invisible_characters_stay_refused() -> None:
    # a soft hyphen is TCVN3's "ư" read as Windows-1252; a zero-width joiner means nothing here
    for invisible in ("\u00ad", "\u200d", "\u2060"):
        problems: list[Problem] = []
        normalize({"name": f"Lê{invisible}Văn"}, "data", problems)
        assert [p.field for p in problems] == ["data.name"], invisible


def test_an_eth_is_read_as_d_with_stroke_only_where_that_makes_vietnamese() -> None:
    # old systems and keyboards type Ð (U+00D0) for Đ; an Icelandic name keeps its eth
    warnings: list[Problem] = []
    text = normalize("Ðào Thị Hồng, Guðrún Ðỗ, Suðurland", "data.name", [], warnings)
    assert text == "Đào Thị Hồng, Guðrún Đỗ, Suðurland"
    assert [w.field for w in warnings] == ["data.name"]
    untouched: list[Problem] = []
    assert normalize("Suðurland", "data.place", [], untouched) == "Suðurland"
    assert untouched == []
