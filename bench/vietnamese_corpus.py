"""Measures damage_report on real Vietnamese text from Debian packages; prints a Markdown report.

    make bench-vietnamese     (or: .venv/bin/python -m bench.vietnamese_corpus)

Corpora (Debian packages hunspell-vi, manpages-vi and maint-guide-vi; `make bench` installs
them): the spelling dictionary's words, the text lines of the Vietnamese manual pages and of
the Debian New Maintainers' Guide in Vietnamese; and, held out (no rule of
functions/vietnamese.py was tuned on it), a seeded sample of the lines of the Vietnamese
gettext catalogs the machine's packages install (/usr/share/locale/vi).  Measured: how much
of this correct text is refused, how much of it is caught once damaged (bench/damage.py:
legacy encodings and UTF-8 read as Windows-1252 or Latin-1, VNI, VIQR, "?" stand-ins), on
whole lines and on 2-3-word chunks, and how fast damage_report runs.
"""

from __future__ import annotations

import datetime as dt
import gzip
import os
import platform
import random
import re
import struct
import time
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

from bench.damage import DAMAGES, Damage
from bench.names import personal_names, place_names
from functions.errors import Problem
from functions.text import normalize
from functions.vietnamese import Evidence, damage_report, evidence

DICTIONARY = Path("/usr/share/hunspell/vi_VN.dic")
MANPAGES = Path("/usr/share/man/vi")
MAINT_GUIDE = Path("/usr/share/doc/maint-guide-vi/html")
PACKAGES = "hunspell-vi manpages-vi maint-guide-vi"
CATALOGS = Path("/usr/share/locale/vi/LC_MESSAGES")
HELD_OUT_LINES = 5000  # a seeded sample of the catalogs' lines keeps the run short
SEED = 1456
CLEAN_EXAMPLES = 15
MISSED_EXAMPLES = 5
WHOLE_UNITS = ("words", "names")  # a dictionary word or a name is Vietnamese as a whole


# --- corpora -------------------------------------------------------------------------------------


def _unique(items: Iterable[str]) -> list[str]:
    """NFC, stripped, without empty items and duplicates, in order of first appearance."""
    return list(
        dict.fromkeys(s for s in (unicodedata.normalize("NFC", i).strip() for i in items) if s)
    )


def dictionary_words() -> list[str]:
    """hunspell-vi's words: the first line is their count, a word may carry /FLAGS."""
    lines = DICTIONARY.read_text(encoding="utf-8").splitlines()[1:]
    return _unique(line.split("/", 1)[0] for line in lines)


_ROFF_CHARS = {
    "aq": "'", "dq": '"', "lq": "“", "rq": "”", "oq": "‘", "cq": "’", "em": "—", "en": "–",
    "hy": "-", "bu": "•", "co": "©", "rg": "®", "tm": "™", "mu": "×", "de": "°", "ti": "~",
    "ha": "^", "rs": "\\", "at": "@", "sh": "#", "Do": "$", ">=": "≥", "<=": "≤", "->": "→",
    "<-": "←", "Fo": "«", "Fc": "»", "fo": "‹", "fc": "›",
}  # fmt: skip
_ROFF_ESCAPE = re.compile(
    r"""\\(?:
        "(?P<comment>.*)                                 # comment to the end of the line
      | [fFsgkmnY*] (?: \[[^\]]*\] | \(.. | [+-]?\d | . ) # font, size, register, string
      | [hvwNlLoxXbDSHRAZ] '[^']*'                       # motions, widths, drawings
      | \( (?P<two>..)                                   # special character \(xx
      | \[ (?P<long>[^\]]*) \]                           # special character \[name]
      | (?P<one>.)                                       # \- \e \& \, \/ \| \^ \~ "\ " ...
    )""",
    re.VERBOSE,
)
_ROFF_ONE = {"-": "-", "e": "\\", " ": " ", "~": " ", "0": " ", "\\": "\\", "'": "'", "`": "`"}


def _roff_escape(match: re.Match[str]) -> str:
    name = match.group("two") or match.group("long")
    if name is not None:
        return _ROFF_CHARS.get(name, "")
    one = match.group("one")
    return _ROFF_ONE.get(one, "") if one is not None else ""


def manpage_lines() -> list[str]:
    """Text lines of the manual pages: requests and macros (lines starting with "." or "'")
    dropped, inline escapes taken out (\\- as "-", \\(lq as "“", fonts and sizes dropped)."""
    lines = []
    for page in sorted(MANPAGES.rglob("*.gz")):
        with gzip.open(page, "rt", encoding="utf-8", errors="replace") as source:
            for line in source:
                if line.startswith((".", "'")):
                    continue
                text = _ROFF_ESCAPE.sub(_roff_escape, line.rstrip("\n"))
                if any(c.isalpha() for c in text):
                    lines.append(text)
    return _unique(lines)


