"""The built Lambda package, unzipped alone, imports and serves requests (chalice drops
top-level packages unless `make package` puts them in vendor/)."""

from __future__ import annotations

import base64
import datetime as dt
import json
import subprocess
import sys
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from chalice.test import Client

from infra.gateway import proxy_event
from infra.package import AWS_SERVICES, JOBS_ZIP, build
from infra.poller import drain
from tests.calls import CALLS
from tests.conftest import REGION, ROOT, Stack, procedure_example, send_json, submit, work_batches
from tests.iam import Names, Need, allows, needs_of
from tests.integration.test_uploads import upload

pytestmark = pytest.mark.e2e

# Runs inside an unzipped package with `python -I -S`: no site-packages, no PYTHONPATH,
# nothing from this checkout; only the standard library and what the zip holds. Calls the
# handler named first on the command line with each event, as Lambda would.
LAMBDA_RUNTIME = """
import json, sys
sys.path.insert(0, ".")
import app
handler = getattr(app, sys.argv[1])
answers = [handler(event, None) for event in json.load(sys.stdin)]
print(json.dumps(answers))
"""


@pytest.fixture(scope="module")
def package(stack: Stack) -> Path:
    # A fixed folder, so chalice's cache of built dependencies survives between runs.
    return build(
        "dev", ROOT / ".build" / "test-package", stack.folder / "trust-anchors.pem", REGION
    )


@pytest.fixture
def wall_clock(stack: Stack) -> Iterator[None]:
    """A package runs on the machine's clock: the stack's TSA and OCSP responder stand at
    it meanwhile (other tests may have moved the stack's clock on, and a timestamp from
    the future would not validate)."""
    with stack.clock.pinned(dt.datetime.now(dt.UTC).replace(microsecond=0)):
        yield


def _unzipped(package: Path, name: str, folder: Path, stack: Stack) -> Path:
    """``name`` of the package unzipped into ``folder``, its trust anchors checked."""
    with zipfile.ZipFile(package / name) as archive:
        archive.extractall(folder)
    assert (folder / "trust" / "anchors.pem").read_text() == stack.outputs["trust_anchor_pem"]
    return folder


def _lambda_env(stack: Stack) -> dict[str, str]:
    """The stage's settings as Lambda would give them; the trust anchors come from the zip."""
    env = {k: v for k, v in stack.env.items() if k != "HOSO_TRUST_ANCHORS_FILE"}
    env["HOSO_TRUST_ANCHORS_FILE"] = "trust/anchors.pem"
    return env


