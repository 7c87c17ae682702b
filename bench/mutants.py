"""Re-checks the mutants `make mutation` left alive, each in a fresh pytest process.

    .venv/bin/python -m bench.mutants [NAME_PATTERN ...]      (after `make mutation`)

mutmut runs every mutant's tests in a process forked from one that ran the whole suite
first, and here some of its "survived" were not (bench/RESULTS.md section 3): run alone,
with the mutant switched on (``MUTANT_UNDER_TEST``), a test that covers it failed. So a
survivor is taken as a claim: this runs the tests mutmut found covering each one, in the
mutants' copy of the project, and prints a table of the mutants that still survive, each
with its change (and of those whose tests could not run), a count of those a test killed on
the re-check, and the mutants no test reaches.
"""

from __future__ import annotations

import argparse
import fnmatch
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MUTMUT = ROOT / ".venv" / "bin" / "mutmut"
NO_TESTS_RAN = (4, 5)  # pytest: usage error (a node id it cannot take), nothing collected


def _mutmut(*arguments: str) -> list[str]:
    done = subprocess.run(
        [str(MUTMUT), *arguments], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return done.stdout.splitlines()


def survivors(patterns: list[str], status: str = "survived") -> list[str]:
    """The mutants mutmut gave ``status`` ("survived", "no tests") whose names match one of
    ``patterns``."""
    names = []
    for line in _mutmut("results"):
        name, _, given = line.strip().rpartition(": ")
        if given == status and any(fnmatch.fnmatch(name, p) for p in patterns):
            names.append(name)
    return names


def change(name: str) -> str:
    """The mutant's change as one line: the removed line, an arrow, the added line."""
    diff = _mutmut("show", name)
    removed = [line[1:].strip() for line in diff if line.startswith("-") and line[1:2] != "-"]
    added = [line[1:].strip() for line in diff if line.startswith("+") and line[1:2] != "+"]
    return f"`{' '.join(removed)}` → `{' '.join(added)}`"


def recheck(name: str) -> str:
    """What the tests that cover ``name`` make of it, with it switched on, in a fresh
    process: "killed" (a test failed), "survives" (all passed), or "error (exit N)" (pytest
    could not run them: neither a kill nor a survival)."""
    tests = _mutmut("tests-for-mutant", name)
    if not tests:
        return "survives"
    environment = {**os.environ, "MUTANT_UNDER_TEST": name}
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:randomly"]
    command += ["-p", "no:cacheprovider"]
    done = subprocess.run(
        [*command, *tests], cwd=ROOT / "mutants", env=environment, capture_output=True
    )
    if done.returncode in NO_TESTS_RAN:  # the test files instead of their node ids
        files = sorted({test.split("::")[0] for test in tests})
        done = subprocess.run(
            [*command, *files], cwd=ROOT / "mutants", env=environment, capture_output=True
        )
    return {0: "survives", 1: "killed"}.get(done.returncode, f"error (exit {done.returncode})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "patterns", nargs="*", default=["*"], help="mutmut's names, wildcards allowed"
    )
    args = parser.parse_args()
    names = survivors(args.patterns)
    outcomes: Counter[str] = Counter()
    rows = ["| surviving mutant | change |", "| --- | --- |"]
    for number, name in enumerate(names, 1):
        outcome = recheck(name)
        outcomes[outcome] += 1
        print(f"{number}/{len(names)} {name}: {outcome}", file=sys.stderr, flush=True)
        if outcome == "survives":
            escaped = change(name).replace("|", "\\|")  # a pipe would end the table's cell
            rows.append(f"| `{name}` | {escaped} |")
        elif outcome != "killed":
            rows.append(f"| `{name}` | not re-checked: {outcome} |")
    uncovered = Counter(
        name.rsplit("__mutmut_", 1)[0] for name in survivors(args.patterns, "no tests")
    )
    by_function = ", ".join(f"{function} ({count})" for function, count in uncovered.items())
    print(
        f"{len(names)} survived mutmut; re-run alone, {outcomes['killed']} killed and "
        f"{len(names) - outcomes['killed'] - outcomes['survives']} could not run. "
        f"{uncovered.total()} no test reaches, by function: {by_function or 'none'}.\n"
    )
    print("\n".join(rows))


if __name__ == "__main__":
    main()