class _Text(HTMLParser):
    """The text of an HTML page, a line break at every block element."""

    BLOCKS = frozenset(
        ("address", "blockquote", "br", "dd", "div", "dl", "dt", "h1", "h2", "h3", "h4", "h5",
         "h6", "hr", "li", "ol", "p", "pre", "table", "td", "th", "title", "tr", "ul")
    )  # fmt: skip

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)  # entities unescaped
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.skip += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def _catalog_strings(path: Path) -> list[str]:
    """The translations (msgstr) of a gettext .mo file, read by its documented layout."""
    data = path.read_bytes()
    order = "<" if data[:4] == b"\xde\x12\x04\x95" else ">"
    count, _, translations = struct.unpack(order + "3I", data[8:20])
    out = []
    for i in range(count):
        length, offset = struct.unpack(
            order + "2I", data[translations + 8 * i : translations + 8 * i + 8]
        )
        out += data[offset : offset + length].decode("utf-8", errors="replace").split("\0")
    return out


def catalog_lines(seen: Iterable[str]) -> list[str]:
    """A sample of the lines of the Vietnamese gettext catalogs installed on the machine, without
    the lines of the other corpora: text no rule of functions/vietnamese.py was tuned on."""
    known = set(seen)
    lines = []
    for catalog in sorted(CATALOGS.glob("*.mo")):
        for text in _catalog_strings(catalog)[1:]:  # the first is the catalog's header
            lines += (line.strip() for line in unicodedata.normalize("NFC", text).splitlines())
    lines = _unique(line for line in lines if line not in known and _has_non_ascii_letter(line))
    rng = random.Random(SEED)  # noqa: S311 (a seeded sample, not a secret)
    return sorted(rng.sample(lines, min(HELD_OUT_LINES, len(lines))))


def maint_guide_lines() -> list[str]:
    """Text lines of the guide's HTML pages: tags stripped, entities unescaped."""
    lines = []
    for page in sorted(MAINT_GUIDE.glob("*.html")):
        parser = _Text()
        parser.feed(page.read_text(encoding="utf-8"))
        parser.close()
        lines += "".join(parser.parts).splitlines()
    return _unique(lines)


@dataclass
class Corpus:
    name: str
    unit: str  # "words" or "lines"
    items: list[str]
    chunks: list[str] = field(default_factory=list)
    chunk_lines: list[str] = field(default_factory=list)  # the line each chunk comes from

    @property
    def chars(self) -> int:
        return sum(len(item) for item in self.items)


def chunks(lines: Iterable[str]) -> tuple[list[str], list[str]]:
    """Consecutive words of each line taken 2, 3, 2, 3, ... at a time (a last single word is
    left out), without duplicates; and the line each comes from."""
    out: dict[str, str] = {}
    for line in lines:
        words = line.split()
        i, size = 0, 2
        while i + 2 <= len(words):
            out.setdefault(" ".join(words[i : i + size]), line)
            i += size
            size = 5 - size
    return list(out), list(out.values())


def load() -> list[Corpus]:
    missing = [str(p) for p in (DICTIONARY, MANPAGES, MAINT_GUIDE) if not p.exists()]
    if missing:
        raise SystemExit(f"missing {', '.join(missing)}: apt-get install {PACKAGES}")
    man, guide = manpage_lines(), maint_guide_lines()
    held_out = catalog_lines([*man, *guide])
    return [
        Corpus("hunspell-vi dictionary", "words", dictionary_words()),
        Corpus("manpages-vi", "lines", man, *chunks(man)),
        Corpus("maint-guide-vi", "lines", guide, *chunks(guide)),
        Corpus("gettext catalogs, held out", "lines", held_out, *chunks(held_out)),
        Corpus("personal names (bench/names.py)", "names", personal_names()),
        Corpus("place names (bench/names.py)", "names", place_names()),
    ]


# --- measuring -----------------------------------------------------------------------------------


def _has_non_ascii_letter(text: str) -> bool:
    return any(c.isalpha() and not c.isascii() for c in text)


_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"


