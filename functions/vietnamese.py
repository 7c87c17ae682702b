"""Find the words of a text that show broken Vietnamese: wrong decodings or impossible spelling."""

# Two verdicts
# ============
#
# A form that refuses a correct name is a worse failure than one that prints a typo an officer
# sees on the draft before signing. So only damage is refused (functions/text.py answers 422
# naming the field and its words): U+FFFD (R0), UTF-8 or a legacy encoding read as Windows-1252
# when the word shows it for certain (R1, R2), VIQR, VNI keystrokes and "?" stand-ins (R3),
# marks without a vowel or two tones in a syllable (R4a-b), and a maybe that the rest of the
# text or request shows for certain (R5); an odd syllable (R4c-e: "cảc", "laị", "đuợc", as
# often a typo as damage) is damage only beside a second one or beside certain damage.
# Doubt is said and accepted (a warning on the case, shown to the officers before they sign):
# one odd syllable; a word that is not Vietnamese as written and that a legacy encoding could
# have made from Vietnamese ("Zoë" may be VISCII for "Zoẻ"); a foreign name read as Vietnamese
# syllables (R4f); two words written as one ("TÀIKHOẢN", or a syllable against an ASCII word,
# "lệnhpdebuild": a typo no wrong decoding makes, so never damage; syllables capitalised one
# by one, "KýHiệu", "GiảmÂmLượng", are a program's name and pass).
# A word that is good Vietnamese as written raises no doubt ("Hoà" may be VNI for "Hồ", but is
# a name). The request is judged as a whole: each field with the evidence of
# the others (``Evidence``), so a short field is read with the damage its request shows.
#
# The rule set
# ============
#
# A text (NFC, control characters already refused) is split into words on whitespace (a no-break
# space U+00A0 does not split: UTF-8 "à" read as Windows-1252 ends in one); the word reported is
# that piece with ASCII punctuation stripped from both ends.  A word is damaged when:
#
# R0  it holds U+FFFD, the replacement character: bytes were lost in a wrong decoding.
# R1  UTF-8 read as Windows-1252 or Latin-1 ("Nguyá»…n", "Ä‘", "tÃ´i"): a run of characters that,
#     taken back to their Windows-1252/Latin-1 bytes (U+FFFD standing for a lost byte), is a valid
#     UTF-8 sequence of a Latin letter, a combining mark or typographic punctuation; also "Ã", "Â",
#     "Ä", "Æ" glued after a lower-case letter at the end of a word ("lÃ", its no-break space
#     gone).  An upper-case letter before a closing quote, a dash or a no-break space ("NGÃ”",
#     "ĐÃ KÝ") is only a maybe (R5).
# R2  a legacy 8-bit Vietnamese encoding read as Windows-1252: TCVN3/ABC (TCVN 5712, "NguyÔn",
#     "Thµnh"), VNI-Windows ("Nguyeãn", "Ñaûng"), Windows-1258 ("NguyêÞn") or VISCII.  The word is
#     decoded back (a U+FFFD as each byte Windows-1252 lacks, believed only in capitals, where the
#     legacy schemes put those bytes); when the result is good Vietnamese that differs from the
#     word, the word is damaged if it also shows signs no real word has: a symbol or control glued
#     inside it ("C—NG", "®i"), an accented capital inside lower case ("NguyÔn"), ª º ƒ Ÿ, or µ ð þ
#     after a letter, two accented letters in a word that is not good Vietnamese ("Ñaûng"), VNI's
#     mark bytes right after their vowel ("Nguyeãn", "Vaên", "Haø"; not "più", "naïve", "où") or
#     Windows-1258's inside a word ("Baòc"), a run without a vowel ("chñ", "trß": no language
#     writes one), a reading that is one of the commonest words ("víi" is "với"), or a word
#     misspelt as written whose reading is good ("thùc" is "thực").  Without such a sign it is
#     only a maybe (R5): "Zoë" is VISCII for "Zoẻ" and "vÒ" TCVN3 for "về".  ASCII quoted
#     in curly quotes ("id=“%s”") is no TCVN3, which would read them as two capitals.
# R3  ASCII stand-ins typed without a Vietnamese keyboard, only when decoding them gives good
#     Vietnamese: VIQR ("Nguye^~n", "Vie^.t") needs one of ^ ( + ` ~ after a vowel, VNI keystrokes
#     ("Vie65t") need digits between letters and a lower-case letter.  VIQR written with only
#     an apostrophe between a vowel and a letter ("kha'c") is certain unless English writes
#     it so ("don't", "O'Brien"); a dot ("Mu.c") or a final apostrophe is a maybe.  "?" between
#     letters ("Nguy?n", "--wrap=C?T"), opening a word ("?L?nh"), or after an onset cluster
#     ending a word ("ch?") is a letter lost by a conversion to a charset without it; a single
#     consonant before a final "?" ("s?", "B?") is a maybe.
# R4  spelling, on each run of letters (hyphens, slashes, apostrophes and digits separate runs):
#     a. a tone mark (U+0300 U+0301 U+0303 U+0309 U+0323) left uncomposed after NFC, or a grave or
#        hook above on a consonant ("ǹg", "b́"): tone mark without a vowel, or a second tone on a
#        toned vowel ("Nguyễ̀n"); a stray circumflex, breve or horn likewise;
#     b. at most one tone mark per syllable ("hóà" is damaged);
#     c. the syllable must parse as onset + rhyme.  Onsets: b c ch d đ g gh gi h k kh l m n ng ngh
#        nh p ph qu r s t th tr v x, plus f j w z and the clusters of minority place names and
#        transliterations (Krông, Brâu, Hrê, Xtiêng, Mát-xcơ-va).  Rhymes: (glide o/u) + nucleus
#        (a ă â e ê i y o ô ơ u ư, iê/yê/ia, uô/ua, ươ/ưa, oo) + coda (c ch m n ng nh p t, the
#        semivowels i y o u, and k h for minority names such as Đắk Lắk, Chư Păh, Đạ Tẻh), each
#        nucleus with the codas it takes (ă and â need one);
#     d. the tone sits on the main vowel; both styles are accepted where they differ: old "hoà
#        thuỷ hoá khoẻ uỷ" and new "hòa thủy hóa khỏe ủy" (open oa, oe, uy only);
#     e. a syllable ending in c, ch, p or t carries sắc or nặng ("các" is good, "càc" damaged).
#     Runs that are plain ASCII are never checked.  A run holding a letter Vietnamese does not use
#     (ü ç ñ ø ß ć ...) is foreign and accepted, unless it also holds a letter only Vietnamese uses
#     (ơ ư, hook above, dot below, a toned â ê ô ă, ...).  A run whose only marks are shared with
#     European languages (á à â ã é è ê í ì ó ò ô õ ú ù ý ă đ) is checked only when, without its
#     tone marks, it is a Vietnamese syllable ("càc", "hóà" are checked; "José", "Hélène" are not).
#     Upper-case runs without tone marks that do not parse are taken as acronyms ("BCHTƯ", "HĐND"),
#     and a single letter without a tone is always accepted.
#     f. a run that fails as one syllable is accepted when it is a foreign name as Vietnamese
#        writes it: 2-5 syllables run together ("Matxcơva", "Oasinhtơn", "Irắc"), or one part of
#        a hyphenated name ("Gil-bơt", "Be-la-ruxợ"); each syllable parses with the loan-word
#        onsets and holds one tone at most (the tone rules of native syllables do not bind it),
#        a syllable but the first opens on a consonant, and only the first letter may be a
#        capital (damage puts capitals inside: "NguyÔn"; two tones side by side stay "hóà").
# R5  context: a maybe of R1/R2 is reported when other words of the same text show that damage
#     for certain (of the legacy schemes, the one that explains most of them).  A text that also
#     holds good Vietnamese letters Windows-1252 lacks ("Văn") was mixed from two sources: there a
#     maybe that is good Vietnamese as written ("Hà") is not reported.  Maybes also corroborate
#     each other: a scheme that reads a foreign-looking word and a Vietnamese one as good
#     Vietnamese ("mô phöng" is TCVN3 "mô phỏng"), or two foreign-looking words as native
#     syllables with letters Windows-1252 lacks ("cöa sæ" is TCVN3 "cửa sổ"; "Zoë Lü" would
#     be VISCII "Zoẻ Lủ", opening as only loan words do), is certain in a text without
#     letters beyond Windows-1252 and without a plainly foreign word ("Jürgen Lü già", "più
#     où" pass).

