"""The local stand-in for API Gateway: chalice's local server, its own errors in our shape.

Those are the answers API Gateway makes before our code runs (no such route, a request too
large, a URI or headers too long, an unknown method), in DESIGN.md's error shape, as
infra/template.yaml's GatewayResponses make them in AWS."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from chalice import Chalice
from chalice.config import Config
from chalice.local import (
    ChaliceRequestHandler,
    CustomLocalChalice,
    LocalChalice,
    LocalDevServer,
    LocalGatewayException,
    RouteMatcher,
)

from functions.http import FRAMEWORK_CODES, error_body

MAX_REQUEST_BYTES = 10 * 1024 * 1024  # API Gateway's payload limit
NO_SUCH_ROUTE = "there is no such route"


class GatewayHandler(ChaliceRequestHandler):
    """chalice local's request handler, answering its own errors in our shape."""

    def __init__(
        self, request: Any, client_address: Any, server: Any, app_object: Chalice, config: Config
    ) -> None:
        self._routes = app_object.routes  # before the base class answers the request
        super().__init__(request, client_address, server, app_object, config)

    def _generic_handle(self) -> None:
        length = self.headers.get("content-length", "0").strip()
        if not (length.isascii() and length.isdigit()):
            self.send_error(HTTPStatus.BAD_REQUEST, "the Content-Length header is not a number")
        elif len(length) > 9 or int(length) > MAX_REQUEST_BYTES:  # checked before int(): any size
            self.send_error(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                f"the request is over {MAX_REQUEST_BYTES} bytes",
            )
        else:
            super()._generic_handle()

    # the base class binds its own _generic_handle to these names
    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = do_PATCH = do_OPTIONS = _generic_handle

    def _send_error_response(self, error: LocalGatewayException) -> None:
        # chalice local's only own error is 403 "Missing Authentication Token", API Gateway's
        # answer to a path no route matches; GatewayResponses makes that a 404 in AWS.
        status = HTTPStatus.NOT_FOUND if error.CODE == 403 else HTTPStatus(error.CODE)
        self.send_error(status, NO_SUCH_ROUTE if status == 404 else None)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's errors (a bad request line, a URI or headers too long) and ours,
        as JSON in DESIGN.md's shape instead of an HTML page."""
        status = HTTPStatus(code)
        allow: list[str] = []
        if status == HTTPStatus.NOT_IMPLEMENTED:  # http.server: no do_<METHOD> (TRACE, QUERY…)
            allow = self._methods_of_path()
            status = HTTPStatus.METHOD_NOT_ALLOWED if allow else HTTPStatus.NOT_FOUND
            message = f"the method {self.command} is not allowed" if allow else NO_SUCH_ROUTE
        body = json.dumps(
            error_body(FRAMEWORK_CODES.get(status, "error"), message or status.phrase)
        ).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        if allow:
            self.send_header("Allow", ", ".join(allow))
        if status >= 413 or status == 400:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if getattr(self, "command", "") != "HEAD":
            self.wfile.write(body)

    def _methods_of_path(self) -> list[str]:
        """The methods the app's route for this request's path answers (none: no route)."""
        try:
            route = RouteMatcher(list(self._routes)).match_route(self.path)
        except ValueError:
            return []
        return sorted(self._routes[route.route])


def local_api_server(app_object: Chalice, config: Config, host: str, port: int) -> LocalDevServer:
    """chalice.local.create_local_server, with GatewayHandler."""
    if not isinstance(app_object, CustomLocalChalice):  # once per app: tests serve it again
        CustomLocalChalice.__bases__ = (LocalChalice, app_object.__class__)
        app_object.__class__ = CustomLocalChalice
    return LocalDevServer(app_object, config, host, port, handler_cls=GatewayHandler)


def proxy_event(
    method: str,
    path: str,
    headers: dict[str, str],
    body: Any = None,
    parameters: dict[str, str] | None = None,
) -> dict[str, Any]:
    """An API Gateway proxy event for the route ``path``, as Lambda hands it to the API
    function: what ``app.app(event, context)`` is called with. A route with parameters
    (``/v1/cases/{case_id}``) names their values in ``parameters``."""
    concrete = path.format(**parameters) if parameters else path
    return {
        "resource": path,
        "path": concrete,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": parameters,
        "stageVariables": None,
        "requestContext": {"resourcePath": path, "httpMethod": method, "path": concrete},
        "body": None if body is None else json.dumps(body, ensure_ascii=False),
        "isBase64Encoded": False,
    }
