"""Damage generators: Vietnamese text broken the way real tools break it (tests, benchmarks)."""

# Each damage is a ``Damage``: ``damage(text)`` damages one text, ``damage.many(texts)`` a batch
# (one glibc iconv process per batch, not per text).  Characters a legacy charset lacks are
# dropped (iconv -c), as a conversion to that charset would lose them.

from __future__ import annotations

import subprocess
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

GRAVE, ACUTE, TILDE, HOOK, DOT = "\u0300", "\u0301", "\u0303", "\u0309", "\u0323"
CIRCUMFLEX, BREVE, HORN = "\u0302", "\u0306", "\u031b"
TONES = ("", ACUTE, GRAVE, HOOK, TILDE, DOT)


@dataclass(frozen=True)
class Damage:
    """One way of damaging text: ``label`` says how, ``many`` damages a batch of texts."""

    label: str
    many: Callable[[Sequence[str]], list[str]]

    def __call__(self, text: str) -> str:
        return self.many([text])[0]


def iconv_lines(texts: Sequence[str], charset: str) -> list[bytes]:
    """Each text (without line breaks) encoded to ``charset`` by one glibc ``iconv -c`` run."""
    if not texts:
        return []
    if any("\n" in text for text in texts):
        raise ValueError("iconv_lines takes texts without line breaks")
    done = subprocess.run(
        ["iconv", "-c", "-f", "UTF-8", "-t", charset],
        input="".join(text + "\n" for text in texts).encode(),
        capture_output=True,
        check=False,
    )
    # -c exits 1 when it dropped characters; anything else is a real failure
    if done.returncode not in (0, 1) or (done.returncode and done.stderr.strip()):
        raise RuntimeError(f"iconv -t {charset} failed: {done.stderr.decode(errors='replace')}")
    out = done.stdout.split(b"\n")[:-1]
    if len(out) != len(texts):  # no legacy charset here encodes anything but LF as byte 0x0A
        raise RuntimeError(f"iconv -t {charset} gave {len(out)} lines for {len(texts)}")
    return out


def iconv(text: str, charset: str) -> bytes:
    """``text`` (one line) encoded to ``charset`` by glibc iconv."""
    return iconv_lines([text], charset)[0]


def _legacy(label: str, charset: str, reading: str) -> Damage:
    def many(texts: Sequence[str]) -> list[str]:
        return [data.decode(reading, errors="replace") for data in iconv_lines(texts, charset)]

    return Damage(label, many)


def _each(label: str, damage: Callable[[str], str]) -> Damage:
    return Damage(label, lambda texts: [damage(text) for text in texts])


# --- VNI-Windows (glibc has no VNI) --------------------------------------------------------------

_VNI_TONE = dict(zip(TONES, ["", "ù", "ø", "û", "õ", "ï"], strict=True))
_VNI_CIRCUMFLEX = dict(zip(TONES, ["â", "á", "à", "å", "ã", "ä"], strict=True))
_VNI_BREVE = dict(zip(TONES, ["ê", "é", "è", "ú", "ü", "ë"], strict=True))
_VNI_I = dict(zip(TONES, ["i", "í", "ì", "æ", "ó", "ò"], strict=True))


def _vni_as_cp1252(text: str) -> str:
    """VNI-Windows bytes read as Windows-1252: "Nguyễn" -> "Nguyeãn"."""
    out = []
    for ch in text:
        parts = unicodedata.normalize("NFD", ch)
        base, marks = parts[0], parts[1:]
        low = base.lower()
        tone = next((m for m in marks if m in TONES), "")
        if ch in "đĐ":
            seq = "ñ"
        elif low not in "aeiouy" or not marks:
            out.append(ch)
            continue
        elif low == "i":
            seq = _VNI_I[tone]
        elif low == "y" and tone == DOT:
            seq = "î"
        elif HORN in marks:
            seq = ("ô" if low == "o" else "ö") + _VNI_TONE[tone]
        elif CIRCUMFLEX in marks:
            seq = low + _VNI_CIRCUMFLEX[tone]
        elif BREVE in marks:
            seq = low + _VNI_BREVE[tone]
        else:
            seq = low + _VNI_TONE[tone]
        out.append(seq.upper() if base.isupper() else seq)
    return "".join(out)


