"""Damaged Vietnamese is refused before anything is stored; good text in either style is kept."""

from __future__ import annotations

import subprocess
import unicodedata
from collections.abc import Iterator
from typing import Any

import pytest
from chalice.test import Client

from templates.catalogue import Catalogue
from tests.conftest import Stack, procedure_example, submit

ISSUERS = {
    "chuyen-sinh-hoat-chinh-thuc": "phuong-ba-dinh",
    "chuyen-sinh-hoat-tam-thoi": "phuong-ba-dinh",
    "nhan-xet-noi-cu-tru": "chi-bo-to-dan-pho-5-ba-dinh",
    "dang-phi": "phuong-ba-dinh",
}
DAMAGED_NAME = "NguyÔn V¨n Hïng"  # "Nguyễn Văn Hùng" in TCVN3 read as Windows-1252


def _tcvn3_read_as_cp1252(text: str) -> str:
    encoded = subprocess.run(
        ["iconv", "-f", "UTF-8", "-t", "TCVN5712-1"],
        input=text.encode("utf-8"),
        capture_output=True,
        check=True,
    ).stdout
    return encoded.decode("cp1252", errors="replace")


def _text_leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _text_leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _text_leaves(item, (*path, index))


def _replaced(value: Any, path: tuple[Any, ...], new: str) -> Any:
    if not path:
        return new
    head, *rest = path
    if isinstance(value, dict):
        return {k: _replaced(v, tuple(rest), new) if k == head else v for k, v in value.items()}
    return [_replaced(v, tuple(rest), new) if i == head else v for i, v in enumerate(value)]


CASES = [
    (code, path, text)
    for code in ISSUERS
    for path, text in _text_leaves(Catalogue().get(code).example)  # type: ignore[union-attr]
]


@pytest.mark.parametrize(
    ("code", "path", "original"),
    CASES,
    ids=[
        f"{code}-{'.'.join(map(str, path))}" for code, path, _ in CASES
    ],  # ASCII ids: tools select tests by them
)
def test_damage_in_any_text_field_is_refused_naming_field_and_words(
    client: Client, stack: Stack, code: str, path: tuple[Any, ...], original: str
) -> None:
    damaged = _tcvn3_read_as_cp1252(original)
    if damaged == original:  # no Vietnamese letters in this value (a date, a number, a code)
        damaged = DAMAGED_NAME
    example = procedure_example(client, stack, code)
    body = {
        "procedure": code,
        "organization": ISSUERS[code],
        "data": _replaced(example, path, damaged),
    }
    answer = submit(client, stack, body)
    assert answer.status_code == 422, answer.json_body
    field = ".".join(["data", *(str(p) for p in path)])
    (detail,) = [d for d in answer.json_body["error"]["details"] if d["field"] == field]
    assert "damaged Vietnamese" in detail["problem"]
    changed = [w for w, o in zip(damaged.split(), original.split(), strict=False) if w != o]
    assert any(f"«{word.strip(',.;:()')}»" in detail["problem"] for word in changed or [damaged])


def test_both_tone_styles_and_decomposed_input_are_accepted_and_stored_composed(
    client: Client, stack: Stack
) -> None:
    code = "chuyen-sinh-hoat-chinh-thuc"
    example = procedure_example(client, stack, code)
    services = stack.wired()[0]
    for name in ("Nguyễn Thị Thuỷ Hoà", "Nguyễn Thị Thủy Hòa"):
        data = {**example, "member": {**example["member"], "full_name": name}}
        decomposed = unicodedata.normalize("NFD", str(data))
        assert decomposed != str(data)
        body = {
            "procedure": code,
            "organization": ISSUERS[code],
            "data": {
                **data,
                "member": {**data["member"], "full_name": unicodedata.normalize("NFD", name)},
                "reason": unicodedata.normalize("NFD", data["reason"]),
            },
        }
        answer = submit(client, stack, body)
        assert answer.status_code == 201, answer.json_body
        stored = services.cases.get_case(answer.json_body["id"])
        assert stored is not None
        assert stored.data["member"]["full_name"] == name  # NFC
        assert stored.data["reason"] == data["reason"]


