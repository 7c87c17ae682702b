"""Loopback servers of the local stack: moto in server mode and the dev PKI's TSA/OCSP."""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from moto.server import ThreadedMotoServer

from cloud.bootstrap import build_services
from infra.emulator import tame_moto
from infra.local_stack import create_stack, seed_directory, stage_environment
from signing.devpki import DevPki, RevocationList
from signing.devservices import Clock, PkiServices, wall_clock

HOST = "127.0.0.1"


def free_port() -> int:
    """A TCP port on loopback nobody listens on now."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        return


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


def start_moto(port: int) -> ThreadedMotoServer:
    """moto in server mode on ``HOST:port``, in a background thread."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise
    tame_moto()
    server = ThreadedMotoServer(ip_address=HOST, port=port, verbose=False)
    server.start()
    return server


def revocation_list(pki_folder: Path) -> RevocationList:
    """The dev CA's revocations, kept beside its certificates."""
    return RevocationList(pki_folder / "revoked.json")


def start_pki_services(pki_folder: Path, port: int, clock: Clock = wall_clock) -> WSGIServer:
    """The dev PKI's timestamp and OCSP services on ``HOST:port``, in a background thread,
    telling the time by ``clock``."""
    server = make_server(
        HOST,
        port,
        PkiServices(DevPki.load(pki_folder), revocation_list(pki_folder), clock),
        server_class=_ThreadingWSGIServer,
        handler_class=_QuietHandler,
    )
    threading.Thread(target=server.serve_forever, name="pki-services", daemon=True).start()
    return server


@dataclass(frozen=True)
class RunningStack:
    """A local stack that is up: its outputs (DESIGN.md) and the API's environment."""

    outputs: dict[str, Any]
    environment: dict[str, str]
    state_dir: Path


@contextmanager
def running_stack(
    state_dir: Path,
    region: str,
    stage: str,
    aws_port: int,
    pki_port: int,
    clock: Clock = wall_clock,
) -> Iterator[RunningStack]:
    """moto on ``aws_port`` with the stack's resources, the dev PKI (written under
    ``state_dir``) and its TSA/OCSP service on ``pki_port`` (on ``clock``); stopped on exit."""
    moto = start_moto(aws_port)
    try:
        outputs = create_stack(
            f"http://{HOST}:{aws_port}", region, stage, f"http://{HOST}:{pki_port}", state_dir
        )
        pki = start_pki_services(state_dir / "pki", pki_port, clock)
        try:
            anchors = state_dir / "trust-anchors.pem"
            anchors.write_text(outputs["trust_anchor_pem"])
            environment = stage_environment(outputs, anchors)
            services, _ = build_services({**os.environ, **environment})
            seed_directory(services, DevPki.load(state_dir / "pki"))
            yield RunningStack(outputs, environment, state_dir)
        finally:
            pki.shutdown()
    finally:
        moto.stop()