from __future__ import annotations

import contextlib
import re
import string
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from functions.vietnamese_syllables import SEEN_SYLLABLES

__all__ = [
    "Evidence",
    "damage_report",
    "damaged_words",
    "evidence",
    "explain",
    "judge",
    "vietnamese_as_written",
]

_GRAVE, _ACUTE, _TILDE, _HOOK, _DOT = "\u0300", "\u0301", "\u0303", "\u0309", "\u0323"
_TONES = frozenset((_GRAVE, _ACUTE, _TILDE, _HOOK, _DOT))
_QUALITY_MARKS = frozenset(("\u0302", "\u0306", "\u031b"))  # circumflex, breve, horn
_VOWELS = frozenset("aăâeêioôơuưy")
_CONSONANTS = frozenset("bcdđghklmnpqrstvxfjwz")

_REASONS = {
    "fffd": "replacement character U+FFFD: bytes were lost in a wrong decoding",
    "utf8": "UTF-8 read as Windows-1252",
    "tcvn3": "legacy TCVN3 (ABC) encoding read as Windows-1252",
    "vni": "legacy VNI encoding read as Windows-1252",
    "cp1258": "legacy Windows-1258 encoding read as Windows-1252",
    "viscii": "legacy VISCII encoding read as Windows-1252",
    "viqr": "VIQR: Vietnamese marks typed as ASCII signs",
    "vnikeys": "VNI keystrokes typed as digits",
    "lost": "'?' in place of a letter: converted to a charset without Vietnamese letters",
}
_SCHEMES = ("tcvn3", "vni", "cp1258", "viscii")
_TWO_TONES = "two tone marks in one syllable"
_GLUED, _GLUED_REASON = "glued", "two words written as one"


# --- letters -------------------------------------------------------------------------------------


def _build_letters() -> dict[str, tuple[str, str]]:
    """Every Vietnamese letter, both cases -> (lower-case letter without tone, tone mark or "")."""
    table: dict[str, tuple[str, str]] = {}
    for base in _VOWELS:
        for tone in ("", *sorted(_TONES)):
            letter = unicodedata.normalize("NFC", base + tone)
            table[letter] = table[letter.upper()] = (base, tone)
    for consonant in _CONSONANTS:
        table[consonant] = table[consonant.upper()] = (consonant, "")
    return table


_LETTERS = _build_letters()
_SHARED = frozenset("áàâãéèêíìóòôõúùýăđ" + "áàâãéèêíìóòôõúùýăđ".upper())
_VIETNAMESE_ONLY = frozenset(c for c in _LETTERS if not c.isascii() and c not in _SHARED)

# --- syllables -----------------------------------------------------------------------------------

# (vowel core, codas or "-" for none, indices in the core where the tone may sit)
_RHYME_SPEC = (
    ("a", "- c ch m n ng nh p t i y o u k h", "0"),
    ("ă", "c m n ng p t k h", "0"),
    ("â", "c m n ng p t u y k h", "0"),
    ("e", "- c m n ng p t o k h", "0"),
    ("ê", "- ch m n ng nh p t u k h", "0"),
    ("i", "- ch m n nh p t u k h", "0"),
    ("y", "-", "0"),
    ("o", "- c m n ng p t i k h", "0"),
    ("oo", "c ng", "01"),
    ("ô", "- c m n ng p t i k h", "0"),
    ("ơ", "- m n p t i k h", "0"),
    ("u", "- c m n ng p t i k h", "0"),
    ("ư", "- c m n ng t i u k h", "0"),
    ("ia", "-", "0"),
    ("iê", "c m n ng p t u", "1"),
    ("yê", "m n ng p t u", "1"),
    ("ua", "-", "0"),
    ("uô", "c m n ng t i", "1"),
    ("ưa", "-", "0"),
    ("ươ", "c m n ng p t i u", "1"),
    ("oa", "-", "01"),
    ("oa", "c ch m n ng nh p t i y", "1"),
    ("oă", "c m n ng t", "1"),
    ("oe", "-", "01"),
    ("oe", "n t o", "1"),
    ("uâ", "n ng t y", "1"),
    ("uê", "- ch n nh", "1"),
    ("uy", "-", "01"),
    ("uy", "ch n nh t u p", "1"),
    ("uyê", "n t c", "2"),  # xuyệc (colloquial)
    ("uya", "-", "1"),
    ("uơ", "-", "1"),
)
_STOP_CODAS = frozenset(("c", "ch", "p", "t"))
_STANDARD_ONSETS = "b c ch d đ g gh gi h k kh l m n ng ngh nh p ph r s t th tr v x"
_EXTRA_ONSETS = (  # loan words, transliterations, minority languages
    "f j w z bl br cl cr dr đr fl fr gl gr hl hr kl kr mn pl pr sl sr tl vl vr xl xr"
    " xc xk xm xn xp xt xtr st str sc sk sp phn"
)
_ONSETS = frozenset(["", *_STANDARD_ONSETS.split(), *_EXTRA_ONSETS.split()])

_Rhymes = dict[str, tuple[frozenset[int], str]]


def _build_rhymes() -> tuple[_Rhymes, _Rhymes]:
    """Rhyme -> (tone positions, coda): after any onset, and after "qu" (whose u is the glide)."""
    plain: dict[str, tuple[set[int], str]] = {}
    after_qu: dict[str, tuple[set[int], str]] = {}
    for core, codas, positions in _RHYME_SPEC:
        allowed = {int(p) for p in positions}
        for coda in codas.split():
            coda = "" if coda == "-" else coda
            plain.setdefault(core + coda, (set(), coda))[0].update(allowed)
            if (len(core) == 1 and core not in "uư") or core == "yê":
                after_qu.setdefault(core + coda, (set(), coda))[0].update(allowed)
            elif core in ("uâ", "uê", "uy", "uyê", "uya", "uơ"):
                shifted = {p - 1 for p in allowed if p}
                after_qu.setdefault(core[1:] + coda, (set(), coda))[0].update(shifted)
            if core in ("oa", "oă") and coda:  # quoàng, quoạng, quoắt: the dictionary's rare
                after_qu.setdefault(core + coda, (set(), coda))[0].update(allowed)  # forms
    return (
        {k: (frozenset(p), c) for k, (p, c) in plain.items()},
        {k: (frozenset(p), c) for k, (p, c) in after_qu.items()},
    )


_RHYMES, _QU_RHYMES = _build_rhymes()


def _syllable_problem(bases: str, tones: tuple[str, ...], check_tone: bool = True) -> str | None:
    """Why the lower-case letters ``bases`` with per-letter ``tones`` are no syllable, or None."""
    marked = [(i, t) for i, t in enumerate(tones) if t]
    if check_tone and len(marked) > 1:
        return _TWO_TONES
    tone_at, tone = marked[0] if marked and check_tone else (-1, "")
    n = 0
    while n < len(bases) and bases[n] in _CONSONANTS:
        n += 1
    onset = bases[:n]
    splits: list[tuple[int, _Rhymes]] = []
    if onset == "q":
        if bases[n : n + 1] == "u":
            splits.append((n + 1, _QU_RHYMES))
    elif onset in _ONSETS:
        splits.append((n, _RHYMES))
        if onset == "g" and bases[n : n + 1] == "i" and n + 1 < len(bases):
            splits.append((n + 1, _RHYMES))
    problem = "not a possible Vietnamese syllable"
    for start, table in splits:
        entry = table.get(bases[start:])
        if entry is None or (start and table is _RHYMES and bases.startswith("yê", start)):
            continue  # yê is written so only without an onset (yên) or after a glide (uyên)
        positions, coda = entry
        if tone_at >= 0 and tone_at - start not in positions:
            problem = "tone mark on the wrong letter"
            continue
        if check_tone and coda in _STOP_CODAS and tone not in (_ACUTE, _DOT):
            problem = "only the sắc or nặng tone can end in c, ch, p or t"
            continue
        return None
    return problem


