"""Writes functions/vietnamese_syllables.py: the Vietnamese syllables real prose uses often.

    .venv/bin/python -m bench.common_syllables    (needs `make bench-deps`' corpora)

The syllables seen at least twice in the two corpora functions/vietnamese.py was tuned on
(manpages-vi and maint-guide-vi, bench/vietnamese_corpus.py), never in the held-out gettext
catalogs, whose figures stay unseen. A syllable seen once is as often a typo that parses
("xắp" for "sắp") as a word. functions/vietnamese.py counts a word that is not Vietnamese
as written, and that a legacy encoding reads as one of these, as damage.
"""

from __future__ import annotations

import collections
from pathlib import Path

from bench.vietnamese_corpus import letter_runs, maint_guide_lines, manpage_lines
from functions.vietnamese import vietnamese_as_written

TARGET = Path(__file__).resolve().parent.parent / "functions" / "vietnamese_syllables.py"
LEAST_SEEN = 2
HEADLINE = '"""Vietnamese syllables real prose uses often, written by bench/common_syllables.py."""'
PER_LINE = 12


def seen_syllables() -> list[str]:
    """The syllables with a non-ASCII letter seen at least LEAST_SEEN times, in lower case."""
    counts: collections.Counter[str] = collections.Counter()
    for line in manpage_lines() + maint_guide_lines():
        for run in letter_runs(line):
            syllable = run.lower()
            if not syllable.isascii() and vietnamese_as_written(syllable):
                counts[syllable] += 1
    return sorted(s for s, n in counts.items() if n >= LEAST_SEEN)


def main() -> None:
    syllables = seen_syllables()
    rows = [" ".join(syllables[i : i + PER_LINE]) for i in range(len(syllables))[::PER_LINE]]
    body = "\n".join(f"    {row}" for row in rows)
    TARGET.write_text(
        f"{HEADLINE}\n"
        "\n"
        f"# The {len(syllables)} syllables seen at least {LEAST_SEEN} times in manpages-vi and\n"
        "# maint-guide-vi (Debian's Vietnamese manual pages and New Maintainers' Guide); do not\n"
        "# edit by hand, run `python -m bench.common_syllables` again.\n"
        f'_SEEN = """\n{body}\n"""\n'
        "SEEN_SYLLABLES = frozenset(_SEEN.split())\n",
        encoding="utf-8",
    )
    print(f"{TARGET}: {len(syllables)} syllables")


if __name__ == "__main__":
    main()
