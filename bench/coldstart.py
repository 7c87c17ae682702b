"""Measures the API function's cold start: a fresh process importing ``app`` and answering its
first request as Lambda would call it (``app.app(event, context)``), next to a floor.

Run by ``bench/pipeline.py`` (``make bench-pipeline``) against its local stack: each figure
is the median of fresh processes, one after another. The floor is a fresh process that
imports only what any Python API function on AWS imports, boto3 and chalice.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3

from infra.demo import DEMO_PASSWORD
from infra.gateway import proxy_event

ROOT = Path(__file__).resolve().parent.parent

# In a fresh process: the seconds from start to `import app` done, to the first answer,
# and to a second answer of another route (the first case: what loads pyHanko and the
# renderer now comes with the first route that signs).
CHILD = """
import json, sys, time
started = time.perf_counter()
import app
imported = time.perf_counter()
events = json.load(sys.stdin)
first = app.app(events[0], None)
answered = time.perf_counter()
second = app.app(events[1], None)
done = time.perf_counter()
print(json.dumps({
    "import": imported - started,
    "first": answered - started,
    "second": done - answered,
    "statuses": [first["statusCode"], second["statusCode"]],
}))
"""
FLOOR = """
import json, time
started = time.perf_counter()
import boto3, chalice
print(json.dumps({"import": time.perf_counter() - started}))
"""


def _fresh(script: str, environment: dict[str, str], stdin: str = "") -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=environment,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return dict(json.loads(done.stdout.splitlines()[-1]))


def measure(environment: dict[str, str], case_body: dict[str, Any], runs: int = 7) -> str:
    """The cold start's section of the report (Markdown)."""
    token = boto3.client(
        "cognito-idp",
        region_name=environment["AWS_DEFAULT_REGION"],
        endpoint_url=environment["AWS_ENDPOINT_URL"],
    ).initiate_auth(
        ClientId=environment["HOSO_USER_POOL_CLIENT_ID"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "cong-dich-vu", "PASSWORD": DEMO_PASSWORD},
    )["AuthenticationResult"]["IdToken"]
    auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    floors, children = [], []
    for run in range(runs):
        events = [
            proxy_event("GET", "/v1/procedures", auth),
            proxy_event("POST", "/v1/cases", {**auth, "Idempotency-Key": f"cold-{run}"}, case_body),
        ]
        floors.append(_fresh(FLOOR, environment)["import"])
        child = _fresh(CHILD, environment, json.dumps(events))
        assert child["statuses"] == [200, 201], child
        children.append(child)
    floor = statistics.median(floors)

    def median(name: str) -> float:
        return statistics.median(child[name] for child in children)

    rows = [
        ("floor: a fresh process importing boto3 and chalice", floor),
        ("`import app`", median("import")),
        ("`import app` and the first answer (GET /v1/procedures)", median("first")),
        ("then the first case (POST /v1/cases: render, seal, archive)", median("second")),
    ]
    lines = [
        f"| cold start of the API function, fresh processes (median of {runs}) | s "
        "| ratio to the floor |",
        "| --- | ---: | ---: |",
    ]
    lines += [f"| {label} | {seconds:.2f} | {seconds / floor:.2f} |" for label, seconds in rows]
    return "\n".join(lines)