@lru_cache(maxsize=16384)
def _runs(text: str) -> tuple[str, ...]:
    """Maximal runs of letters and combining marks."""
    runs: list[str] = []
    current: list[str] = []
    for ch in text:
        if ch.isalpha() or unicodedata.combining(ch):
            current.append(ch)
        elif current:
            runs.append("".join(current))
            current = []
    if current:
        runs.append("".join(current))
    return tuple(runs)


@lru_cache(maxsize=16384)
def _run_problem(run: str) -> str | None:
    """Why one run of letters is not acceptable (rule R4), or None."""
    if run.isascii():
        return None
    bases: list[str] = []
    tones: list[str] = []
    previous = ""  # "vowel", "consonant", "foreign" or "" at the start
    foreign = vietnamese_only = toned_consonant = False
    for ch in run:
        entry = _LETTERS.get(ch)
        if entry is not None:
            bases.append(entry[0])
            tones.append(entry[1])
            previous = "vowel" if entry[0] in _VOWELS else "consonant"
            vietnamese_only = vietnamese_only or ch in _VIETNAMESE_ONLY
            continue
        if unicodedata.combining(ch):
            if ch in _TONES:
                if previous == "vowel" and tones[-1]:
                    return _TWO_TONES
                if previous in ("", "consonant"):
                    return "tone mark without a vowel"
                return "stray tone mark"
            if ch in _QUALITY_MARKS:
                return "stray circumflex, breve or horn"
            continue  # another language's combining mark
        parts = unicodedata.normalize("NFD", ch)
        if parts[0].lower() in _CONSONANTS and _TONES.intersection(parts):
            if _GRAVE in parts or _HOOK in parts:
                return "tone mark without a vowel"
            toned_consonant = True  # ń ñ ś ḍ: Polish, Spanish, transliterations ... or damage
        foreign = True
        previous = "foreign"
    if foreign:
        if toned_consonant and any(not b.isascii() and b != "đ" for b in bases):
            return "tone mark without a vowel"  # "Nguyêń": the acute slid onto the n
        return "Vietnamese letters mixed with foreign letters" if vietnamese_only else None
    if len(bases) == 1 and not tones[0]:
        return None
    word, marks = "".join(bases), tuple(tones)
    problem = _syllable_problem(word, marks)
    if problem is None:
        return None
    if not vietnamese_only and (
        not any(marks)  # French "prêt", "mât"
        or (problem == "tone mark on the wrong letter" and not set(word) & set("ăâêôđ"))
        or _syllable_problem(word, marks, check_tone=False) is not None
    ):
        return None  # only marks European languages share ("più", "José"): maybe foreign
    if not any(marks) and run.upper() == run:
        return None  # an acronym: BCHTƯ, HĐND
    if run.isupper() and problem == "not a possible Vietnamese syllable":
        for cut in range(1, min(3, len(word))):  # initials before a syllable: TMỤC, BTHỨC
            initials = word[:cut]
            if (
                set(initials) <= _CONSONANTS
                and initials not in _ONSETS  # "NGYỄN" is a misspelt NGUYỄN, not N.G. YỄN
                and _syllable_problem(word[cut:], marks[cut:]) is None
            ):
                return None
    return problem


def vietnamese_as_written(word: str) -> bool:
    """Every run of letters of ``word`` is Vietnamese as written (``_is_vietnamese_run``)."""
    return all(_is_vietnamese_run(run) for run in _runs(word))


@lru_cache(maxsize=16384)
def _is_vietnamese_run(run: str) -> bool:
    """A run of Vietnamese letters only that is a syllable, a letter without tone or an acronym."""
    if run.isascii():
        return True
    if any(ch not in _LETTERS for ch in run):
        return False
    entries = [_LETTERS[ch] for ch in run]
    if len(entries) == 1 and not entries[0][1]:
        return True
    bases = "".join(b for b, _ in entries)
    tones = tuple(t for _, t in entries)
    if not any(tones) and run.isupper() and sum(b in _VOWELS for b in bases) < 2:
        return True  # QĐ, HĐND, BCĐ
    return _syllable_problem(bases, tones) is None


# --- Windows-1252 bytes --------------------------------------------------------------------------


def _cp1252_bytes() -> dict[str, int]:
    """Character -> byte for Windows-1252, with Latin-1's C1 controls for its five holes."""
    table = {chr(b): b for b in range(0x100)}  # Latin-1
    for b in range(0x80, 0xA0):
        with contextlib.suppress(UnicodeDecodeError):  # the five holes stay Latin-1
            table[bytes([b]).decode("cp1252")] = b
    return table


_CP1252 = _cp1252_bytes()
_HOLES = (0x81, 0x8D, 0x8F, 0x90, 0x9D)  # undefined in Windows-1252: read as U+FFFD


def _to_bytes(text: str) -> list[int] | None:
    """The bytes ``text`` was read from as Windows-1252 (-1 for U+FFFD), or None."""
    out: list[int] = []
    for ch in text:
        b = _CP1252.get(ch)
        if b is None:
            if ch != "\ufffd":
                return None
            b = -1
        out.append(b)
    return out


def _fill_holes(data: list[int]) -> list[bytes]:
    """Every way to put back the bytes lost as U+FFFD (at most two of them)."""
    holes = [i for i, b in enumerate(data) if b < 0]
    if not holes:
        return [bytes(data)]
    if len(holes) > 2:
        return []
    options: list[list[int]] = [data]
    for i in holes:
        options = [[*o[:i], h, *o[i + 1 :]] for o in options for h in _HOLES]
    return [bytes(o) for o in options]


# --- R1: UTF-8 read as Windows-1252 --------------------------------------------------------------


def _class(byte_range: range, extra: str = "") -> str:
    chars = [ch for ch, b in _CP1252.items() if b in byte_range] + list(extra)
    return "[" + "".join(re.escape(c) for c in sorted(set(chars))) + "]"


_CONT = _class(range(0x80, 0xC0), "\ufffd")
_MOJIBAKE = re.compile(
    f"(?:{_class(range(0xC2, 0xE0))}{_CONT}|{_class(range(0xE0, 0xF0))}{_CONT}{{2}}"
    f"|{_class(range(0xF0, 0xF5))}{_CONT}{{3}})"
)
_SOFT = frozenset("’”»›…™–—\u00a0")  # after an upper-case letter these are punctuation, not bytes
_MARKER_AT_END = re.compile(r"[a-z][ÃÂÄÆ]\Z")


def _is_target(ch: str, three_bytes: bool) -> bool:
    """A character that UTF-8 mojibake plausibly came from."""
    cp = ord(ch)
    if three_bytes:
        return 0x1E00 <= cp <= 0x1EFF or 0x2000 <= cp <= 0x206F or cp in (0x20AB, 0x20AC)
    return 0xA0 <= cp <= 0x24F or 0x300 <= cp <= 0x36F


def _utf8_damage(word: str) -> str:
    """ "strong", "weak" ("NGÃ”" may be a quoted "NGÃ") or ""."""
    found = ""
    for match in _MOJIBAKE.finditer(word):
        data = _to_bytes(match.group())
        if data is None:
            continue
        decoded = ""
        for fill in (0x80, 0x90, 0xA0):
            try:
                decoded = bytes(fill if b < 0 else b for b in data).decode("utf-8")
                break
            except UnicodeDecodeError:
                continue
        if len(decoded) != 1 or not _is_target(decoded, len(data) > 2):
            continue
        before = word[match.start() - 1 : match.start()] if match.start() else ""
        after = word[match.end() : match.end() + 1]
        soft = match.group()[1]
        if (
            len(data) == 2
            and soft in _SOFT
            and not before.islower()
            and decoded not in _VIETNAMESE_ONLY
            and (soft in "\u00a0–—" or not after.isalpha())
        ):
            found = "weak"  # an upper-case letter before a quote, a dash or a no-break space
            continue
        return "strong"
    if _MARKER_AT_END.search(word):
        return "strong"
    return found


