#!/usr/bin/env bash
# Make one fresh virtualenv per engine under $BENCH_VENVS (default /tmp/rbench) and benchmark each.
# Needs python3.11, poppler-utils (pdffonts, pdftotext, pdftoppm), fonts-liberation2, and for
# WeasyPrint: apt-get install -y libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venvs="${BENCH_VENVS:-/tmp/rbench}"
out="${BENCH_OUT:-$venvs/out}"
engines=("${@:-rml rml-facecache platypus fpdf2 weasyprint}")
read -r -a engines <<<"${engines[*]}"

declare -A deps=(
  [rml]="reportlab==5.1.0 z3c.rml==5.2 jinja2 pillow==12.2.0"
  [rml-facecache]="reportlab==5.1.0 z3c.rml==5.2 jinja2 pillow==12.2.0"
  [platypus]="reportlab==5.1.0 jinja2 pillow==12.2.0"
  [fpdf2]="fpdf2 jinja2"
  [weasyprint]="weasyprint jinja2"
)

mkdir -p "$venvs" "$out"
venv() { echo "$venvs/${1%-facecache}"; }  # rml-facecache shares rml's virtualenv
for engine in "${engines[@]}"; do
  if [ ! -x "$(venv "$engine")/bin/python" ]; then
    python3 -m venv "$(venv "$engine")"
    # shellcheck disable=SC2086
    "$(venv "$engine")/bin/pip" install -q ${deps[$engine]}
  fi
done
for engine in "${engines[@]}"; do
  "$(venv "$engine")/bin/python" "$here/compare.py" "$engine" --out "$out" 2>>"$out/stderr.log"
done | tee "$out/results.jsonl"
