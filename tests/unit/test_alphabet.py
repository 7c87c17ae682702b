"""The whole Vietnamese alphabet, every tone, both cases, in every face: no missing glyph."""

from __future__ import annotations

import subprocess
import unicodedata
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from templates import FONTS_DIR, STAMP_FONT_FILE
from templates.renderer import FONT_FACES, rml_to_pdf

LETTERS = tuple("a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y".replace(" ", ""))
VOWELS = tuple("a ă â e ê i o ô ơ u ư y".replace(" ", ""))
TONES = ("", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323")  # sắc huyền hỏi ngã nặng


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


LINES = [
    " ".join(LETTERS),
    *(" ".join(_nfc(v + tone) for tone in TONES) for v in VOWELS),
]
LINES += [line.upper() for line in LINES]
CHARACTERS = sorted({c for line in LINES for c in line if c != " "})


def test_the_alphabet_has_every_toned_vowel() -> None:
    assert len(CHARACTERS) == 2 * (len(LETTERS) + len(VOWELS) * 5)  # 2 × 89 = 178


@pytest.mark.parametrize("face", sorted(FONT_FACES))
def test_every_face_has_a_glyph_for_every_letter(face: str) -> None:
    cmap = TTFont(FONTS_DIR / FONT_FACES[face]).getBestCmap()
    assert [c for c in CHARACTERS if ord(c) not in cmap] == []


def test_the_stamp_font_cut_keeps_every_letter_and_the_stamps_punctuation() -> None:
    cmap = TTFont(STAMP_FONT_FILE).getBestCmap()
    stamp_characters = "0123456789:/+-.,()[]\"'–“”…№ "
    assert [c for c in CHARACTERS + list(stamp_characters) if ord(c) not in cmap] == []


def test_a_page_of_the_alphabet_reads_back_letter_for_letter(tmp_path: Path) -> None:
    registrations = "".join(
        f'<registerTTFont faceName="{face}" fileName="{FONTS_DIR / name}"/>'
        for face, name in FONT_FACES.items()
    )
    paragraphs = "".join(
        f'<para fontName="{face}" fontSize="12" leading="16">{line}</para>'
        for face in FONT_FACES
        for line in LINES
    )
    rml = (
        f"<document filename='alphabet.pdf'><docinit>{registrations}</docinit>"
        "<template><pageTemplate id='main'><frame id='f' x1='30mm' y1='20mm' "
        "width='165mm' height='257mm'/></pageTemplate></template>"
        f"<stylesheet/><story>{paragraphs}</story></document>"
    )
    path = tmp_path / "alphabet.pdf"
    path.write_bytes(rml_to_pdf(rml))
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    # pdftotext may drop the narrow gaps between single letters; the letters must all be there
    read_back = ["".join(_nfc(line).split()) for line in text.splitlines() if line.strip()]
    assert read_back == ["".join(line.split()) for line in LINES] * len(FONT_FACES)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    assert all("+" in row.split()[0] for row in fonts.splitlines()[2:])