# --- R2: legacy encodings read as Windows-1252 ---------------------------------------------------

_TCVN3_HIGH = (
    "ÀẢÃÁẠẶẬÈẺẼÉẸỆÌỈĨ"  # 80
    "ÍỊÒỎÕÓỌỘỜỞỠỚỢÙỦŨ"  # 90
    "\u00a0ĂÂÊÔƠƯĐăâêôơưđẰ"  # A0
    "\u0300\u0309\u0303\u0301\u0323àảãáạẲằẳẵắẴ"  # B0
    "ẮẦẨẪẤỀặầẩẫấậèỂẻẽ"  # C0
    "éẹềểễếệìỉỄẾỒĩíịò"  # D0
    "Ổỏõóọồổỗốộờởỡớợù"  # E0
    "ỖủũúụừửữứựỳỷỹýỵỐ"  # F0
)
_VISCII_HIGH = (
    "ẠẮẰẶẤẦẨẬẼẸẾỀỂỄỆỐ"  # 80
    "ỒỔỖỘỢỚỜỞỊỎỌỈỦŨỤỲ"  # 90
    "Õắằặấầẩậẽẹếềểễệố"  # A0
    "ồổỗỠƠộờởịỰỨỪỬơớƯ"  # B0
    "ÀÁÂÃẢĂẳẵÈÉÊẺÌÍĨỳ"  # C0
    "ĐứÒÓÔạỷừửÙÚỹỵÝỡư"  # D0
    "àáâãảăữẫèéêẻìíĩỉ"  # E0
    "đựòóôõỏọụùúũủýợỮ"  # F0
)
_TCVN3_LOW = {
    0x01: "Ú", 0x02: "Ụ", 0x04: "Ừ", 0x05: "Ử", 0x06: "Ữ", 0x11: "Ứ",
    0x12: "Ự", 0x13: "Ỳ", 0x14: "Ỷ", 0x15: "Ỹ", 0x16: "Ý", 0x17: "Ỵ",
}  # fmt: skip
_VISCII_LOW = {0x02: "Ẳ", 0x05: "Ẵ", 0x06: "Ẫ", 0x14: "Ỷ", 0x19: "Ỹ", 0x1E: "Ỵ"}
_TCVN3 = "".join(_TCVN3_LOW.get(b, chr(b)) for b in range(0x80)) + _TCVN3_HIGH
_VISCII = "".join(_VISCII_LOW.get(b, chr(b)) for b in range(0x80)) + _VISCII_HIGH

# VNI-Windows writes a letter as a base letter followed by a mark byte (or as one byte for
# i y ơ ư đ); read as Windows-1252 those bytes are Latin-1 letters.
_VNI_SINGLE = {
    "í": "í",
    "ì": "ì",
    "æ": "ỉ",
    "ó": "ĩ",
    "ò": "ị",
    "î": "ỵ",
    "ô": "ơ",
    "ö": "ư",
    "ñ": "đ",
}
_VNI_MARKS = {
    "ù": _ACUTE, "ø": _GRAVE, "û": _HOOK, "õ": _TILDE, "ï": _DOT,
    "â": "\u0302", "á": "\u0302" + _ACUTE, "à": "\u0302" + _GRAVE, "å": "\u0302" + _HOOK,
    "ã": "\u0302" + _TILDE, "ä": "\u0302" + _DOT,
    "ê": "\u0306", "é": "\u0306" + _ACUTE, "è": "\u0306" + _GRAVE, "ú": "\u0306" + _HOOK,
    "ü": "\u0306" + _TILDE, "ë": "\u0306" + _DOT,
}  # fmt: skip
_VNI = {
    **_VNI_MARKS,
    **{k.upper(): v for k, v in _VNI_MARKS.items()},
    **_VNI_SINGLE,
    **{k.upper(): v.upper() for k, v in _VNI_SINGLE.items()},
}


@lru_cache(maxsize=16384)
def _decodings(word: str) -> tuple[tuple[str, str], ...]:
    """(scheme, text) for each legacy scheme under which ``word`` reads differently (asked
    for a word's maybes and again when maybes corroborate each other)."""
    out: list[tuple[str, str]] = []
    data = _to_bytes(word)
    if data is None:
        return ()
    holes = [i for i, b in enumerate(data) if b < 0]
    candidates = _fill_holes(data)
    for scheme in ("tcvn3", "cp1258", "viscii"):
        for raw in candidates:
            if scheme == "tcvn3":
                text = "".join(_TCVN3[b] for b in raw)
            elif scheme == "viscii":
                text = "".join(_VISCII[b] for b in raw)
            else:
                text = raw.decode("cp1258", errors="replace")
            text = unicodedata.normalize("NFC", text)
            if holes and not (text.isupper() or holes == [0]):
                continue  # the holes are capitals: believe them in capitals only
            if text != word and _all_vietnamese(text, word):
                out.append((scheme, text))
                break
    if -1 not in data:
        text = unicodedata.normalize("NFC", "".join(_VNI.get(ch, ch) for ch in word))
        if text != word and _all_vietnamese(text, word):
            out.append(("vni", text))
    return tuple(out)


def _all_vietnamese(text: str, original: str | None = None) -> bool:
    """Good Vietnamese with an accented letter, decoded from more than typography."""
    runs = _runs(text)
    if not all(_is_vietnamese_run(r) for r in runs) or all(r.isascii() for r in runs):
        return False
    if original is None:
        return any(len(r) > 1 for r in runs if not r.isascii())
    typography = _OPENERS | _CLOSERS
    return any(ch.isalpha() or not (ch.isascii() or ch in typography) for ch in original)


_TYPOGRAPHIC = "“”‘’«»‹›„‚…•–—"  # stripped for a second try: they are letters in TCVN3
_OPENERS = frozenset("“‘«‹„‚¿¡•–—")  # may stand glued before a word
_CLOSERS = frozenset("”’»›…™®©°¹²³ªº–—")  # may stand glued after a word
_DASHES = frozenset("–—")


def _suspicious(word: str, decoded: str, scheme: str) -> bool:
    """Whether ``word`` is bad enough by itself that its decoding is no accident.

    A short foreign word with one accent can decode to Vietnamese ("Zoë" is VISCII for "Zoẻ",
    "più" VNI for "pí"): such a word counts only with others (rule R5).  Certain are: a symbol or
    control character glued to letters, an upper-case accented letter after a lower-case one
    ("NguyÔn"), ª º or µ ð þ after a letter, two accented letters in a word that is not good
    Vietnamese, and VNI's circumflex or breve bytes after their vowel ("Nguyeãn", "Vaên").
    """
    letters = [i for i, ch in enumerate(word) if ch.isalpha()]
    new_runs = {r for r in _runs(decoded) if not r.isascii() and len(r) + len(letters) > 2}
    if not letters or not new_runs - set(_runs(word)):
        return False  # a lone letter, or nothing new: "µ" may be TCVN3 "à", or a micro sign
    for i, ch in enumerate(word):
        if (ch.isascii() and ch.isprintable()) or ch.isalpha() or unicodedata.combining(ch):
            continue
        if i < letters[0]:
            if ch not in _OPENERS:
                return True
        elif i > letters[-1]:
            if ch not in _CLOSERS:
                return True
        elif ch not in _DASHES or len(letters) > 2:
            return True  # "B—C" is TCVN3 for "BỘC" or two letters and a dash: unsure
    # a capital inside a syllable ("dÕng" is VISCII "dạng") is no Vietnamese as written,
    # where one opening each syllable of a program's name ("KýHiệu") is
    if _MIXED_CASE.search(word) and not any(map(_camel_case, _runs(word))):
        return True
    if vietnamese_as_written(word):
        return False
    if _ODD_LETTERS.search(word):
        return True
    if any(not run.isascii() and not any(map(_is_vowel, run)) for run in _runs(word)):
        return True  # "chñ", "trß", "Cš": no language writes a word without a vowel so
    if sum(not ch.isascii() and ch.isalpha() for ch in word) > 1:
        return True
    signs = _SCHEME_SIGNS.get(scheme)
    decoded_words = [r for r in _runs(decoded) if not r.isascii()]
    if signs is None or any(r[0].lower() in _LOAN_INITIALS for r in decoded_words):
        return False  # "Jaén" reads as VNI "Jắn", but no Vietnamese word opens on j, f, w, z
    return any(m.group().lower() not in _FOREIGN_PAIRS for m in signs.finditer(word))


