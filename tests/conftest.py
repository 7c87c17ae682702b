"""Shared fixtures: a local stack on moto (server mode) with the dev PKI's services, and the
Chalice test client on it with helpers to submit and sign cases."""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3
import pytest
from chalice.cli.factory import CLIFactory
from chalice.test import Client

from cloud.bootstrap import build_services
from cloud.identity import TokenVerifier
from cloud.table import CaseTable
from functions.access import Principal, caller
from functions.directory import person_key
from functions.services import Services
from functions.settings import Settings
from infra.demo import ORGANIZATIONS
from infra.gateway import local_api_server
from infra.local_stack import certify, register_organization
from infra.poller import drain
from infra.servers import free_port, revocation_list, running_stack
from signing.devpki import DevPki
from tests.calls import CALLS, LOGS

ROOT = Path(__file__).resolve().parents[1]
REGION = "ap-southeast-1"


def pytest_configure(config: pytest.Config) -> None:
    LOGS.attach()  # every platform log line of the run, for tests/integration/test_logs.py


# The fuzzer's seed and its requests per role (tests/integration/test_fuzz.py puts them here)
FUZZ_REPORT = pytest.StashKey[tuple[int, dict[str, int]]]()


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """How many requests the fuzzer made, for the notes."""
    seed, counts = config.stash.get(FUZZ_REPORT, (0, {}))
    if counts:
        total = sum(counts.values())
        terminalreporter.write_line(f"schemathesis: {total} requests, seed {seed}: {dict(counts)}")