# --- ASCII stand-ins -----------------------------------------------------------------------------

_VIQR_QUALITY = {CIRCUMFLEX: "^", BREVE: "(", HORN: "+"}
_VIQR_TONE = {ACUTE: "'", GRAVE: "`", HOOK: "?", TILDE: "~", DOT: "."}
# VIQR text is 7-bit ASCII: typographic punctuation becomes its ASCII look-alike
_ASCII_PUNCTUATION = str.maketrans(
    {"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'", "‚": "'",
     "–": "-", "—": "-", "…": "...", "\u00a0": " "}
)  # fmt: skip


def _viqr(text: str) -> str:
    """VIQR (RFC 1456): "Nguyễn Đức" -> "Nguye^~n DDu+'c"; marks after the vowel, quality first.

    No escaping of a literal sign after a vowel ("Nội." -> "No^.i."), as most VIQR text had none;
    typographic punctuation becomes ASCII; a letter whose marks VIQR cannot write ("ü") stays.
    """
    out = []
    for ch in text.translate(_ASCII_PUNCTUATION):
        if ch.isascii():
            out.append(ch)
        elif ch in "đĐ":
            out.append("dd" if ch == "đ" else "DD")
        else:
            parts = unicodedata.normalize("NFD", ch)
            base, marks = parts[0], parts[1:]
            if not base.isascii() or any(
                m not in _VIQR_QUALITY and m not in _VIQR_TONE for m in marks
            ):
                out.append(ch)
                continue
            quality = "".join(_VIQR_QUALITY[m] for m in marks if m in _VIQR_QUALITY)
            tone = "".join(_VIQR_TONE[m] for m in marks if m in _VIQR_TONE)
            out.append(base + quality + tone)
    return "".join(out)


def _question_marks(text: str) -> str:
    """Every non-ASCII character lost as "?": text converted to ASCII with replacement."""
    return text.encode("ascii", "replace").decode("ascii")


# --- the damages ---------------------------------------------------------------------------------

tcvn3_as_cp1252 = _legacy("TCVN3 read as Windows-1252", "TCVN", "cp1252")
tcvn3_as_latin1 = _legacy("TCVN3 read as Latin-1", "TCVN", "latin-1")
viscii_as_cp1252 = _legacy("VISCII read as Windows-1252", "VISCII", "cp1252")
viscii_as_latin1 = _legacy("VISCII read as Latin-1", "VISCII", "latin-1")
cp1258_as_cp1252 = _legacy("Windows-1258 read as Windows-1252", "CP1258", "cp1252")
cp1258_as_latin1 = _legacy("Windows-1258 read as Latin-1", "CP1258", "latin-1")
utf8_as_cp1252 = _each(
    "UTF-8 read as Windows-1252", lambda t: t.encode().decode("cp1252", errors="replace")
)
utf8_as_latin1 = _each("UTF-8 read as Latin-1", lambda t: t.encode().decode("latin-1"))
vni_as_cp1252 = _each("VNI read as Windows-1252", _vni_as_cp1252)
viqr = _each("VIQR (RFC 1456)", _viqr)
question_marks = _each("'?' for every non-ASCII character", _question_marks)

DAMAGES = (
    tcvn3_as_cp1252,
    tcvn3_as_latin1,
    viscii_as_cp1252,
    viscii_as_latin1,
    cp1258_as_cp1252,
    cp1258_as_latin1,
    utf8_as_cp1252,
    utf8_as_latin1,
    vni_as_cp1252,
    viqr,
    question_marks,
)