def _is_vowel(ch: str) -> bool:
    return unicodedata.normalize("NFD", ch)[0].lower() in "aeiouy" or ch in "æøœÆØŒ"


# An accented capital inside a lower-case word: "NguyÔn", "CÇn", "HÕnh".
_MIXED_CASE = re.compile(r"[a-zß-ÿ][À-ÖØ-Þ]|(?<=[^\W\d_])[À-ÖØ-Þ][a-zß-ÿ]")
_ODD_LETTERS = re.compile(r"[ªºƒŸ]|[^\W\d_][µðþ]")
# A mark byte right after its vowel: VNI "Nguyeãn", "Vaên", "Haø"; Windows-1258 "Baò", "BIÌNH".
_SCHEME_SIGNS = {
    "vni": re.compile(r"[aeoAEO][âáàåãäÂÁÀÅÃÄ]|[aA][êéèúüëÊÉÈÚÜË]|[aeiouyôöAEIOUYÔÖ][ùøûõïÙØÛÕÏ]"),
    "cp1258": re.compile(r"[aeiouyâêôõýãAEIOUYÂÊÔÕÝÃ](?:[ìòÌÒ](?=[^\W\d_])|Þ)"),
}
_LOAN_INITIALS = frozenset("fjwz")
_LOAN_OPENINGS = _LOAN_INITIALS | {"p"}  # native syllables open on p only in loan words
_FOREIGN_PAIRS = frozenset(("iù", "où", "aï", "oï", "uï", "oû"))  # più, où, naïve, Loïc, goût


_UNIT = re.compile(r"(?:\A|(?<=\d))[µμ](?:m|g|l|L|s|V|A|F|W|Hz|mol|Pa)\Z")  # "µm", "5µm"


def _quoting(word: str) -> bool:
    """ "id=“%s”", "L”\\u%x”": ASCII quoted with curly quotes, which TCVN3 would read as two
    capitals (a TCVN3 word needs one such capital at most: "C—NG" is "CỘNG")."""
    quotes = [ch for ch in word if not ch.isascii()]
    return len(quotes) > 1 and set(quotes) <= _QUOTES


_QUOTES = frozenset("“”‘’")


