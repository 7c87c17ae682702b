"""Measures a batch of dang-phi receipts end to end on `make run`'s stack (issue 12).

    make bench-batch        (or: .venv/bin/python -m bench.batch [--items 10000])

`python -m infra.local` (what `make run` starts: moto, the dev PKI, the API and the batch
worker's poller, one process) runs as a child on free ports. The batch goes in as a client
would: JSON lines uploaded through POST /v1/uploads, then POST /v1/batches, then
GET /v1/batches/{id} every few seconds until no item is queued. Reported: the rate per
thousand items done, next to the in-process pipeline (``bench/pipeline.py``'s
``submit_case`` on its own stack, measured in the same run) per core, and the stack
process's RSS after the first thousand items and at the end. moto's costs are in these
figures (the local stack's, not AWS's); bench/RESULTS.md says so next to them.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from bench.run import _machine
from infra.local import signed_in_api, start_local_stack

ROOT = Path(__file__).resolve().parent.parent
UPSTREAM = "cong-dich-vu"


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _start_worker(folder: Path) -> subprocess.Popen[bytes]:
    """The batch worker in a process of its own (`python -m infra.poller`), on the stage's
    environment as `make run` writes it."""
    from chalice.cli.factory import CLIFactory

    from infra.local_stack import stage_environment

    outputs = json.loads((folder / "outputs.json").read_text())
    config = CLIFactory(str(ROOT)).create_config_obj(chalice_stage_name="local")
    environment = {
        **stage_environment(outputs, folder / "trust-anchors.pem"),
        **config.environment_variables,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "infra.poller"],
        cwd=ROOT,
        env={**os.environ, **environment},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def run_batch(items: int, worker_apart: bool = False) -> dict[str, Any]:
    """The batch on a fresh `make run` stack: seconds, rate, RSS (of the worker's own
    process when ``worker_apart``, else of the one process of `make run`)."""
    with tempfile.TemporaryDirectory() as folder:
        process, outputs = start_local_stack(Path(folder), ["--no-worker"] if worker_apart else [])
        measured = _start_worker(Path(folder)) if worker_apart else process
        try:
            api = signed_in_api(outputs, UPSTREAM)
            procedures = api.get("/v1/procedures")["procedures"]
            example = next(p["example"] for p in procedures if p["code"] == "dang-phi")
            lines = []
            for n in range(items):
                data = copy.deepcopy(example)
                data["member"]["party_card_number"] = f"{60000000 + n:08d}"
                item = {"key": f"bench-{uuid.uuid4().hex[:8]}-{n}", "data": data}
                lines.append(json.dumps(item, ensure_ascii=False))
            content = ("\n".join(lines) + "\n").encode()
            upload_id = api.upload(content, "application/x-ndjson")
            rss_start = _rss_mb(measured.pid)
            started = time.monotonic()
            batch = api.post(
                "/v1/batches",
                {
                    "procedure": "dang-phi",
                    "organization": "phuong-ba-dinh",
                    "upload_id": upload_id,
                },
                {"Idempotency-Key": str(uuid.uuid4())},
            )
            rss_at_1000 = None
            seconds_at_1000 = None
            thousands_told = 0
            while True:
                time.sleep(5)
                view = api.get(f"/v1/batches/{batch['id']}")
                done = items - view["counts"]["queued"]
                if done // 1000 > thousands_told:  # the rate per thousand, as it goes
                    thousands_told = done // 1000
                    print(
                        f"{done} done in {time.monotonic() - started:.0f} s, "
                        f"RSS {_rss_mb(measured.pid):.0f} MB",
                        file=sys.stderr,
                        flush=True,
                    )
                if rss_at_1000 is None and done >= min(1000, items):
                    rss_at_1000, seconds_at_1000 = _rss_mb(measured.pid), time.monotonic() - started
                if view["counts"]["queued"] == 0:
                    break
            seconds = time.monotonic() - started
            return {
                "items": items,
                "seconds": seconds,
                "counts": view["counts"],
                "seconds_at_1000": seconds_at_1000,
                "rss_start": rss_start,
                "rss_at_1000": rss_at_1000,
                "rss_end": _rss_mb(measured.pid),
            }
        finally:
            for child in {process, measured}:
                child.terminate()
                child.wait(timeout=30)


def _pipeline_ms(receipts: int) -> float:
    """The in-process pipeline's median ms a receipt, from bench/pipeline.py's own run."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.pipeline", "--receipts", str(receipts), "--repeat", "5"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    row = next(line for line in done.stdout.splitlines() if "the pipeline" in line)
    return float(row.split("|")[2])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--receipts", type=int, default=20)
    parser.add_argument(
        "--worker-apart",
        action="store_true",
        help="the worker in a process of its own, for its memory (two processes then)",
    )
    args = parser.parse_args()
    pipeline = _pipeline_ms(args.receipts)
    result = run_batch(args.items, worker_apart=args.worker_apart)
    rate = result["items"] / result["seconds"]
    in_process = 1000 / pipeline
    late_rows = []
    if result["items"] > 1000:
        late = (result["items"] - 1000) / (result["seconds"] - result["seconds_at_1000"])
        late_rows = [
            f"| the batch, after its first thousand | {late:.2f} | {1000 / late:.0f} "
            f"| {late / in_process:.2f} |"
        ]
    if args.worker_apart:
        command, whose = "`make bench-batch WORKER_APART=1`", "the worker's own process"
    else:
        command, whose = "`make bench-batch`", "the `make run` process"
    print(
        "\n".join(
            [
                f"Machine: {_machine()}; {dt.date.today().isoformat()}; {command}, "
                f"{result['items']} dang-phi receipts, one `make run` stack from empty.",
                "",
                "| | receipts/s | s per thousand | ratio to the in-process pipeline |",
                "| --- | ---: | ---: | ---: |",
                f"| in process, one core (`submit_case`, median of {args.receipts}) "
                f"| {in_process:.2f} | {1000 / in_process:.0f} | 1.00 |",
                f"| the batch on `make run`, whole | {rate:.2f} | {1000 / rate:.0f} "
                f"| {rate / in_process:.2f} |",
                *late_rows,
                "",
                f"Outcome: {json.dumps(result['counts'])}. RSS of {whose}: "
                f"{result['rss_start']:.0f} MB before, {result['rss_at_1000']:.0f} MB after "
                f"1,000 items, {result['rss_end']:.0f} MB at the end "
                f"({result['rss_end'] / result['rss_at_1000']:.2f}× the first thousand's).",
            ]
        )
    )


if __name__ == "__main__":
    main()
