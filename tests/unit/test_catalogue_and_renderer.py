"""The catalogue loads from folders; the renderer makes a PDF whose text reads back in NFC."""

from __future__ import annotations

import datetime as dt
import subprocess
import unicodedata
from pathlib import Path

from templates.catalogue import Catalogue
from templates.renderer import document_context, find_line, render_pdf

ORG = {
    "code": "phuong-ba-dinh",
    "name": "Đảng ủy phường Ba Đình",
    "parent_name": "Đảng bộ thành phố Hà Nội",
    "symbol": "ĐU",
    "place": "Hà Nội",
    "signatory": {
        "heading": "T/M BAN THƯỜNG VỤ",
        "position": "Phó Bí thư",
        "name": "Trần Văn Bình",
    },
}


def _render(tmp_path: Path) -> tuple[Path, dict]:
    procedure = Catalogue().get("chuyen-sinh-hoat-chinh-thuc")
    assert procedure is not None
    rendered = render_pdf(
        procedure,
        document_context(
            procedure, procedure.example, ORG, [ORG, ORG], "7-GGT/ĐU", dt.date(2025, 5, 19)
        ),
    )
    assert rendered.pages == 1
    path = tmp_path / "doc.pdf"
    path.write_bytes(rendered.pdf)
    return path, procedure.example


def test_every_procedure_has_a_valid_example() -> None:
    procedures = Catalogue().all()
    assert procedures
    for procedure in procedures:
        assert procedure.schema_errors(procedure.example) == []


def test_schema_errors_name_the_field() -> None:
    procedure = Catalogue().get("chuyen-sinh-hoat-chinh-thuc")
    assert procedure is not None
    data = dict(procedure.example, fees_paid_until="2025-13")
    paths = [path for path, _ in procedure.schema_errors(data)]
    assert paths == ["data.fees_paid_until"]


def test_the_document_text_reads_back(tmp_path: Path) -> None:
    path, example = _render(tmp_path)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    text = " ".join(unicodedata.normalize("NFC", text).split())
    for value in (
        example["member"]["full_name"],
        example["member"]["party_card_number"],
        "Số 7-GGT/ĐU",
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "Hà Nội, ngày 19 tháng 5 năm 2025",
    ):
        assert value in text


def test_the_signature_anchor_is_found(tmp_path: Path) -> None:
    path, _ = _render(tmp_path)
    anchor = find_line(path.read_bytes(), "T/M BAN THƯỜNG VỤ")
    assert anchor is not None and anchor.page == 0
    assert 250 < anchor.x < 400  # right column of the signature block
    assert find_line(path.read_bytes(), "không có dòng này") is None


def test_every_font_is_an_embedded_subset(tmp_path: Path) -> None:
    path, _ = _render(tmp_path)
    listing = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout
    rows = [row.split() for row in listing.splitlines()[2:]]
    names = {row[0].split("+", 1)[-1] for row in rows}
    assert {"LiberationSerif", "LiberationSerif-Bold", "LiberationSerif-Italic"} <= names
    for row in rows:  # name, type, encoding, emb, sub, uni, object, generation
        assert "+" in row[0] and row[-5:-2] == ["yes", "yes", "yes"], row