@pytest.hookimpl(trylast=True)  # after pytest-randomly's shuffle
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked ``runs_last`` go to the end, in any order the others run in."""
    items.sort(key=lambda item: item.get_closest_marker("runs_last") is not None)


class TestClock:
    """The one clock of a test stack: the API's services, the TSA and the OCSP responder
    all read it. It runs with the wall clock, plus what tests ``advance`` it by (time only
    moves forward, so tests in any order agree), or stands at a ``pinned`` moment."""

    __test__ = False  # not a test class, whatever its name

    def __init__(self) -> None:
        self._offset = dt.timedelta()
        self._pinned: dt.datetime | None = None
        self._lock = threading.Lock()

    def now(self) -> dt.datetime:
        with self._lock:
            if self._pinned is not None:
                return self._pinned
            return dt.datetime.now(dt.UTC).replace(microsecond=0) + self._offset

    def advance(self, seconds: float) -> None:
        """Move time forward (a pinned clock moves from its pinned moment)."""
        with self._lock:
            if self._pinned is not None:
                self._pinned += dt.timedelta(seconds=seconds)
            else:
                self._offset += dt.timedelta(seconds=seconds)

    @contextmanager
    def pinned(self, moment: dt.datetime) -> Iterator[None]:
        """Stand at ``moment`` (and after it only as tests ``advance``) inside the block."""
        with self._lock:
            self._pinned = moment
        try:
            yield
        finally:
            with self._lock:
                self._pinned = None


class Stack:
    """A running local stack: its outputs, environment, clock and a way to get tokens."""

    def __init__(
        self, outputs: dict[str, Any], env: dict[str, str], folder: Path, clock: TestClock
    ) -> None:
        self.outputs = outputs
        self.env = env
        self.folder = folder
        self.clock = clock
        self._tokens: dict[str, str] = {}
        self._people: list[dict[str, str]] = []

    def client(self, service: str) -> Any:
        return boto3.client(
            service,
            region_name=self.outputs["region"],
            endpoint_url=self.outputs["aws_endpoint_url"],
        )

    def token(self, username: str) -> str:
        """An ID token from Cognito (USER_PASSWORD_AUTH), as a client would get it."""
        if username not in self._tokens:
            self._tokens[username] = self.sign_in(username)["IdToken"]
        return self._tokens[username]

    def password(self, username: str) -> str:
        """The password ``username`` signs in with now (a demo user's, or one a test set)."""
        users = self._people + self.outputs["demo_users"]
        return str(next(u for u in users if u["username"] == username)["password"])

    def sign_in(self, username: str) -> dict[str, Any]:
        """A fresh sign-in (USER_PASSWORD_AUTH): the pool's AuthenticationResult."""
        result = self.client("cognito-idp").initiate_auth(
            ClientId=self.outputs["user_pool_client_id"],
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": self.password(username)},
        )
        return dict(result["AuthenticationResult"])

    def know_password(self, username: str, password: str) -> None:
        """Sign ``username`` in with ``password`` from now on (one they set themselves)."""
        self._people.insert(0, {"username": username, "password": password})
        self._tokens.pop(username, None)

    def add_person(self, role: str, organization: str, groups: list[str] | None = None) -> str:
        """A new user in the pool (in ``groups``, default the role's group) and in the
        directory as an active ``role`` of ``organization``; their username."""
        username = f"nguoi-{uuid.uuid4().hex[:8]}"
        password = f"Mat-khau-{uuid.uuid4().hex[:8]}!"
        cognito, pool = self.client("cognito-idp"), self.outputs["user_pool_id"]
        cognito.admin_create_user(UserPoolId=pool, Username=username, MessageAction="SUPPRESS")
        cognito.admin_set_user_password(
            UserPoolId=pool, Username=username, Password=password, Permanent=True
        )
        for group in [role] if groups is None else groups:
            cognito.admin_add_user_to_group(UserPoolId=pool, Username=username, GroupName=group)
        self._people.append({"username": username, "password": password})
        if role != "upstream":  # an upstream system is its group; the directory is for people
            self.directory(
                username, {"role": role, "organization": organization, "status": "active"}
            )
        return username

    def directory(self, username: str, entry: dict[str, Any] | None) -> None:
        """Set (or, with None, remove) ``username``'s directory entry, as an admin would."""
        table = CaseTable(self.client("dynamodb"), self.outputs["table"])
        if entry is None:
            self.client("dynamodb").delete_item(
                TableName=self.outputs["table"],
                Key={"pk": {"S": f"OFFICER#{username}"}},
            )
        else:
            table.put_document(f"OFFICER#{username}", {"username": username, **entry})

    def auth(self, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(username)}"}

    def wired(
        self, make_client: Callable[[Settings, str], Any] = CALLS.make_client
    ) -> tuple[Services, Callable[[str], Principal]]:
        """The API's services on the stack's clock (AWS clients from ``make_client``), and
        the caller a demo user's real token makes (for tests that call functions/ directly,
        without HTTP)."""
        services, verifier = build_services(clock=self.clock.now, make_client=make_client)
        return services, lambda username: caller(
            services, verifier.verify(f"Bearer {self.token(username)}")
        )

    def register_organization(self, code: str) -> dict[str, Any]:
        """A new organisation like phuong-ba-dinh, with a seal of its own; its entry."""
        model = next(o for o in ORGANIZATIONS if o["code"] == "phuong-ba-dinh")
        # the name in digits: hex such as "e1c9" reads as VNI keystrokes, which the check refuses
        org = {**model, "code": code, "name": f"Đảng ủy phường thử nghiệm số {int(code[-4:], 16)}"}
        return register_organization(self.wired()[0], DevPki.load(self.folder / "pki"), org)

    def reissue_officer(self, username: str) -> dict[str, Any]:
        """A new key and certificate for officer ``username``; their new directory entry."""
        services = self.wired()[0]
        certify(services, DevPki.load(self.folder / "pki"), person_key(username))
        entry = services.cases.get_officer(username)
        assert entry is not None
        return entry

    def revoke(self, certificate_pem: str) -> None:
        """The dev CA revokes a certificate (a minute ago, on the stack's clock)."""
        at = self.clock.now() - dt.timedelta(minutes=1)
        revocation_list(self.folder / "pki").revoke(certificate_pem, at)

    def case_events(self, case_id: str) -> list[dict[str, Any]]:
        """The events of case ``case_id`` waiting on the events queue, in the order they came
        (every event is removed from it: batches' and other cases' too)."""
        return [e for e in self.drain_events() if e["detail"].get("case_id") == case_id]

    def drain_events(self) -> list[dict[str, Any]]:
        """Every status event waiting on the events queue (removed from it)."""
        sqs = self.client("sqs")
        found = []
        while True:
            messages = sqs.receive_message(
                QueueUrl=self.outputs["events_queue_url"], MaxNumberOfMessages=10
            ).get("Messages", [])
            if not messages:
                return found
            for message in messages:
                found.append(json.loads(message["Body"]))
                sqs.delete_message(
                    QueueUrl=self.outputs["events_queue_url"],
                    ReceiptHandle=message["ReceiptHandle"],
                )


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """moto server + resources + dev PKI services, with the API's environment applied."""
    folder = tmp_path_factory.mktemp("stack")
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        os.environ.setdefault(name, "testing")
    clock = TestClock()
    # a stage of its own: moto keeps its state per process, and a process may run the
    # suite more than once (mutmut does)
    stage = f"test-{uuid.uuid4().hex[:8]}"
    with running_stack(folder, REGION, stage, free_port(), free_port(), clock.now) as running:
        # the sweeps the tests run audit nothing: each audit test asks for its own batch
        environment = {**running.environment, "HOSO_AUDIT_BATCH": "0"}
        saved = {k: os.environ.get(k) for k in environment}
        os.environ.update(environment)
        try:
            yield Stack(running.outputs, environment, folder, clock)
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


def app_wiring(stack: Stack) -> tuple[Services, TokenVerifier]:
    """The API's services on ``stack``'s clock, their AWS calls recorded (tests/calls.py)."""
    return build_services(clock=stack.clock.now, make_client=CALLS.make_client)


@contextmanager
def app_changed(
    stack: Stack,
    change: Callable[[Services], Services],
    make_client: Callable[[Settings, str], Any] = CALLS.make_client,
) -> Iterator[None]:
    """The app (its API and its batch worker) wired to ``stack`` with its services changed
    by ``change`` and AWS clients from ``make_client``, until the block ends."""
    import app as hoso_app

    services, verifier = build_services(clock=stack.clock.now, make_client=make_client)
    hoso_app.reset((change(services), verifier))
    try:
        yield
    finally:
        hoso_app.reset(app_wiring(stack))


@pytest.fixture(scope="module")
def client(stack: Stack) -> Iterator[Client]:
    """The Chalice test client of the app, wired to ``stack``."""
    import app as hoso_app  # here, so that unit tests do not import the app

    hoso_app.reset(app_wiring(stack))
    with Client(hoso_app.app, stage_name="local", project_dir=str(ROOT)) as test_client:
        yield test_client
    hoso_app.reset()


@pytest.fixture(scope="module")
def api_url(client: Client) -> Iterator[str]:
    """The app served over real HTTP (chalice local behind infra/gateway.py, as `make run`
    serves it), on the same wiring as ``client``: its base URL."""
    import app as hoso_app

    config = CLIFactory(str(ROOT)).create_config_obj(chalice_stage_name="local")
    port = free_port()
    server = local_api_server(hoso_app.app, config, "127.0.0.1", port)
    thread = threading.Thread(target=server.server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    server.server.server_close()
    thread.join(timeout=10)


def procedure_example(client: Client, stack: Stack, procedure: str) -> dict[str, Any]:
    """The example ``data`` of ``procedure``, as GET /v1/procedures gives it."""
    response = client.http.get("/v1/procedures", headers=stack.auth("cong-dich-vu"))
    assert response.status_code == 200
    entry = next(p for p in response.json_body["procedures"] if p["code"] == procedure)
    return dict(entry["example"])


def submitted_case(
    client: Client,
    stack: Stack,
    procedure: str,
    organization: str = "phuong-ba-dinh",
    data: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A case of ``procedure`` with ``data`` (its example data unless given), submitted by
    the demo upstream system (201): its view."""
    body = {
        "procedure": procedure,
        "organization": organization,
        "data": procedure_example(client, stack, procedure) if data is None else data,
    }
    created = submit(client, stack, body)
    assert created.status_code == 201, created.json_body
    return dict(created.json_body)


def send_json(
    client: Client,
    stack: Stack,
    method: str,
    path: str,
    body: Any,
    user: str,
    headers: dict[str, str] | None = None,
) -> Any:
    """``method`` ``path`` with ``body`` as JSON, as the demo or test user ``user`` (and
    ``headers``)."""
    headers = {**stack.auth(user), "Content-Type": "application/json", **(headers or {})}
    return client.http.request(
        method, path, headers=headers, body=json.dumps(body, ensure_ascii=False)
    )


def submit(client: Client, stack: Stack, body: dict[str, Any], key: str | None = None) -> Any:
    """POST /v1/cases as the demo upstream system (a fresh Idempotency-Key unless given)."""
    headers = {**stack.auth("cong-dich-vu"), "Content-Type": "application/json"}
    headers["Idempotency-Key"] = key or str(uuid.uuid4())
    return client.http.post("/v1/cases", headers=headers, body=json.dumps(body))


def work_batches(stack: Stack, **options: Any) -> int:
    """Run the batch worker over the work queue until it is empty, as Lambda's event source
    mapping would (infra/poller.py); how many messages it handled."""
    import app as hoso_app

    return drain(
        stack.client("sqs"), stack.outputs["work_queue_url"], hoso_app.batch_worker, **options
    )


def sign(client: Client, stack: Stack, case_id: str, username: str) -> Any:
    """POST /v1/cases/{id}/signatures as the demo officer ``username``."""
    return client.http.post(f"/v1/cases/{case_id}/signatures", headers=stack.auth(username))