def _tone_last(word: str) -> str:
    """``word`` in lower case with its tone mark moved to the end, so that both tone
    placements ("hoà", "hòa") compare equal."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    tones = "".join(c for c in decomposed if c in _TONE_MARKS)
    return "".join(c for c in decomposed if c not in _TONE_MARKS) + tones


@cache
def _dictionary_syllables() -> frozenset[str]:
    return frozenset(_tone_last(word) for word in dictionary_words() if not word.isascii())


def holds_vietnamese(text: str) -> bool:
    """Whether ``text`` holds a word with a non-ASCII letter that hunspell-vi's dictionary
    has: Vietnamese, not only a foreign name with Latin accents ("Córdoba", "Sīstān"), which
    the gettext catalogs of place names hold by the hundred and whose damage is no damage
    to Vietnamese."""
    syllables = _dictionary_syllables()
    return any(not word.isascii() and _tone_last(word) in syllables for word in letter_runs(text))


def letter_runs(text: str) -> list[str]:
    """The runs of letters of ``text`` (NFC): its words without digits and punctuation."""
    return re.findall(r"[^\W\d_]+", text)


def _letters(text: str) -> list[str]:
    return [c for c in text if c.isalpha()]


def _refused_by_hygiene(text: str) -> bool:
    """functions.text.normalize refuses it: damaged Vietnamese or control characters."""
    problems: list[Problem] = []
    normalize(text, "field", problems)
    return bool(problems)


@dataclass
class Detection:
    corpus: str
    unit: str
    damage: Damage
    tried: int = 0
    found: int = 0
    by_hygiene: int = 0  # found, or refused by functions.text for control characters
    missed: list[tuple[str, str]] = field(default_factory=list)


def detect(
    corpus: str,
    unit: str,
    damage: Damage,
    items: list[str],
    lines: list[str] | None = None,
    vietnamese_only: bool = False,
) -> Detection:
    """damage_report on each item holding a non-ASCII letter whose letters the damage changes
    (not only punctuation a legacy charset lacks and iconv -c drops); with
    ``vietnamese_only``, only on the items that hold Vietnamese (``holds_vietnamese``). With
    ``lines`` (the line of each item), each item is judged as one field of a request whose
    other fields are the rest of its line, damaged alike (functions/text.py judges requests
    so)."""
    result = Detection(corpus, unit, damage)
    kept = [
        i
        for i, item in enumerate(items)
        if _has_non_ascii_letter(item) and (not vietnamese_only or holds_vietnamese(item))
    ]
    originals = [items[i] for i in kept]
    damaged_items = damage.many(originals)
    contexts: list[Evidence] = [Evidence()] * len(kept)
    if lines is not None:
        damaged_lines = damage.many([lines[i] for i in kept])
        contexts = [
            evidence(line) - evidence(item)
            for line, item in zip(damaged_lines, damaged_items, strict=True)
        ]
    for original, damaged, context in zip(originals, damaged_items, contexts, strict=True):
        if _letters(damaged) == _letters(original):
            continue
        result.tried += 1
        if damage_report(damaged, context):
            result.found += 1
            result.by_hygiene += 1
            continue
        if _refused_by_hygiene(damaged):
            result.by_hygiene += 1
        result.missed.append((original, damaged))
    return result


def _timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def random_cp1252_words(size: int, seed: int = SEED) -> str:
    """``size`` characters of words (1-12 characters) drawn from Windows-1252's printable set."""
    chars = [
        c
        for c in bytes(range(0x21, 0x100)).decode("cp1252", errors="replace")
        if c != "\ufffd" and c.isprintable() and not c.isspace()
    ]
    rng = random.Random(seed)  # noqa: S311 (seeded test data, not a secret)
    words: list[str] = []
    length = 0
    while length < size:
        word = "".join(rng.choices(chars, k=rng.randint(1, 12)))
        words.append(word)
        length += len(word) + 1
    return " ".join(words)[:size]


# --- the report ----------------------------------------------------------------------------------


def _cell(text: str, limit: int = 110) -> str:
    """``text`` fit for a Markdown table cell: shortened, control characters shown as \\xNN."""
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    shown = "".join(
        c
        if c.isprintable() or c == " "
        else f"\\x{ord(c):02x}"
        if ord(c) < 0x100
        else f"\\u{ord(c):04x}"
        for c in text
    )
    return (
        shown.replace("\\", "\\\\")
        .replace("|", "\\|")
        .replace("*", "\\*")
        .replace("_", "\\_")
        .replace("`", "\\`")
        .replace("<", "&lt;")
    )


def _rate(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f} %" if whole else "–"


def _machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or platform.machine(),
    )
    return f"{os.cpu_count()} CPU {cpu}, Python {platform.python_version()}, {platform.platform()}"


