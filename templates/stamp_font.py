"""Cuts the signature stamps' font to the characters Vietnamese text needs (run by hand; the
result is committed): ``python -m templates.stamp_font``.

pyHanko parses and subsets the stamp's font anew for every visible signature. The full face
(2,602 glyphs: Greek, Cyrillic, Hebrew...) costs about 95 ms a stamp; this cut, which keeps
Latin (ASCII, Latin-1, Latin Extended-A: Đ đ Ă ă Ĩ ĩ Ũ ũ), Ơ ơ Ư ư, the Vietnamese block,
the combining tone marks and general punctuation, a fraction of it. A character outside it
(a signer's name in Greek, say) would show as an empty box on the stamp, never on the
document, whose fonts are the full faces.
"""

from __future__ import annotations

from fontTools import subset
from fontTools.ttLib import TTFont

from templates import FONTS_DIR, STAMP_FONT_FILE

SOURCE = FONTS_DIR / "LiberationSerif-Regular-1000upem.ttf"
KEPT = [
    *range(0x20, 0x7F),  # ASCII
    *range(0xA0, 0x180),  # Latin-1 Supplement, Latin Extended-A
    0x1A0,
    0x1A1,
    0x1AF,
    0x1B0,  # Ơ ơ Ư ư
    *range(0x300, 0x304),
    0x309,
    0x323,  # combining grave, acute, circumflex, tilde, hook above, dot below
    *range(0x1EA0, 0x1EFA),  # Latin Extended Additional: the Vietnamese letters
    *range(0x2010, 0x2028),  # dashes, quotes, bullets, ellipsis
    0x2030,
    0x20AB,  # per mille, đồng sign
    0x2116,  # numero sign
]


def cut(source: TTFont) -> TTFont:
    """``source`` reduced to the ``KEPT`` characters, without hinting (the stamps are printed
    and viewed scaled, never rasterised at small sizes where hints matter)."""
    options = subset.Options()
    options.hinting = False
    options.name_IDs = ["*"]  # the licence and the font's names stay
    options.notdef_outline = True
    subsetter = subset.Subsetter(options=options)
    subsetter.populate(unicodes=KEPT)
    subsetter.subset(source)
    return source


if __name__ == "__main__":
    cut(TTFont(SOURCE)).save(STAMP_FONT_FILE)
    print(f"{STAMP_FONT_FILE}: {STAMP_FONT_FILE.stat().st_size} bytes")
