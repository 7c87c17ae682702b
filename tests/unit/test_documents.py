"""Each procedure's document: its example renders to one A4 page whose text gives back every
input value, with embedded subset fonts only and a line for every signature to anchor on."""

from __future__ import annotations

import datetime as dt
import itertools
import subprocess
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from infra.demo import ORGANIZATIONS
from templates.catalogue import Catalogue, Procedure
from templates.renderer import (
    document_context,
    find_line,
    render_pdf,
    vn_date,
    vn_month,
    vn_number,
    vn_number_words,
)

DIRECTORY = {org["code"]: org for org in ORGANIZATIONS}
ISSUERS = {  # the demo organisation that issues each procedure's document
    "chuyen-sinh-hoat-chinh-thuc": "phuong-ba-dinh",
    "chuyen-sinh-hoat-tam-thoi": "phuong-hoan-kiem",
    "nhan-xet-noi-cu-tru": "chi-bo-to-dan-pho-5-ba-dinh",
    "dang-phi": "phuong-ba-dinh",
}
MONTH_PATTERN = "^[0-9]{4}-(0[1-9]|1[0-2])$"
A4 = (595.28, 841.89)
ISSUED_ON = dt.date(2025, 9, 2)


def _procedures() -> list[Procedure]:
    return sorted(Catalogue().all(), key=lambda p: p.code)


def _render(procedure: Procedure, tmp_path: Path) -> tuple[Path, dict[str, Any], list[dict]]:
    issuer = DIRECTORY[ISSUERS[procedure.code]]
    steps = [
        issuer if step.organization == "issuer" else DIRECTORY[issuer["parent"]]
        for step in procedure.steps
    ]
    number = f"27-{procedure.number_symbol}/{issuer['symbol']}"
    context = document_context(procedure, procedure.example, issuer, steps, number, ISSUED_ON)
    rendered = render_pdf(procedure, context)
    assert rendered.pages == 1
    path = tmp_path / f"{procedure.code}.pdf"
    path.write_bytes(rendered.pdf)
    return path, context, steps


def _text(path: Path) -> str:
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return " ".join(unicodedata.normalize("NFC", text).split())