def _package_versions() -> str:
    status = Path("/var/lib/dpkg/status")
    if not status.exists():
        return ""
    versions = {}
    for block in status.read_text(encoding="utf-8", errors="replace").split("\n\n"):
        fields = dict(re.findall(r"^(Package|Version): (.*)$", block, re.MULTILINE))
        if fields.get("Package") in PACKAGES.split():
            versions[fields["Package"]] = fields.get("Version", "?")
    return ", ".join(f"{name} {versions[name]}" for name in sorted(versions))


def _verdict(text: str) -> tuple[list[Problem], list[Problem]]:
    """(problems, warnings) of ``text`` as one field of a request (functions.text)."""
    problems: list[Problem] = []
    warnings: list[Problem] = []
    normalize(text, "field", problems, warnings)
    return problems, warnings


def clean_section(corpora: list[Corpus]) -> tuple[list[str], dict[str, float]]:
    """The correct text refused, and the seconds each corpus took (the first pass over the
    lines: their words are not yet in damage_report's cache, which fills as it goes)."""
    damage_report("Nguyễn Văn A, warm up")
    reports: dict[str, list[dict[str, str]]] = {}
    spent: dict[str, float] = {}
    for corpus in sorted(corpora, key=lambda c: c.unit != "lines"):
        start = time.perf_counter()
        reports[corpus.name] = [damage_report(item) for item in corpus.items]
        spent[corpus.name] = time.perf_counter() - start
    verdicts = {c.name: [_verdict(item) for item in c.items] for c in corpora}
    out = [
        "### Correct text refused (false positives) and warned about",
        "",
        "Refused: `damage_report` alone; as the API judges a field (`functions.text`: pasted "
        "spaces made plain, control characters refused too), refused and warned.",
        "",
        "| corpus | items | characters | refused | per 1,000 | API: refused | per 1,000 "
        "| API: warned | per 1,000 |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for corpus in corpora:
        refused = sum(1 for report in reports[corpus.name] if report)
        api_refused = sum(1 for problems, _ in verdicts[corpus.name] if problems)
        warned = sum(1 for problems, warns in verdicts[corpus.name] if warns and not problems)
        per = 1000 / len(corpus.items)
        out.append(
            f"| {corpus.name} ({corpus.unit}) | {len(corpus.items):,} | {corpus.chars:,} "
            f"| {refused:,} | {refused * per:.2f} | {api_refused:,} | {api_refused * per:.2f} "
            f"| {warned:,} | {warned * per:.2f} |"
        )
    for corpus in corpora:
        judged = zip(corpus.items, verdicts[corpus.name], strict=True)
        warned_items = [
            (item, warns) for item, (problems, warns) in judged if warns and not problems
        ]
        if warned_items:
            out += ["", f"Warned about in {corpus.name} (up to {CLEAN_EXAMPLES}):", ""]
            out += ["| item | warning |", "| --- | --- |"]
        for item, warns in warned_items[:CLEAN_EXAMPLES]:
            out.append(f"| {_cell(item)} | {_cell(warns[0].problem, 160)} |")
    for corpus in corpora:
        pairs = zip(corpus.items, reports[corpus.name], strict=True)
        refused_items = [(item, report) for item, report in pairs if report]
        if refused_items:
            out += ["", f"Refused in {corpus.name} (up to {CLEAN_EXAMPLES}):", ""]
            out += ["| item | reported words (reason) |", "| --- | --- |"]
        for item, report in refused_items[:CLEAN_EXAMPLES]:
            words = "; ".join(f"«{_cell(w, 40)}» ({reason})" for w, reason in report.items())
            out.append(f"| {_cell(item)} | {words} |")
    return out, spent


def damage_section(corpora: list[Corpus]) -> list[str]:
    """Each damage on each corpus, on its items and on 2-3-word chunks of its lines."""
    sources: list[tuple[str, str, list[str], list[str] | None]] = [
        (c.name, c.unit, c.items, None) for c in corpora
    ]
    sources += [(c.name, "2-3-word chunks", c.chunks, None) for c in corpora if c.chunks]
    sources += [
        (c.name, "2-3-word chunks in a request", c.chunks, c.chunk_lines)
        for c in corpora
        if c.chunks
    ]
    out = [
        "### Damaged text caught",
        "",
        "Detection rate: share of the damaged items (those holding a non-ASCII letter whose "
        "letters the damage changes; of the prose corpora's lines and chunks, those holding a "
        "word of hunspell-vi's dictionary, see `holds_vietnamese`) for which `damage_report` "
        "is not empty; in brackets, when higher, the share `functions.text.normalize` refuses "
        '(damage, or the control characters a Latin-1 reading brings). "In a request": each '
        "chunk judged as one field of a request whose other fields are the rest of its line, "
        "damaged alike.",
        "",
        "| damage | " + " | ".join(f"{name}, {unit}" for name, unit, _, _ in sources) + " |",
        "| --- |" + " ---: |" * len(sources),
    ]
    missed = []
    for damage in DAMAGES:
        found = [
            detect(name, unit, damage, items, lines, vietnamese_only=unit not in WHOLE_UNITS)
            for name, unit, items, lines in sources
        ]
        cells = []
        for d in found:
            rate, by_hygiene = _rate(d.found, d.tried), _rate(d.by_hygiene, d.tried)
            extra = f" ({by_hygiene})" if by_hygiene != rate else ""
            cells.append(f"{rate}{extra} of {d.tried:,}")
        out.append(f"| {damage.label} | " + " | ".join(cells) + " |")
        # up to MISSED_EXAMPLES, taken in turn from each corpus and unit
        queues = [[(d, pair) for pair in d.missed] for d in found]
        picked = [q[depth] for depth in range(MISSED_EXAMPLES) for q in queues if depth < len(q)]
        missed += picked[:MISSED_EXAMPLES]
    out += [
        "",
        "Whole lines of the prose corpora counted as before 2026-12-01: every line holding a "
        "non-ASCII letter, Vietnamese or not (the catalogs' foreign place names included):",
        "",
        "| damage | " + " | ".join(c.name for c in corpora if c.unit == "lines") + " |",
        "| --- |" + " ---: |" * sum(1 for c in corpora if c.unit == "lines"),
    ]
    for damage in DAMAGES:
        every_line = [detect(c.name, c.unit, damage, c.items) for c in corpora if c.unit == "lines"]
        out.append(
            f"| {damage.label} | "
            + " | ".join(f"{_rate(d.found, d.tried)} of {d.tried:,}" for d in every_line)
            + " |"
        )
    out += ["", f"Missed (up to {MISSED_EXAMPLES} per damage, in turn from each corpus and unit):"]
    out += ["", "| damage | corpus, unit | original | damaged |", "| --- | --- | --- | --- |"]
    for d, (original, damaged) in missed:
        out.append(
            f"| {d.damage.label} | {d.corpus}, {d.unit} | {_cell(original)} | {_cell(damaged)} |"
        )
    return out


def speed_section(corpora: list[Corpus], spent: dict[str, float]) -> list[str]:
    out = [
        "### Speed of `damage_report`",
        "",
        "| text | characters | time | characters per second |",
        "| --- | ---: | ---: | ---: |",
    ]
    for corpus in corpora:
        seconds = spent[corpus.name]
        out.append(
            f"| {corpus.name}: each of its {len(corpus.items):,} {corpus.unit} "
            f"| {corpus.chars:,} | {seconds:.2f} s | {corpus.chars / seconds:,.0f} |"
        )
    lines = [c for c in corpora if c.unit == "lines"]
    chars = sum(c.chars for c in lines)
    seconds = sum(spent[c.name] for c in lines)
    out.append(
        f"| the prose corpora's lines, the first pass in the process | {chars:,} "
        f"| {seconds:.2f} s | {chars / seconds:,.0f} |"
    )
    man = next(c for c in corpora if c.name == "manpages-vi")
    request = "\n".join(man.items)[:2048]
    damage_report(request)
    repeat = 20
    seconds = _timed(lambda: [damage_report(request) for _ in range(repeat)]) / repeat
    out.append(
        f"| a 2 KB request of manpages-vi lines ({len(request.split())} words), repeated "
        f"(cached) | {len(request):,} | {seconds * 1e3:.2f} ms | {len(request) / seconds:,.0f} |"
    )
    noise = random_cp1252_words(150_000)
    found: dict[str, str] = {}
    seconds = _timed(lambda: found.update(damage_report(noise)))
    out.append(
        f"| 150 KB of random words of Windows-1252 characters (seed {SEED}; {len(found):,} "
        f"words reported) | {len(noise):,} | {seconds:.2f} s | {len(noise) / seconds:,.0f} |"
    )
    return out


def main() -> None:
    began = time.perf_counter()
    corpora = load()
    out = [
        "## Damaged Vietnamese on real text (`make bench-vietnamese`, issue 9)",
        "",
        f"Machine: {_machine()}; {dt.date.today().isoformat()}.",
        f"Corpora: {_package_versions() or PACKAGES} (Debian), NFC, without duplicates.",
        "",
    ]
    clean, spent = clean_section(corpora)
    out += [*clean, "", *damage_section(corpora), "", *speed_section(corpora, spent), ""]
    out.append(f"Whole run: {time.perf_counter() - began:.0f} s.")
    print("\n".join(out))


if __name__ == "__main__":
    main()