def _serve(
    folder: Path, env: dict[str, str], events: list[dict[str, Any]], handler: str = "app"
) -> list[Any]:
    done = subprocess.run(
        [sys.executable, "-I", "-S", "-c", LAMBDA_RUNTIME, handler],
        cwd=folder,
        env=env,
        input=json.dumps(events),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return list(json.loads(done.stdout.splitlines()[-1]))


def _receipt_batch(client: Client, stack: Stack) -> tuple[dict[str, Any], Any]:
    """POST /v1/batches of one fee receipt (202): the item and the answer."""
    item = {"key": str(uuid.uuid4()), "data": procedure_example(client, stack, "dang-phi")}
    batch = send_json(
        client,
        stack,
        "POST",
        "/v1/batches",
        {"procedure": "dang-phi", "organization": "phuong-ba-dinh", "items": [item]},
        "cong-dich-vu",
        {"Idempotency-Key": str(uuid.uuid4())},
    )
    assert batch.status_code == 202, batch.json_body
    return item, batch


def _listed_example(
    folder: Path, env: dict[str, str], headers: dict[str, str], code: str
) -> dict[str, Any]:
    """The example data of ``code`` as the package's GET /v1/procedures lists it."""
    (answer,) = _serve(folder, env, [proxy_event("GET", "/v1/procedures", headers)])
    assert answer["statusCode"] == 200, answer["body"]
    procedures = json.loads(answer["body"])["procedures"]
    return dict(next(p["example"] for p in procedures if p["code"] == code))


def test_the_api_package_alone_serves_the_api(
    package: Path, stack: Stack, tmp_path: Path, wall_clock: None
) -> None:
    folder = _unzipped(package, "deployment.zip", tmp_path / "task", stack)
    env = _lambda_env(stack)
    upstream = {**stack.auth("cong-dich-vu"), "Content-Type": "application/json"}
    example = _listed_example(folder, env, upstream, "chuyen-sinh-hoat-chinh-thuc")
    health, submitted, receipt = _serve(
        folder,
        env,
        [
            proxy_event("GET", "/v1/health", {}),
            proxy_event(
                "POST",
                "/v1/cases",
                {**upstream, "Idempotency-Key": str(uuid.uuid4())},
                {
                    "procedure": "chuyen-sinh-hoat-chinh-thuc",
                    "organization": "phuong-ba-dinh",
                    "data": example,
                },
            ),
            proxy_event(
                "POST",
                "/v1/cases",
                {**upstream, "Idempotency-Key": str(uuid.uuid4())},
                {
                    "procedure": "dang-phi",
                    "organization": "phuong-ba-dinh",
                    "data": _listed_example(folder, env, upstream, "dang-phi"),
                },
            ),
        ],
    )
    assert health["statusCode"] == 200
    assert json.loads(health["body"]) == {"status": "ok"}
    assert submitted["statusCode"] == 201, submitted["body"]
    case = json.loads(submitted["body"])
    assert case["status"] == "awaiting_signature"
    assert case["document"]["pages"] >= 1  # rendered inside the package, with its fonts
    assert receipt["statusCode"] == 201, receipt["body"]
    assert json.loads(receipt["body"])["status"] == "archived"  # sealed B-LTA and stored
    # previews are the API's alone: pypdfium2 is in its package
    path = "/v1/cases/{case_id}/preview"
    (preview,) = _serve(
        folder,
        env,
        [
            proxy_event(
                "GET", path, {**upstream, "Accept": "image/png"}, None, {"case_id": case["id"]}
            )
        ],
    )
    assert preview["statusCode"] == 200, preview["body"]
    assert preview["isBase64Encoded"] is True
    assert base64.b64decode(preview["body"]).startswith(b"\x89PNG")


def test_the_jobs_package_alone_works_a_batch_and_sweeps(
    package: Path, client: Client, stack: Stack, tmp_path: Path, wall_clock: None
) -> None:
    folder = _unzipped(package, JOBS_ZIP, tmp_path / "task", stack)
    assert not (folder / "pypdfium2").exists()  # no previews in the worker's and sweep's zip
    env = _lambda_env(stack)
    _, batch = _receipt_batch(client, stack)
    # the queue's messages go to the package's worker as Lambda's event source mapping
    # hands them over: it renders, seals B-LTA and archives the item
    drain(
        stack.client("sqs"),
        stack.outputs["work_queue_url"],
        lambda event, _: _serve(folder, env, [event], "batch_worker")[0],
    )
    done = client.http.get(
        f"/v1/batches/{batch.json_body['id']}", headers=stack.auth("cong-dich-vu")
    )
    assert done.json_body["counts"].get("archived") == 1, done.json_body
    scheduled = client.events.generate_cw_event(
        source="aws.events", detail_type="Scheduled Event", detail={}, resources=[]
    )
    (report,) = _serve(folder, env, [scheduled], "scheduled_sweep")
    assert {"published", "archived", "failed"} <= set(report)


def test_cloudformation_would_accept_the_template(package: Path) -> None:
    linted = subprocess.run(
        [str(Path(sys.executable).with_name("cfn-lint")), str(package / "sam.yaml")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert linted.returncode == 0, linted.stdout + linted.stderr


def test_the_template_wires_every_function_to_the_stack(package: Path) -> None:
    template = yaml.safe_load((package / "sam.yaml").read_text(encoding="utf-8"))
    resources = template["Resources"]
    functions = [r for r in resources.values() if r["Type"] == "AWS::Serverless::Function"]
    assert len(functions) == 3  # the API handler, the scheduled sweep and the batch worker
    for function in functions:  # chalice's variables merge with the stack's (Globals)
        assert function["Properties"]["Environment"]["Variables"]["HOSO_STAGE"] == "dev"
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    for name in (
        "HOSO_EVENT_BUS",
        "HOSO_USER_POOL_ID",
        "HOSO_TSA_URL",
        "HOSO_INDEX_KEY_ID",
        "HOSO_ARCHIVE_KEY_ID",
    ):
        assert name in variables
    assert variables["HOSO_TABLE"] == {"Ref": "CaseTable"}
    assert variables["HOSO_BUCKET"] == {"Ref": "ArchiveBucket"}
    assert variables["HOSO_USER_POOL_CLIENT_ID"] == {"Ref": "UserPoolClient"}
    bucket = resources["ArchiveBucket"]["Properties"]
    assert bucket["ObjectLockEnabled"] is True
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    policy = resources["FunctionPolicy"]["Properties"]
    assert policy["Roles"] == [{"Ref": role} for role in ROLES]
    # one failed message of ten is the only one delivered again (chalice sets no response types)
    source = resources["BatchWorker"]["Properties"]["Events"]["BatchWorkerSqsEventSource"]
    assert source["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert source["Properties"]["BatchSize"] == 10
    assert variables["HOSO_WORK_QUEUE_URL"] == {"Ref": "WorkQueue"}
    statements = policy["PolicyDocument"]
    actions = {a for s in statements["Statement"] for a in _as_list(s["Action"])}
    assert {"kms:Sign", "s3:PutObject", "dynamodb:PutItem", "events:PutEvents"} <= actions
    # the function deletes working drafts (cases/…) and used uploads (uploads/…) and can
    # never delete a record
    for statement in statements["Statement"]:
        if {"s3:DeleteObject", "s3:DeleteObjectVersion"} & set(_as_list(statement["Action"])):
            assert statement["Resource"] == [
                {"Fn::Sub": "${ArchiveBucket.Arn}/cases/*"},
                {"Fn::Sub": "${ArchiveBucket.Arn}/uploads/*"},
            ]


def _as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else value


def _role_statements(template: dict[str, Any], role: str) -> list[dict[str, Any]]:
    """Every statement that applies to ``role``: its own policies and the policies that
    name it in their ``Roles``."""
    resources = template["Resources"]
    own = resources[role]["Properties"].get("Policies", [])
    statements = [s for policy in own for s in policy["PolicyDocument"]["Statement"]]
    for resource in resources.values():
        is_policy = resource["Type"] in {"AWS::IAM::ManagedPolicy", "AWS::IAM::Policy"}
        if is_policy and {"Ref": role} in resource["Properties"].get("Roles", []):
            statements += resource["Properties"]["PolicyDocument"]["Statement"]
    return statements


ROLES = ("ApiHandlerRole", "ScheduledSweepRole", "BatchWorkerRole")  # one per function
# what Lambda's SQS event source mapping calls with the worker function's role
EVENT_SOURCE_ACTIONS = ("ReceiveMessage", "DeleteMessage", "GetQueueAttributes")
# Resource wildcards, each where the resource's name is not known to the template:
RESOURCE_WILDCARDS = {
    # the objects of the archive bucket: keys are made per case and record
    "${ArchiveBucket.Arn}/*",
    "${ArchiveBucket.Arn}/cases/*",
    "${ArchiveBucket.Arn}/uploads/*",
    # the table's indexes (due, failed, …)
    "${CaseTable.Arn}/index/*",
    # organisations' and officers' keys, made at run time when one is registered
    "arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/*",
    # kms:CreateKey acts on no resource yet (its conditions pin the key spec and usage)
    "*",
    # the functions' log groups, which Lambda creates on first use (chalice's base policy)
    "arn:${AWS::Partition}:logs:*:*:*",
    "arn:*:logs:*:*:*",
}


def _drive_the_spine(client: Client, stack: Stack) -> None:
    """Submit, sign, seal, archive, read the record and sweep through the API, so that the
    calls below include the spine's even when this test runs alone."""
    receipt = submit(
        client,
        stack,
        {
            "procedure": "dang-phi",
            "organization": "phuong-ba-dinh",
            "data": procedure_example(client, stack, "dang-phi"),
        },
    ).json_body
    assert receipt["status"] == "archived", receipt
    record = client.http.get(f"/v1/records/{receipt['record_id']}", headers=stack.auth("luu-tru"))
    assert record.status_code == 200
    sweep = client.events.generate_cw_event(
        source="aws.events", detail_type="Scheduled Event", detail={}, resources=[]
    )
    client.lambda_.invoke("scheduled_sweep", sweep)
    item, _ = _receipt_batch(client, stack)
    lines = json.dumps({**item, "key": str(uuid.uuid4())}).encode() + b"\n"
    uploaded = send_json(
        client,
        stack,
        "POST",
        "/v1/batches",
        {
            "procedure": "dang-phi",
            "organization": "phuong-ba-dinh",
            "upload_id": upload(client, stack, lines, "cong-dich-vu", "application/x-ndjson"),
        },
        "cong-dich-vu",
        {"Idempotency-Key": str(uuid.uuid4())},
    )
    assert uploaded.status_code == 202, uploaded.json_body
    work_batches(stack)


@pytest.mark.runs_last  # after every other test, so that it sees all of their calls
def test_each_role_allows_every_call_the_code_made(
    package: Path, client: Client, stack: Stack
) -> None:
    _drive_the_spine(client, stack)
    template = yaml.safe_load((package / "sam.yaml").read_text(encoding="utf-8"))
    outputs = stack.outputs
    names = Names(
        REGION,
        outputs["bucket"],
        outputs["table"],
        outputs["event_bus"],
        outputs["index_key_id"],
        outputs["archive_key_id"],
        outputs["user_pool_id"],
        outputs["work_queue_url"],
    )
    needs = {need for call in CALLS.calls for need in needs_of(names, call)}
    made = {(call.service, call.operation) for call in CALLS.calls}
    assert {("kms", "Sign"), ("s3", "PutObject"), ("dynamodb", "TransactWriteItems")} <= made
    assert {("events", "PutEvents"), ("s3", "GetObject"), ("s3", "DeleteObject")} <= made
    assert ("s3", "CopyObject") in made
    # the packages hold botocore's models of these services alone
    assert {call.service for call in CALLS.calls} <= set(AWS_SERVICES)
    for role in ROLES:
        statements = _role_statements(template, role)
        denied = sorted(
            f"{n.action} on {n.resource}" for n in needs if not allows(statements, names, n)
        )
        assert denied == [], f"{role} would be denied (of {len(CALLS.calls)} calls)"
    # what Lambda's SQS event source mapping does with the worker's role
    queue = names.arn("WorkQueue")
    mapping = [Need(f"sqs:{action}", queue) for action in EVENT_SOURCE_ACTIONS]
    worker = _role_statements(template, "BatchWorkerRole")
    assert [n.action for n in mapping if not allows(worker, names, n)] == []


def test_no_wildcard_actions_and_only_the_needed_resource_wildcards(package: Path) -> None:
    template = yaml.safe_load((package / "sam.yaml").read_text(encoding="utf-8"))
    for role in ROLES:
        for statement in _role_statements(template, role):
            assert not any("*" in action for action in _as_list(statement["Action"]))
            for resource in _as_list(statement["Resource"]):
                text = resource if isinstance(resource, str) else resource.get("Fn::Sub", "")
                if "*" in text:
                    assert text in RESOURCE_WILDCARDS, text