def _printed(procedure: Procedure, value: Any, schema: dict, path: str) -> Iterator[tuple]:
    """(path, acceptable printed forms) of every leaf of ``value``, by its schema."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _printed(procedure, item, schema["properties"][key], f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _printed(procedure, item, schema["items"], f"{path}.{index}")
    elif isinstance(value, bool):
        raise AssertionError(f"{path}: no boolean is expected in an example")
    elif isinstance(value, int):
        yield path, (vn_number(value), str(value))
    elif schema.get("format") == "date":
        yield path, (vn_date(value),)
    elif schema.get("pattern") == MONTH_PATTERN:
        yield path, (vn_month(value),)
    elif "oneOf" in schema:
        label = procedure.label(path.removeprefix("data."), value)
        assert label != value, f"{path}: {value!r} has no label"
        yield path, (label,)
    else:
        yield path, (value,)


@pytest.mark.parametrize("procedure", _procedures(), ids=lambda p: p.code)
def test_the_text_gives_back_every_input_value(procedure: Procedure, tmp_path: Path) -> None:
    path, context, steps = _render(procedure, tmp_path)
    text = _text(path)
    leaves = list(_printed(procedure, procedure.example, procedure.schema, "data"))
    assert len(leaves) >= 7
    missing = [(where, forms) for where, forms in leaves if not any(f in text for f in forms)]
    assert missing == []
    issuer = context["organization"]
    for expected in (
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        issuer["name"].upper(),
        issuer["parent_name"].upper(),
        f"Số {context['number']}",
        "Hà Nội, ngày 02 tháng 9 năm 2025",
        procedure.document_title,
    ):
        assert expected in text
    for step, org in zip(procedure.steps, steps, strict=True):
        if step.role == "officer":  # the signatory block of the step's organisation
            signatory = org["signatory"]
            for line in (signatory["heading"], signatory["position"].upper(), signatory["name"]):
                assert line in text


@pytest.mark.parametrize("procedure", _procedures(), ids=lambda p: p.code)
def test_every_font_is_an_embedded_subset(procedure: Procedure, tmp_path: Path) -> None:
    path, _, _ = _render(procedure, tmp_path)
    listing = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout
    rows = [row.split() for row in listing.splitlines()[2:]]
    assert rows
    for row in rows:  # name, type, encoding, emb, sub, uni, object, generation
        assert "+" in row[0] and row[-5:-2] == ["yes", "yes", "yes"], row


@pytest.mark.parametrize("procedure", _procedures(), ids=lambda p: p.code)
def test_every_signature_has_its_place(procedure: Procedure, tmp_path: Path) -> None:
    path, _, _ = _render(procedure, tmp_path)
    pdf = path.read_bytes()
    boxes = []
    for step in procedure.steps:
        box = step.appearance
        if box is None:
            continue  # an invisible signature
        anchor = find_line(pdf, box.anchor)
        assert anchor is not None, box.anchor
        x1, y1 = anchor.x + box.dx, anchor.y + box.dy
        x2, y2 = x1 + box.width, y1 + box.height
        # inside the page's margins (20 mm bottom, 30 mm left, 15 mm right)
        assert x1 >= 85 - 1 and x2 <= A4[0] - 42.5 + 1 and y1 >= 56.7, (step, x1, y1, x2, y2)
        boxes.append((x1, y1, x2, y2))
    for a, b in itertools.combinations(boxes, 2):  # stamps never print over each other
        assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]), (a, b)


def test_the_residence_comment_is_the_cells_confirmed_by_the_ward(tmp_path: Path) -> None:
    procedure = Catalogue().get("nhan-xet-noi-cu-tru")
    assert procedure is not None
    text = _text(_render(procedure, tmp_path)[0])
    assert "ĐẢNG BỘ PHƯỜNG BA ĐÌNH" in text and "CHI BỘ TỔ DÂN PHỐ SỐ 5" in text  # the cell issues
    assert "Số 27-PNX/CB" in text
    assert "XÁC NHẬN CỦA ĐẢNG ỦY" in text
    assert "Năm 2025" in text


def test_the_receipt_prints_the_amounts(tmp_path: Path) -> None:
    procedure = Catalogue().get("dang-phi")
    assert procedure is not None
    text = _text(_render(procedure, tmp_path)[0])
    assert "Thu nhập làm căn cứ đóng đảng phí: 8.450.000 đồng/tháng" in text
    assert "Mức đảng phí: 84.500 đồng/tháng" in text
    assert "từ tháng 01/2025 đến hết tháng 03/2025 (3 tháng)" in text
    assert "Tổng số tiền: 253.500 đồng" in text
    assert "Viết bằng chữ: Hai trăm năm mươi ba nghìn năm trăm đồng." in text


AMOUNTS_IN_WORDS = [
    (0, "Không"),
    (5, "Năm"),
    (11, "Mười một"),
    (15, "Mười lăm"),
    (21, "Hai mươi mốt"),
    (24, "Hai mươi bốn"),
    (105, "Một trăm linh năm"),
    (2_000, "Hai nghìn"),
    (24_150, "Hai mươi bốn nghìn một trăm năm mươi"),
    (253_500, "Hai trăm năm mươi ba nghìn năm trăm"),
    (1_000_050, "Một triệu không trăm năm mươi"),
    (2_000_005, "Hai triệu không trăm linh năm"),
    (1_015_000_000, "Một tỷ không trăm mười lăm triệu"),
]


# ASCII ids (the amount), so tools can select a test by its id
@pytest.mark.parametrize(
    ("amount", "words"), AMOUNTS_IN_WORDS, ids=[str(a) for a, _ in AMOUNTS_IN_WORDS]
)
def test_amounts_in_words(amount: int, words: str) -> None:
    assert vn_number_words(amount) == words


def test_amounts_with_the_thousands_separator() -> None:
    assert [vn_number(v) for v in (0, 999, 2_000, 253_500, 10_000_000)] == [
        "0",
        "999",
        "2.000",
        "253.500",
        "10.000.000",
    ]