def _legacy_damage(word: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(schemes that certainly damaged ``word``, schemes that may have)."""
    if (word.isascii() and word.isprintable()) or _UNIT.search(word) or _quoting(word):
        return (), ()
    certain: list[str] = []
    maybe: list[str] = []
    for variant in dict.fromkeys((word, word.strip(_TYPOGRAPHIC))):
        for scheme, decoded in _decodings(variant):
            sure = _suspicious(variant, decoded, scheme) or _common_reading(variant, decoded)
            (certain if sure else maybe).append(scheme)
    certain = list(dict.fromkeys(certain))
    return tuple(certain), tuple(k for k in dict.fromkeys(maybe) if k not in certain)


# The commonest Vietnamese words: this list, and the syllables real prose uses often
# (functions/vietnamese_syllables.py, seen at least twice in the two corpora the rules were
# tuned on). A word that is not Vietnamese as written but that a legacy encoding makes from
# one of them is damage ("víi" is TCVN3 for "với", "taïi" VNI for "tại", "Lçi" TCVN3 for
# "Lỗi"): no foreign word reads so, where "Zoë" (VISCII "Zoẻ") or "più" (VNI "pí") do.
_COMMON_WORDS = """
    và của là có các không những được cho với trong người này một để đã đến khi từ theo
    như về năm cũng thì sẽ ra nhiều hoặc nếu tại mỗi sau trên dưới đó đây vào lại còn hơn
    phải rất bị đang chỉ nhưng vì nên làm bằng thể việc đi đều cùng nào gì ai mà hay
    chúng tôi bạn họ nó ông bà anh chị em mình ta quá nữa vẫn đều thế sự dụng tệp gói
    mục lục phần trình chương dùng dụng tạo cài đặt tên tin thư hệ thống số lệnh nhận xét
    đảng viên chi bộ ủy ban thường vụ bí thư phó đồng chí xã phường huyện tỉnh thành phố
    ngày tháng sinh quê quán nơi ở chuyển sinh hoạt chính thức tạm thời giấy giới thiệu
    đoàn thể công tác cơ quan đơn vị địa chỉ điện thoại nghề nghiệp dân tộc tôn giáo
    trình độ học vấn lý luận nhà nước kết nạp ngày nay mới cũ trước giữa ngoài
    nguồn gốc chọn bởi gồm mở bổ sung buộc giả chủ giờ phút giây tới giống mẫu kiểu dấu
    cỡ lề loại phạm vi nhóm chạy dịch chỉnh tính tham khảo bản quản lý sử tất cả mọi lúc
    chung riêng đúng sai hết thêm bớt xóa sửa đổi giữ lấy gửi nhận đọc viết nghĩa định
    dạng danh sách trang cuối đầu giá trị kích thước tiếp theo nhỏ lớn cao thấp dài ngắn
    nhanh chậm sớm muộn trong khoảng cách khác nhau giúp biết hiểu thấy muốn cần nếu hãy
    đây kia ấy vậy rồi chưa hoặc cả hai ba bốn năm sáu bảy tám chín mười trăm nghìn triệu
"""
_COMMONEST = frozenset(_COMMON_WORDS.split())
_COMMON = _COMMONEST | SEEN_SYLLABLES


def _common_reading(word: str, decoded: str) -> bool:
    """Whether ``decoded`` is one of the commonest words and ``word`` not Vietnamese: letters
    that are not, no letter at all ("®·" is TCVN3 "đã"), or capitals before a sign that the
    reading makes their last letter ("C³" is VISCII "CỠ", "T»" "TỪ": a sign glued after a
    capital is rare, where "m²" stays a unit). A syllable only prose has shown often counts
    unless the word is written as French writes ("Loïc" reads as VNI "Lọc")."""
    readings = [r.lower() for r in _runs(decoded) if not r.isascii()]
    french = any(pair in word.lower() for pair in _FOREIGN_PAIRS)
    common = _COMMONEST if french else _COMMON
    sign_read_as_capital = (
        word[-1:] in _CLOSERS and word[-2:-1].isupper() and decoded[-1:].isupper()
    )
    return (
        bool(readings)
        and all(r in common and len(r) > 1 for r in readings)
        and (not _runs(word) or sign_read_as_capital or not vietnamese_as_written(word))
    )


# --- R3: ASCII stand-ins -------------------------------------------------------------------------

_VIQR_HINT = re.compile(r"[aeoAEO]\^|[aA]\(|[ouOU]\+|[aeiouyAEIOUY][`~]")
_VIQR_QUALITY = {"^": "\u0302", "(": "\u0306", "+": "\u031b"}
_VIQR_TONE = {"'": _ACUTE, "`": _GRAVE, "?": _HOOK, "~": _TILDE, ".": _DOT}
_VIQR_MARKS = {**_VIQR_QUALITY, **_VIQR_TONE}
_QUALITY_OK = {"\u0302": "aeo", "\u0306": "a", "\u031b": "ou"}
_VNI_KEYS_HINT = re.compile(r"[A-Za-z][1-9]+[A-Za-z]")
_VNI_KEYS = {
    "1": _ACUTE, "2": _GRAVE, "3": _HOOK, "4": _TILDE, "5": _DOT,
    "6": "\u0302", "7": "\u031b", "8": "\u0306",
}  # fmt: skip
_LOST = re.compile(r"[^\W\d_]+(?:\?+[^\W\d_]+)+")
_LOST_PAIR = re.compile(r"(.)\?+(?=(.))")
_PART_JOINS = re.compile(r"[_\d.=\[\]/-]+")
_QUERY = re.compile(r"\?[\w.-]+=")  # a web address's query ("page.php?id=3") asks nothing
_LOST_AT_END = re.compile(r"([A-Za-z]+)\?")
_LOST_ONSETS = frozenset(_STANDARD_ONSETS.split()) - {"đ"}


def _lost_at_end(word: str) -> str:
    """The Vietnamese onset standing alone before a final "?", where its vowel was ("s?" sẻ,
    "nh?" nhé, "Gi?" Giờ), or ""; "What?", "Ai?" are questions."""
    if not word.endswith("?") or _QUERY.search(word):
        return ""
    match = _LOST_AT_END.fullmatch(_PART_JOINS.split(word.rstrip("?"))[-1] + "?")
    onset = match.group(1).lower() if match else ""
    return onset if onset in _LOST_ONSETS else ""


def _lost_letter(word: str) -> bool:
    """ "Nguy?n", "NGUY?N", "N?ng", "BI?U_TH?C", "??a": letters of one case on both sides of
    "?", a word's capital before it ("What?Why" is English), or "?" opening a word of small
    letters; "_", digits and signs join the parts of a name ("CHU?I1", "--wrap=C?T")."""
    if "?" not in word or _QUERY.search(word):
        return False
    parts = _PART_JOINS.split(word)
    if any(_lost_in_part(part) for part in parts):
        return True
    # two parts that are an onset before "?" or only "??": "K?_T?" (KÝ_TỰ), "CH?_??" (CHẾ_ĐỘ)
    return sum(_bare_onset(part) or (len(part) > 1 and not part.strip("?")) for part in parts) > 1


def _bare_onset(part: str) -> bool:
    return part.endswith("?") and part.rstrip("?").lower() in _LOST_ONSETS


def _lost_in_part(part: str) -> bool:
    rest = part.lstrip("?")
    if rest != part and rest.isalpha() and (rest.islower() or rest.isupper()):
        return True  # "??a" (đưa), "?ng" (ông), "??C": no word starts with a question mark
    if _LOST.fullmatch(rest) is None:  # "?L?nh": a no-break space lost before "Lệnh"
        return False
    for match in _LOST_PAIR.finditer(rest):
        before, after = match.group(1), match.group(2)
        same_case = (before.islower() and after.islower()) or (before.isupper() and after.isupper())
        capital_of_the_word = match.start() == 0 and before.isupper() and after.islower()
        if same_case or capital_of_the_word:
            return True
    return False


def _apply_marks(word: str, marks: dict[str, str], stroke: str) -> str:
    """Put ``marks`` (sign -> combining mark) typed after vowels onto them; d + ``stroke`` is đ."""
    out: list[str] = []
    i = 0
    while i < len(word):
        ch = word[i]
        low = ch.lower()
        if low == "d" and word[i + 1 : i + 2] and word[i + 1] in stroke:
            out.append("Đ" if ch == "D" else "đ")
            i += 2
            continue
        out.append(ch)
        i += 1
        if low not in "aeiouy":
            continue
        quality = tone = ""
        while i < len(word) and word[i] in marks:
            mark = marks[word[i]]
            if mark in _TONES and not tone:
                tone = mark
            elif mark in _QUALITY_OK and not quality and low in _QUALITY_OK[mark]:
                quality = mark
            else:
                break
            i += 1
        if quality == "\u031b" and low == "o" and len(out) > 1 and out[-2] in "uU":
            out[-2] += quality  # uo7 / uo+ -> ươ
        out[-1] += quality + tone
    return unicodedata.normalize("NFC", "".join(out))


def _ascii_damage(word: str) -> str:
    """R3 on a word with ASCII punctuation kept: "viqr", "vnikeys", "lost" or ""."""
    if _VIQR_HINT.search(word):
        for variant in dict.fromkeys((word, word.removesuffix("."))):  # "na`o.": a full stop
            decoded = _apply_marks(variant, _VIQR_MARKS, "dD")
            if decoded != variant and _all_vietnamese(decoded):
                return "viqr"
    if _VNI_KEYS_HINT.search(word) and any(c.islower() for c in word):
        decoded = _apply_marks(word, _VNI_KEYS, "9")
        if decoded != word and _all_vietnamese(decoded):
            return "vnikeys"
    return ""


# VIQR's acute and dot below are also an apostrophe and a full stop ("I'm", "e.g."): a word
# holding a dot between a vowel and a letter is only a maybe, damage once the text has two.
# An apostrophe between a vowel and a letter is VIQR for certain when the word reads as
# Vietnamese and the apostrophe is none of English's ("kha'c"; not "don't", "Hawai'i"); at the
# end of a word it may close a quote ("no'"); a full stop ending a word may end the sentence.
# A word opening on VIQR's "dd" (đ) before a vowel is VIQR for certain ("ddo.c", "DDi.nh").
_VIQR_MAYBE_HINT = re.compile(r"[aeiouyAEIOUY](?:'|\.(?=[A-Za-z]))")
_ENGLISH_APOSTROPHE = re.compile(r"n't|'(?:s|m|d|ll|re|ve)\Z|\A[A-Za-z]'", re.IGNORECASE)
_VIQR_MAYBES_FOR_CERTAIN = 2
_VIQR_STROKE = re.compile(r"(?:dd|DD|Dd)[aeiouyAEIOUY]")
_LOST_MAYBES_FOR_CERTAIN = 2  # a field rarely asks two questions


def _viqr_signs_only(word: str) -> str:
    """ "viqr" ("kha'c"), "maybe" ("Mu.c") or "": VIQR with only the signs English uses too."""
    if ("'" not in word and "." not in word) or not _VIQR_MAYBE_HINT.search(word):
        return ""
    for variant in dict.fromkeys((word, word.removesuffix("."))):
        decoded = _apply_marks(variant, _VIQR_MARKS, "dD")
        if decoded != variant and _all_vietnamese(decoded):
            english = _ENGLISH_APOSTROPHE.search(variant)
            inside = re.search(r"[aeiouyAEIOUY]'[A-Za-z]", variant)  # "kha'c"; "no'" may quote
            stroke = _VIQR_STROKE.match(variant)  # "ddo.c", "DDi.nh": no English word opens so
            return "viqr" if (inside and not english) or stroke else "maybe"
    return ""


# --- words ---------------------------------------------------------------------------------------

# Spaces split words; the no-break space does not, nor do C1 controls Python counts as spaces.
_SPLIT = re.compile("[\t\n\v\f\r \u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")
_ASCII_PUNCT = string.punctuation
_VIQR_EDGES = '"([{<>}]),;:!'
_LOST_EDGES = _ASCII_PUNCT.replace("?", "")


@lru_cache(maxsize=16384)
def _judge(chunk: str) -> tuple[str, str, tuple[str, ...]]:
    """(kind or "", reason or "", other kinds) for one whitespace-separated chunk.

    With a kind, the other kinds are more schemes that explain the damage as well; without one,
    the schemes that would explain the chunk if the rest of the text shows them (rule R5).
    """
    word = chunk.strip(_ASCII_PUNCT)
    if "\ufffd" in word:
        if _utf8_damage(word) == "strong":
            return "utf8", _REASONS["utf8"], ()
        legacy = _legacy_damage(word)[0]
        kind = legacy[0] if legacy else "fffd"
        return kind, _REASONS[kind], legacy[1:]
    utf8 = _utf8_damage(word)
    if utf8 == "strong":
        return "utf8", _REASONS["utf8"], ()
    legacy, maybe = _legacy_damage(word)
    if legacy:
        return legacy[0], _REASONS[legacy[0]], legacy[1:]
    if chunk.isascii():
        kind = _ascii_damage(chunk.strip(_VIQR_EDGES))
        if kind:
            return kind, _REASONS[kind], ()
        signs_only = _viqr_signs_only(chunk.strip(_VIQR_EDGES))
        if signs_only == "viqr":
            return "viqr", _REASONS["viqr"], ()
        if signs_only:
            return "", "", ("viqr",)
    if _lost_letter(chunk.strip(_LOST_EDGES)):
        return "lost", _REASONS["lost"], ()
    onset = _lost_at_end(chunk.strip(_LOST_EDGES))
    if len(onset) > 1:
        return "lost", _REASONS["lost"], ()  # "ch?", "ngh?": no question ends on an onset
    if onset:
        return "", "", ("lost",)  # "s?" (sẻ) or "B?": decided by the rest of the text
    runs = _runs(word)
    hyphenated = len(runs) > 1 and "-" in word
    for run in runs:
        problem = _run_problem(run)
        if problem and not _camel_case(run):
            if not _foreign_name_in_syllables(run, hyphenated):
                readings = [k for k in maybe if k in _SCHEMES]
                if readings:  # "tíi", "thùc": misspelt as written, good Vietnamese decoded
                    return readings[0], _REASONS[readings[0]], tuple(readings[1:])
                if problem == _TWO_TONES and _glued_syllables(run):
                    return _GLUED, _GLUED_REASON, ()
                if problem in _ODD_PROBLEMS and _glued_to_ascii(run):
                    return _GLUED, _GLUED_REASON, ()
                return (_ODD if problem in _ODD_PROBLEMS else "spelling"), problem, ()
            maybe = (*maybe, "name")
    return "", "", (("utf8",) if utf8 else ()) + maybe


_MAX_NAME_SYLLABLES = 5
_LONGEST_SYLLABLE = 6  # letters of the pieces tried (a longer cut lets damage pass as a name)


@lru_cache(maxsize=4096)
def _camel_case(run: str) -> bool:
    """ "KýHiệu", "ChưaBiết", "ĐóngVới", "GiảmÂmLượng": syllables joined as a name in a
    program is, each with a capital and its tone where Vietnamese puts it, the later ones
    opening on a consonant unless the run holds a letter Windows-1252 lacks ("NguyÔn" is
    TCVN3 damage)."""
    parts: list[str] = []
    for ch in run:
        if ch.isupper() or not parts:
            parts.append(ch)
        else:
            parts[-1] += ch
    # a part may open on a vowel ("GiảmÂmLượng") only beside letters Windows-1252 lacks,
    # which no legacy encoding read as Windows-1252 makes: "NguyÔn" is TCVN3 "Nguyễn"
    beyond = not _BEYOND_CP1252.isdisjoint(run)
    return len(parts) > 1 and all(
        # a one-letter part is a syllable with its tone: "Ý" in "ĐọcÝKiến"
        (part[1:].islower() or (len(part) == 1 and bool(_LETTERS.get(part, ("", ""))[1])))
        and _is_vietnamese_run(part)
        and (i == 0 or beyond or _LETTERS[part[0]][0] in _CONSONANTS)
        for i, part in enumerate(parts)
    )


@lru_cache(maxsize=4096)
def _glued_syllables(run: str) -> bool:
    """ "ĐIỀUKHIỂN", "CHỈSỐ": two or more native syllables written without a space (a typo,
    so a doubt), each with its tone where Vietnamese puts it, the later ones opening on a
    consonant; "hóà" and "củả" cannot be cut so and stay damage."""
    if not (run[1:].islower() or run.isupper()):
        return False
    return (_fewest_syllables(run, check_tone=True) or 0) >= 2


@lru_cache(maxsize=4096)
def _glued_to_ascii(run: str) -> bool:
    """ "lệnhpdebuild", "TỐaa", "uupdateđược": a Vietnamese syllable written against an ASCII
    word of two letters or more with a vowel (a typo, so a doubt; "địng" is no "đị ng"); the
    second word opens on a consonant or on a small letter after a capital ("Ngy|ễn" is one
    misspelt syllable). The syllable holds a letter that Windows-1252 lacks, which no legacy
    encoding read as Windows-1252 ever makes."""
    for cut in range(1, len(run)):
        second = run[cut:]
        # the second word opens on a consonant, or on a small letter after a capital
        opens = not _is_vowel(second[0]) or (run[cut - 1].isupper() and second[0].islower())
        if not opens:
            continue
        for syllable, other in ((run[:cut], second), (second, run[:cut])):
            if (
                len(other) >= 2
                and other.isascii()
                and any(map(_is_vowel, other))
                and not _BEYOND_CP1252.isdisjoint(syllable)
                and _is_vietnamese_run(syllable)
            ):
                return True
    return False


# A syllable Vietnamese cannot have, or a tone it cannot carry where it is, is a typo as
# often as damage ("cảc", "laị", "đuợc"): one such word is a doubt, two in a request damage.
_ODD = "odd"
_ODD_PROBLEMS = frozenset(
    (
        "not a possible Vietnamese syllable",
        "tone mark on the wrong letter",
        "only the sắc or nặng tone can end in c, ch, p or t",
    )
)
_ODD_WORDS_FOR_DAMAGE = 2


@lru_cache(maxsize=4096)
def _foreign_name_in_syllables(run: str, hyphenated: bool) -> bool:
    """R4f: a foreign name as Vietnamese writes it: syllables run together ("Matxcơva",
    "Oasinhtơn", "Irắc") or one of hyphenated ones ("Gil-bơt"). Each syllable parses with
    the loan-word onsets, holds one tone at most and need not follow the tone rules; a
    capital can only open the name (damage puts them inside: "NguyÔn"), and a syllable but
    the first opens on a consonant."""
    if not run[1:].islower():
        return False
    syllables = _fewest_syllables(run, check_tone=False, most=_MAX_NAME_SYLLABLES)
    return syllables is not None and syllables >= (1 if hyphenated else 2)


def _fewest_syllables(run: str, check_tone: bool, most: int | None = None) -> int | None:
    """The fewest syllables the letters of ``run`` can be cut into, ``most`` at most (None:
    they cannot): each with a vowel and one tone at most, parsing (with the tone rules when
    ``check_tone``), a syllable but the first opening on a consonant ("hóà" is not "hó-à")."""
    if any(ch not in _LETTERS for ch in run):
        return None
    entries = [_LETTERS[ch] for ch in run]
    bases = "".join(base for base, _ in entries)
    tones = tuple(tone for _, tone in entries)
    # cut[i]: the fewest syllables bases[:i] splits into (None: it does not)
    cut: list[int | None] = [0] + [None] * len(bases)
    for end in range(1, len(bases) + 1):
        for start in range(max(0, end - _LONGEST_SYLLABLE), end):
            before = cut[start]
            piece, marks = bases[start:end], tones[start:end]
            if before is None or (most is not None and before >= most):
                continue
            if not set(piece) & _VOWELS or sum(map(bool, marks)) > 1:
                continue
            if start and piece[0] not in _CONSONANTS:
                continue
            if _syllable_problem(piece, marks, check_tone=check_tone) is None:
                best = cut[end]
                cut[end] = before + 1 if best is None else min(best, before + 1)
    return cut[len(bases)]


def _display(chunk: str, kind: str) -> str:
    if kind in ("viqr", "vnikeys", "lost"):
        return chunk.strip(_VIQR_EDGES)
    return chunk.strip(_ASCII_PUNCT)


_CONTEXT = ", like other words of the text"
_BEYOND_CP1252 = frozenset(c for c in _LETTERS if c not in _CP1252)


@dataclass(frozen=True)
class Evidence:
    """What a text shows for certain, for judging its maybes and those of the texts beside
    it (R5): per legacy scheme, the certainly damaged words it explains; the kinds of
    certain damage; how many words may be VIQR. Evidence adds up over a request's fields."""

    schemes: tuple[int, ...] = (0,) * len(_SCHEMES)
    kinds: frozenset[str] = frozenset()
    viqr_maybes: int = 0
    odd_words: int = 0  # words whose only fault is an odd syllable (R4c-e)
    lost_maybes: int = 0  # words ending in "?" glued to a letter ("s?" for "sẻ", or "what?")

    def __add__(self, other: Evidence) -> Evidence:
        return Evidence(
            tuple(a + b for a, b in zip(self.schemes, other.schemes, strict=True)),
            self.kinds | other.kinds,
            self.viqr_maybes + other.viqr_maybes,
            self.odd_words + other.odd_words,
            self.lost_maybes + other.lost_maybes,
        )

    def __sub__(self, other: Evidence) -> Evidence:
        """The evidence without ``other``'s counts (kinds stay: sets do not subtract, and a
        field's own kinds count for it anyway)."""
        return Evidence(
            tuple(a - b for a, b in zip(self.schemes, other.schemes, strict=True)),
            self.kinds,
            self.viqr_maybes - other.viqr_maybes,
            self.odd_words - other.odd_words,
            self.lost_maybes - other.lost_maybes,
        )


_Judged = list[tuple[str, str, str, tuple[str, ...]]]


def _judged(text: str) -> _Judged:
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return [(chunk, *_judge(chunk)) for chunk in _SPLIT.split(text) if chunk]


def _evidence(judged: _Judged) -> Evidence:
    schemes = dict.fromkeys(_SCHEMES, 0)
    kinds: set[str] = set()
    viqr = odd = lost = 0
    for _, kind, _, others in judged:
        if kind in schemes:
            for name in (kind, *others):
                schemes[name] += 1
        if kind == _ODD:
            odd += 1
        elif kind == _GLUED:
            continue
        elif kind:
            kinds.add(kind)
        elif others:
            viqr += "viqr" in others
            lost += "lost" in others
    return Evidence(tuple(schemes.values()), frozenset(kinds), viqr, odd, lost)


def evidence(text: str) -> Evidence:
    """What ``text`` shows for certain (to judge other fields of its request with)."""
    return _evidence(_judged(text))


_DOUBTS = {
    "name": "read as a foreign name in Vietnamese syllables",
    "utf8": "could be UTF-8 read as Windows-1252",
    "viqr": "could be VIQR",
    "lost": "a letter may be lost to '?'",
    **{k: f"could be {_REASONS[k].removeprefix('legacy ')}" for k in _SCHEMES},
}


_NO_EVIDENCE = Evidence()


_DOUBTFUL_FOR_CERTAIN = 2  # words not Vietnamese as written that one scheme reads as good


def _distinctly_vietnamese(reading: str) -> bool:
    """A native syllable with a letter Windows-1252 lacks ("cửa", "sổ"), not one opening as
    only loan words do ("Zoẻ", "pồ": "Zoë Lü" and "sø på" are no TCVN3 or VISCII)."""
    first = unicodedata.normalize("NFD", reading)[:1].lower()
    return not _BEYOND_CP1252.isdisjoint(reading) and first not in _LOAN_OPENINGS


def _scan(text: str, context: Evidence) -> tuple[dict[str, str], dict[str, str]]:
    """(damaged word -> reason, doubtful word -> reason), in order of appearance;
    ``context`` (the request's other fields) votes for the damage a maybe is read as."""
    judged = _judged(text)
    total = _evidence(judged)
    if context != _NO_EVIDENCE:
        total += context
    votes = dict(zip(_SCHEMES, total.schemes, strict=True))
    # Damaged text holds Windows-1252 characters only; a text that also holds good Vietnamese
    # letters beyond them ("Văn") was mixed from two sources: its good words stay good.
    mixed = not _BEYOND_CP1252.isdisjoint(text)
    if not any(votes.values()) and not mixed:
        votes = _corroborated(judged) or votes
    # The legacy scheme of the text: the one that explains most of its certainly damaged words.
    scheme = max(_SCHEMES, key=lambda k: votes[k])
    certain = set(total.kinds) | ({scheme} if votes[scheme] else set())
    if total.viqr_maybes >= _VIQR_MAYBES_FOR_CERTAIN:
        certain.add("viqr")
    if total.lost_maybes >= _LOST_MAYBES_FOR_CERTAIN:
        certain.add("lost")
    found: dict[str, str] = {}
    doubts: dict[str, str] = {}
    odd_is_damage = total.odd_words >= _ODD_WORDS_FOR_DAMAGE or bool(certain - {"viqr"})
    for chunk, kind, reason, others in judged:
        word = chunk.strip(_ASCII_PUNCT)
        if kind == _GLUED or (kind == _ODD and not odd_is_damage):
            doubts.setdefault(word, reason)  # glued words are a typo damage never makes
            continue
        if kind:
            if kind in votes and scheme in others:
                reason = _REASONS[scheme]
            found.setdefault(_display(chunk, kind), reason)
            continue
        shared = [k for k in others if k in certain and k in ("utf8", "viqr", "lost", scheme)]
        if shared and not (mixed and vietnamese_as_written(word)):
            shown = chunk.strip(_LOST_EDGES) if shared[0] == "lost" else _display(chunk, shared[0])
            found.setdefault(shown, _REASONS[shared[0]] + _CONTEXT)
        elif others and not vietnamese_as_written(word):
            doubts.setdefault(word, _DOUBTS[others[0]])  # good Vietnamese as written: no doubt
    return found, doubts


def _corroborated(judged: _Judged) -> dict[str, int]:
    """Per legacy scheme, its maybes when they corroborate each other (else {}): words with
    letters that the scheme reads as good Vietnamese, one of them Vietnamese as written and
    one not ("tíi chóng" is TCVN3 for "tới chúng"), or two that are not and whose readings
    are distinctly Vietnamese ("cöa sæ" is TCVN3 for "cửa sổ"; "più où" would be VNI "pí ó"),
    in a text without a plainly foreign word ("più où", "Zoë Tác" or "clôt ... José" are not
    damage)."""
    as_written = dict.fromkeys(_SCHEMES, 0)
    doubtful = dict.fromkeys(_SCHEMES, 0)
    distinct = dict.fromkeys(_SCHEMES, 0)  # doubtful, read with letters Windows-1252 lacks
    for chunk, kind, _, others in judged:
        word = chunk.strip(_ASCII_PUNCT)
        if kind or word.isascii():
            continue
        legacy = [k for k in others if k in as_written]
        good = vietnamese_as_written(word)
        if not legacy:
            if good:
                continue
            return {}  # a foreign word: the text is (partly) in another language
        if not any(ch.isalpha() and not ch.isascii() for ch in word):
            continue  # "§5", "€100": symbols, no letter
        for k in legacy:
            (as_written if good else doubtful)[k] += 1
        if not good:
            for k, reading in _decodings(word):
                distinct[k] += k in legacy and _distinctly_vietnamese(reading)
    found = {
        k: as_written[k] + doubtful[k]
        for k in _SCHEMES
        if (as_written[k] and doubtful[k]) or distinct[k] >= _DOUBTFUL_FOR_CERTAIN
    }
    return {k: found.get(k, 0) for k in _SCHEMES} if found else {}


def damage_report(text: str, context: Evidence | None = None) -> dict[str, str]:
    """The damaged words of ``text`` (NFC), in order of appearance, each with its reason.

    ``context`` is what the rest of the request shows (``evidence`` of its other fields): a
    short field whose words are only maybes is judged with the damage the other fields
    show for certain (R5)."""
    return _scan(text, context or _NO_EVIDENCE)[0]


def judge(text: str, context: Evidence | None = None) -> tuple[dict[str, str], dict[str, str]]:
    """(damaged words, doubtful words) of ``text``, each with its reason: damage is refused,
    doubt only said (a foreign name in Vietnamese syllables, a word a legacy encoding
    could have produced when nothing else in the request shows that damage)."""
    return _scan(text, context or _NO_EVIDENCE)


def damaged_words(text: str) -> list[str]:
    """The words of ``text`` (NFC) that are damaged Vietnamese, in order of appearance, each once; [] when the text is fine."""  # noqa: E501
    return list(damage_report(text))


def explain(word: str, text: str | None = None) -> str:
    """A short English reason why ``word`` is damaged Vietnamese, or "" when it is not.

    Alone a word is judged by itself; some words ("Hoà", VNI for "Hồ") are damaged only within a
    ``text`` whose other words show the same damage: pass that text to judge the word within it.
    """
    if text is not None:
        return damage_report(text).get(word, "")
    kind, reason, _ = _judge(unicodedata.normalize("NFC", word.strip()))
    return reason if kind else ""
