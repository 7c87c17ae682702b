"""Loopback servers of the local stack: moto in server mode and the dev PKI's TSA/OCSP."""

from __future__ import annotations

import socket
import threading
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from moto.server import ThreadedMotoServer

from signing.devpki import DevPki
from signing.devservices import PkiServices

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
    server = ThreadedMotoServer(ip_address=HOST, port=port, verbose=False)
    server.start()
    return server


def start_pki_services(pki_folder: Path, port: int) -> WSGIServer:
    """The dev PKI's timestamp and OCSP services on ``HOST:port``, in a background thread."""
    server = make_server(
        HOST,
        port,
        PkiServices(DevPki.load(pki_folder)),
        server_class=_ThreadingWSGIServer,
        handler_class=_QuietHandler,
    )
    threading.Thread(target=server.serve_forever, name="pki-services", daemon=True).start()
    return server
