"""`make run`: moto server, stack resources, dev PKI services, the API and the batch worker, all
on loopback."""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from chalice.cli.factory import CLIFactory

from functions.sweep import sweep
from infra.gateway import local_api_server
from infra.poller import serve
from infra.servers import HOST, free_port, running_stack

ROOT = Path(__file__).resolve().parents[1]
SWEEP_SECONDS = 60  # AWS runs the sweep every 5 minutes (app.scheduled_sweep)
log = logging.getLogger("hoso.local")


def _sweep_forever() -> None:
    """What EventBridge Scheduler does in AWS: chalice local serves HTTP routes only."""
    import app as hoso_app  # once the stage's environment is set

    while True:
        time.sleep(SWEEP_SECONDS)
        try:
            sweep(hoso_app.wired()[0])
        except Exception:
            log.exception("the sweep failed; it runs again in %d s", SWEEP_SECONDS)


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--state-dir", default=os.environ.get("HOSO_LOCAL_DIR", str(ROOT / ".local"))
    )
    parser.add_argument(
        "--api-port", type=int, default=int(os.environ.get("HOSO_API_PORT", "8000"))
    )
    parser.add_argument(
        "--aws-port", type=int, default=int(os.environ.get("HOSO_AWS_PORT", "4566"))
    )
    parser.add_argument(
        "--pki-port", type=int, default=int(os.environ.get("HOSO_PKI_PORT", "4580"))
    )
    parser.add_argument("--region", default=os.environ.get("AWS_DEFAULT_REGION", "ap-southeast-1"))
    parser.add_argument(
        "--no-worker",
        action="store_true",
        help="no batch worker in this process (run `python -m infra.poller` beside it)",
    )
    return parser.parse_args(argv)


def _usage(outputs: dict[str, Any], state_dir: Path) -> str:
    api = outputs["api_url"]
    users = "\n".join(
        f"    {u['username']:<16} {','.join(u['groups']):<10} {u['org'] or '-'}"
        for u in outputs["demo_users"]
    )
    return f"""
hoso local stack is up.
  API            {api}
  web app        {outputs["web_url"]}  (officers: sign in as a demo user below)
  AWS (moto)     {outputs["aws_endpoint_url"]}  region {outputs["region"]}
  outputs        {state_dir / "outputs.json"}
  demo users (password {outputs["demo_users"][0]["password"]}):
{users}

Try it (from the project folder, in another shell):
  TOKEN=$(.venv/bin/python -m infra.token cong-dich-vu)
  curl -s -H "Authorization: Bearer $TOKEN" {api}/v1/procedures
(Ctrl-C stops everything; the README walks through the whole flow.)
"""


def start_local_stack(
    folder: Path, arguments: list[str] | None = None
) -> tuple[subprocess.Popen[bytes], dict[str, Any]]:
    """`make run`'s stack in a child process on free ports, its state in ``folder`` (and
    ``arguments``, e.g. --no-worker): the process, once it serves, and its outputs."""
    ports = [str(free_port()) for _ in range(3)]
    process = subprocess.Popen(
        [sys.executable, "-m", "infra.local", "--state-dir", str(folder), "--api-port",
         ports[0], "--aws-port", ports[1], "--pki-port", ports[2], *(arguments or [])],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    outputs_file = folder / "outputs.json"
    deadline = time.monotonic() + 180
    while not outputs_file.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError("the local stack did not start")
        time.sleep(0.5)
    time.sleep(1)  # written just before the API serves
    return process, json.loads(outputs_file.read_text())


def signed_in_api(outputs: dict[str, Any], username: str) -> Any:
    """The stack's API as the demo user ``username`` (client.api.Api), signed in with
    USER_PASSWORD_AUTH as a client would."""
    import boto3

    from client.api import Api
    from client.session import Login
    from infra.demo import DEMO_PASSWORD

    cognito = boto3.client(
        "cognito-idp", region_name=outputs["region"], endpoint_url=outputs["aws_endpoint_url"]
    )
    result = cognito.initiate_auth(
        ClientId=outputs["user_pool_client_id"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": DEMO_PASSWORD},
    )["AuthenticationResult"]
    login = Login(
        username,
        outputs["api_url"],
        result["IdToken"],
        result["RefreshToken"],
        time.time() + result["ExpiresIn"],
        outputs["user_pool_client_id"],
        outputs["region"],
        outputs["aws_endpoint_url"],
    )
    return Api(login)


def main(argv: list[str] | None = None) -> None:
    args = _arguments(sys.argv[1:] if argv is None else argv)
    state_dir = Path(args.state_dir).resolve()
    shutil.rmtree(state_dir, ignore_errors=True)
    state_dir.mkdir(parents=True)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")

    with running_stack(state_dir, args.region, "local", args.aws_port, args.pki_port) as stack:
        factory = CLIFactory(str(ROOT))
        config = factory.create_config_obj(chalice_stage_name="local")
        os.environ.update(stack.environment)
        os.environ.update(config.environment_variables)
        server = local_api_server(config.chalice_app, config, HOST, args.api_port)
        api_url = f"http://{HOST}:{args.api_port}"
        outputs = {"api_url": api_url, "web_url": f"{api_url}/app/", **stack.outputs}
        (state_dir / "outputs.json").write_text(json.dumps(outputs, ensure_ascii=False, indent=2))
        print(_usage(outputs, state_dir), flush=True)
        threading.Thread(target=_sweep_forever, name="sweep", daemon=True).start()
        # what the SQS event source mapping does in AWS: the batch worker takes the queue
        if not args.no_worker:
            threading.Thread(target=serve, name="batch-worker", daemon=True).start()
        with contextlib.suppress(KeyboardInterrupt):
            server.serve_forever()


if __name__ == "__main__":
    main()