def test_damage_outside_data_is_named_too(client: Client, stack: Stack) -> None:
    # codes are looked up, not read as words: a damaged one is an unknown code
    code = "dang-phi"
    body = {
        "procedure": code,
        "organization": "phÆ°á»ng",
        "data": procedure_example(client, stack, code),
    }
    answer = submit(client, stack, body)
    assert answer.status_code == 422
    assert [d["field"] for d in answer.json_body["error"]["details"]] == ["organization"]


def test_a_code_is_not_judged_as_vietnamese(client: Client, stack: Stack) -> None:
    # as a word, "phuong-thu-e58da5" reads as VNI keystrokes typed as digits (1 random
    # test organisation code in 90 did, and its case was refused)
    code = "phuong-thu-e58da5"
    stack.register_organization(code)
    body = {"procedure": "dang-phi", "organization": code,
            "data": procedure_example(client, stack, "dang-phi")}  # fmt: skip
    answer = submit(client, stack, body)
    assert answer.status_code == 201, answer.json_body
    assert answer.json_body["warnings"] == []


def _with_name(client: Client, stack: Stack, name: str) -> dict[str, Any]:
    code = "chuyen-sinh-hoat-chinh-thuc"
    example = procedure_example(client, stack, code)
    data = {**example, "member": {**example["member"], "full_name": name}}
    return {"procedure": code, "organization": ISSUERS[code], "data": data}


def test_an_eth_for_d_with_stroke_is_stored_as_d_with_stroke_and_said(
    client: Client, stack: Stack
) -> None:
    answer = submit(client, stack, _with_name(client, stack, "Ðào Thị Hồng"))  # U+00D0
    assert answer.status_code == 201, answer.json_body
    case = answer.json_body
    assert [w["field"] for w in case["warnings"]] == ["data.member.full_name"]
    assert "U+00D0" in case["warnings"][0]["problem"]
    stored = stack.wired()[0].cases.get_case(case["id"])
    assert stored is not None and stored.data["member"]["full_name"] == "Đào Thị Hồng"  # U+0110
    again = client.http.get(f"/v1/cases/{case['id']}", headers=stack.auth("canbo-badinh"))
    assert again.json_body["warnings"] == case["warnings"]  # the officer sees it before signing


@pytest.mark.parametrize(
    "space", ["\u00a0", "\u202f", "\u2007", "\u3000"], ids=["nbsp", "narrow", "figure", "wide"]
)
def test_pasted_spaces_are_plain_spaces(client: Client, stack: Stack, space: str) -> None:
    answer = submit(client, stack, _with_name(client, stack, f"Bà{space}Lê{space}Thị Tài"))
    assert answer.status_code == 201, answer.json_body
    assert answer.json_body["warnings"] == []
    stored = stack.wired()[0].cases.get_case(answer.json_body["id"])
    assert stored is not None and stored.data["member"]["full_name"] == "Bà Lê Thị Tài"


def test_a_no_break_space_left_by_a_wrong_decoding_is_still_damage(
    client: Client, stack: Stack
) -> None:
    damaged = "Nguyễn Văn Là".encode().decode("cp1252", "replace")  # "LÃ\u00a0": à is C3 A0
    answer = submit(client, stack, _with_name(client, stack, damaged))
    assert answer.status_code == 422, answer.json_body


@pytest.mark.parametrize(
    ("name", "doubt"),
    [
        ("Lê Thị Zoë", "could be VISCII"),  # or the Vietnamese "Zoẻ" damaged: said, not refused
        ("Phạm Matxcơva", "foreign name in Vietnamese syllables"),
    ],
    ids=["foreign-or-viscii", "exonym"],
)
def test_doubtful_text_is_accepted_with_a_warning(
    client: Client, stack: Stack, name: str, doubt: str
) -> None:
    answer = submit(client, stack, _with_name(client, stack, name))
    assert answer.status_code == 201, answer.json_body
    (warning,) = answer.json_body["warnings"]
    assert warning["field"] == "data.member.full_name"
    assert warning["problem"].startswith("doubtful text:") and doubt in warning["problem"]
