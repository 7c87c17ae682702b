"""The Chalice app: routes only; each handler parses, calls one function, answers."""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable
from typing import Any

from chalice import Chalice, Rate, Response
from chalice.app import Request

from cloud.bootstrap import build_services
from cloud.identity import TokenVerifier
from functions import (
    automatic,
    batches,
    directory,
    imports,
    intake,
    openapi,
    procedures,
    records,
    search,
    sessions,
    signatures,
    sweep,
    telemetry,
    uploads,
    verification,
)
from functions.access import Principal, caller
from functions.errors import DomainError
from functions.http import (
    domain_error_body,
    error_body,
    framework_error_body,
    headers_of,
    status_of,
)
from functions.limits import read_json
from functions.services import Services

app = Chalice(app_name="hoso", configure_logs=False)
# bodies API Gateway hands over as bytes: PDFs, page pictures, the web app's file uploads
app.api.binary_types.extend(["application/pdf", "image/png", "multipart/form-data"])
telemetry.configure()
log = telemetry.logger
_wired: tuple[Services, TokenVerifier] | None = None


def wired() -> tuple[Services, TokenVerifier]:
    """Services built once per process from the stage's environment."""
    global _wired
    if _wired is None:
        _wired = build_services()
    return _wired


def reset(wiring: tuple[Services, TokenVerifier] | None = None) -> None:
    """Forget the wiring, or use ``wiring`` (tests: a stack of their own, its clock)."""
    global _wired
    _wired = wiring


def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(
        body=json.dumps(body, ensure_ascii=False),
        status_code=status,
        headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})},
    )


def _caller(request: Request | None) -> tuple[Services, Principal]:
    assert request is not None
    services, verifier = wired()
    return services, caller(services, verifier.verify(request.headers.get("authorization")))


def _replayed(created: bool) -> dict[str, str]:
    """The header that says an Idempotency-Key's earlier answer is given again."""
    return {} if created else {"Idempotent-Replayed": "true"}


def _body(request: Request, services: Services) -> Any:
    return read_json(request.raw_body or b"", services.settings.max_body_bytes)


def api(handler: Callable[..., Response]) -> Callable[..., Response]:
    """Answer DomainErrors with DESIGN.md's error shape; anything else is a logged 500."""

    def wrapped(*args: Any, **kwargs: Any) -> Response:
        try:
            return handler(*args, **kwargs)
        except DomainError as error:
            return _json(status_of(error), domain_error_body(error), headers_of(error))
        except Exception:
            log.exception("unexpected error in %s", handler.__name__)
            return _json(500, error_body("internal", "something went wrong on our side"))

    wrapped.__name__ = handler.__name__
    return wrapped


@app.middleware("http")
def framework_errors_in_our_shape(event: Any, get_response: Callable[[Any], Response]) -> Response:
    """Chalice's own answers (405, 415, a binary response not accepted, an unhandled
    error) in DESIGN.md's error shape too."""
    response = get_response(event)
    reshaped = framework_error_body(response.status_code, response.body)
    if reshaped is not None:
        response.body = json.dumps(reshaped, ensure_ascii=False)
        response.headers["Content-Type"] = "application/json; charset=utf-8"
    return response


@app.middleware("http")
def request_log(event: Any, get_response: Callable[[Any], Response]) -> Response:
    """One log line and the duration metric per request: ids, route and status, never the
    body; every line logged while answering carries Lambda's request id."""
    started = time.perf_counter()
    log.append_keys(request_id=getattr(event.lambda_context, "aws_request_id", None))
    response = get_response(event)  # chalice's own handler turns any exception into a 500
    duration_ms = (time.perf_counter() - started) * 1000
    log.info(
        "request",
        extra={
            "method": event.method,
            "route": (event.context or {}).get("resourcePath"),
            "case_id": (event.uri_params or {}).get("case_id"),
            "status": response.status_code,
            "duration_ms": round(duration_ms, 1),
        },
    )
    log.remove_keys(["request_id"])
    telemetry.milliseconds(telemetry.REQUEST_DURATION, duration_ms)
    telemetry.flush()
    return response


@app.route("/v1/health")
@api
def health() -> Response:
    return _json(200, {"status": "ok"})


def api_routes() -> list[tuple[str, str]]:
    """The API's (method, path) pairs: every route but the web app's pages."""
    return [
        (method, path)
        for path, methods in app.routes.items()
        for method in methods
        if not (path == WEB or path.startswith(f"{WEB}/"))
    ]


@app.route("/openapi.json")
@api
def openapi_json() -> Response:
    return _json(200, openapi.openapi_document(api_routes(), wired()[0].catalogue))


@app.route("/v1/procedures")
@api
def list_procedures() -> Response:
    services, principal = _caller(app.current_request)
    return _json(200, procedures.list_procedures(services, principal))


@app.route("/v1/cases", methods=["POST"])
@api
def submit_case() -> Response:
    request = app.current_request
    assert request is not None
    services, principal = _caller(request)
    result = intake.submit_case(
        services, principal, _body(request, services), request.headers.get("idempotency-key")
    )
    return _json(201, records.case_view(result.case, principal), _replayed(result.created))


@app.route("/v1/cases")
@api
def list_cases() -> Response:
    request = app.current_request
    assert request is not None
    services, principal = _caller(request)
    return _json(200, records.list_cases(services, principal, dict(request.query_params or {})))


@app.route("/v1/cases/{case_id}")
@api
def get_case(case_id: str) -> Response:
    services, principal = _caller(app.current_request)
    return _json(200, records.get_case(services, principal, case_id))


@app.route("/v1/cases/{case_id}/document")
@api
def get_case_document(case_id: str) -> Response:
    services, principal = _caller(app.current_request)
    name, pdf = records.get_case_document(services, principal, case_id)
    return Response(
        body=pdf,
        status_code=200,
        headers={
            "Content-Type": "application/pdf",
            "Content-Disposition": f'inline; filename="{name}"',
        },
    )


@app.route("/v1/cases/{case_id}/preview")
@api
def get_case_preview(case_id: str) -> Response:
    request = app.current_request
    assert request is not None
    services, principal = _caller(request)
    page = request.query_params.get("page") if request.query_params else None
    png = records.get_case_preview(services, principal, case_id, page)
    return Response(body=png, status_code=200, headers={"Content-Type": "image/png"})


@app.route("/v1/cases/{case_id}/signatures", methods=["POST"])
@api
def sign_case(case_id: str) -> Response:
    services, principal = _caller(app.current_request)
    case = signatures.sign_as_officer(services, principal, case_id)
    return _json(201, records.case_view(case, principal))


@app.route("/v1/cases/{case_id}/signing-sessions", methods=["POST"])
@api
def open_signing_session(case_id: str) -> Response:
    request = app.current_request
    assert request is not None
    services, principal = _caller(request)
    body = _body(request, services)
    return _json(201, sessions.open_session(services, principal, case_id, body))


@app.route("/v1/signing-sessions/{session_id}", methods=["PUT"])
@api
def finish_signing_session(session_id: str) -> Response:
    request = app.current_request
    assert request is not None
    services, principal = _caller(request)
    body = _body(request, services)
    case = sessions.finish_session(services, principal, session_id, body)
    return _json(200, records.case_view(case, principal))


@app.route("/v1/cases/{case_id}/rejections", methods=["POST"])
@api
def reject_case(case_id: str) -> Response:
    request = app.current_request
    assert request is not None
    services, principal = _caller(request)
    body = _body(request, services)
    case = signatures.reject_as_officer(services, principal, case_id, body)
    return _json(201, records.case_view(case, principal))


@app.route("/v1/cases/{case_id}/retries", methods=["POST"])
@api
def retry_case(case_id: str) -> Response:
    services, principal = _caller(app.current_request)
    case = automatic.retry_case(services, principal, case_id)
    return _json(200, records.case_view(case, principal))  # an admin: no data


@app.route("/v1/retries", methods=["POST"])
@api
def retry_failed_cases() -> Response:
    request = app.current_request
    assert request is not None
    services, principal = _caller(request)
    resumed = automatic.retry_failed(services, principal, _body(request, services))
    return _json(202, {"resumed": resumed})


@app.route("/v1/batches", methods=["POST"])
@api
def submit_batch() -> Response:
    request = app.current_request
    assert request is not None
    services, principal = _caller(request)
    result = batches.submit_batch(
        services, principal, _body(request, services), request.headers.get("idempotency-key")
    )
    return _json(202, result.batch, _replayed(result.created))


@app.route("/v1/batches/{batch_id}")
@api
def get_batch(batch_id: str) -> Response:
    request = app.current_request
    assert request is not None
    services, principal = _caller(request)
    after = request.query_params.get("next") if request.query_params else None
    return _json(200, batches.get_batch(services, principal, batch_id, after))


@app.route("/v1/batches/{batch_id}/retries", methods=["POST"])
@api
def retry_batch(batch_id: str) -> Response:
    services, principal = _caller(app.current_request)
    return _json(202, batches.retry_batch(services, principal, batch_id))


# Chalice puts this into an SQS event source of its own function; ${Stage} is the template's
# (the queue infra/template.yaml makes, whose mapping reports partial batch failures).
@app.on_sqs_message(queue="hoso-work-${Stage}", batch_size=10)
def batch_worker(event: Any) -> dict[str, Any]:
    """Batches' messages, ten at a time: those to deliver again are reported as failures
    (ReportBatchItemFailures), the others are deleted."""
    messages = [
        batches.QueueMessage(
            message_id=record.to_dict()["messageId"],
            body=record.body,
            receive_count=int(record.to_dict()["attributes"]["ApproximateReceiveCount"]),
        )
        for record in event
    ]
    again = batches.work(wired()[0], messages)
    telemetry.flush()
    return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in again]}


@app.route("/v1/records")
@api
def search_records() -> Response:
    request = app.current_request
    assert request is not None
    services, principal = _caller(request)
    params = dict(request.query_params or {})
    return _json(200, search.search_records(services, principal, params))


@app.route("/v1/records/{record_id}")
@api
def get_record(record_id: str) -> Response:
    request = app.current_request
    assert request is not None
    services, principal = _caller(request)
    verify = request.query_params.get("verify") if request.query_params else None
    return _json(200, records.get_record(services, principal, record_id, verify))


# Routes that take a PDF: as the body, or as JSON naming an upload (functions/uploads.py,
# which checks the type itself, after the token).
PDF_ROUTE_TYPES = [uploads.PDF, uploads.JSON]


def _pdf_body(request: Request) -> tuple[str, bytes]:
    """The request's Content-Type and its body's bytes."""
    body = request.raw_body or b""
    return request.headers.get("content-type", ""), (
        body.encode("utf-8") if isinstance(body, str) else body
    )


@app.route("/v1/uploads", methods=["POST"])
@api
def new_upload() -> Response:
    request = app.current_request
    assert request is not None
    services, principal = _caller(request)
    return _json(201, uploads.new_upload(services, principal, _body(request, services)))


@app.route("/v1/verifications", methods=["POST"], content_types=PDF_ROUTE_TYPES)
@api
def verify_pdf() -> Response:
    request = app.current_request
    assert request is not None
    services, principal = _caller(request)
    params = dict(request.query_params or {})
    return _json(200, verification.verify_pdf(services, principal, params, *_pdf_body(request)))


@app.route("/v1/records/imports", methods=["POST"], content_types=PDF_ROUTE_TYPES)
@api
def import_record() -> Response:
    request = app.current_request
    assert request is not None
    services, principal = _caller(request)
    record, created = imports.import_record(
        services,
        principal,
        dict(request.query_params or {}),
        *_pdf_body(request),
        request.headers.get("idempotency-key"),
    )
    return _json(201, record, _replayed(created))


@app.route("/v1/records/{record_id}/manifest")
@api
def get_record_manifest(record_id: str) -> Response:
    return _json(200, records.get_record_manifest(*_caller(app.current_request), record_id))


@app.route("/v1/records/{record_id}/accesses")
@api
def get_record_accesses(record_id: str) -> Response:
    return _json(200, records.get_record_accesses(*_caller(app.current_request), record_id))


@app.route("/v1/organizations/{code}")
@api
def get_organization(code: str) -> Response:
    return _json(200, directory.get_organization(*_caller(app.current_request), code))


@app.route("/v1/organizations/{code}", methods=["PUT"])
@api
def put_organization(code: str) -> Response:
    request = app.current_request
    assert request is not None
    services, principal = _caller(request)
    view, created = directory.put_organization(services, principal, code, _body(request, services))
    return _json(201 if created else 200, view)


@app.route("/v1/organizations/{code}/changes")
@api
def get_organization_changes(code: str) -> Response:
    return _json(200, directory.organization_changes(*_caller(app.current_request), code))


@app.route("/v1/officers/{username}")
@api
def get_person(username: str) -> Response:
    return _json(200, directory.get_person(*_caller(app.current_request), username))


@app.route("/v1/officers/{username}", methods=["PUT"])
@api
def put_person(username: str) -> Response:
    request = app.current_request
    assert request is not None
    services, principal = _caller(request)
    view, created = directory.put_person(services, principal, username, _body(request, services))
    return _json(201 if created else 200, view)


@app.route("/v1/officers/{username}", methods=["DELETE"])
@api
def delete_person(username: str) -> Response:
    directory.delete_person(*_caller(app.current_request), username)
    return Response(body="", status_code=204)


@app.route("/v1/officers/{username}/changes")
@api
def get_person_changes(username: str) -> Response:
    return _json(200, directory.person_changes(*_caller(app.current_request), username))


def _new_signing_key(key: str) -> Response:
    services, principal = _caller(app.current_request)
    return _json(201, directory.new_signing_key(services, principal, key))


def _import_certificate(key: str) -> Response:
    request = app.current_request
    assert request is not None
    services, principal = _caller(request)
    body = _body(request, services)
    return _json(200, directory.import_certificate(services, principal, key, body))


@app.route("/v1/organizations/{code}/keys", methods=["POST"])
@api
def new_seal_key(code: str) -> Response:
    return _new_signing_key(directory.organization_key(code))


@app.route("/v1/organizations/{code}/certificate", methods=["PUT"])
@api
def import_seal_certificate(code: str) -> Response:
    return _import_certificate(directory.organization_key(code))


@app.route("/v1/officers/{username}/keys", methods=["POST"])
@api
def new_officer_key(username: str) -> Response:
    return _new_signing_key(directory.person_key(username))


@app.route("/v1/officers/{username}/certificate", methods=["PUT"])
@api
def import_officer_certificate(username: str) -> Response:
    return _import_certificate(directory.person_key(username))


@app.schedule(Rate(5, unit=Rate.MINUTES))
def scheduled_sweep(event: Any) -> dict[str, Any]:
    """Every 5 minutes: publish events left in the outbox, run due automatic steps."""
    report = sweep.sweep(wired()[0])
    log.info(
        "sweep",
        extra={
            "published": report.published,
            "archived": len(report.archived),
            "failed": len(report.failed),
            "waiting": len(report.waiting),
            "audited": len(report.audited),
            "flagged": len(report.flagged),
        },
    )
    telemetry.flush()
    return dataclasses.asdict(report)


# --- the web app (web/): Vietnamese pages for people, beside the API ---------------------
WEB = "/app"
FORM = ["application/x-www-form-urlencoded"]


def _web(show: Callable[[Any, Any], Any]) -> Response:
    """A web page: ``show(web.pages, visit)``'s answer (errors as Vietnamese pages, in
    web/pages.py) as a response. The visit holds the request's cookies, form and query,
    and where the app is (behind API Gateway's stage the path starts with it: /api/app)."""
    from http.cookies import CookieError, SimpleCookie

    from web import pages

    request = app.current_request
    assert request is not None
    services, verifier = wired()
    try:
        cookies = {
            name: m.value for name, m in SimpleCookie(request.headers.get("cookie", "")).items()
        }
    except CookieError:
        cookies = {}
    full = str(request.context.get("path") or "")
    actual = str(request.to_original_event().get("path") or full)
    prefix = full[: len(full) - len(actual)] if full.endswith(actual) else ""
    body = request.raw_body if request.method == "POST" else b""
    raw_form = body.encode() if isinstance(body, str) else body
    query = dict(request.query_params or {})
    content_type = request.headers.get("content-type", "")
    visit = pages.Visit(
        services, verifier.verify, prefix + WEB, cookies, raw_form, query, content_type
    )
    answer = pages.answer_errors(visit, lambda: show(pages, visit))
    return Response(body=answer.body, status_code=answer.status, headers=answer.headers)


@app.route(WEB)
def web_home() -> Response:
    return _web(lambda pages, visit: pages.home(visit))


@app.route(f"{WEB}/signin")
def web_sign_in_form() -> Response:
    return _web(lambda pages, visit: pages.sign_in_form(visit))


@app.route(f"{WEB}/signin", methods=["POST"], content_types=FORM)
def web_sign_in() -> Response:
    return _web(lambda pages, visit: pages.sign_in(visit))


@app.route(f"{WEB}/new-password", methods=["POST"], content_types=FORM)
def web_new_password() -> Response:
    return _web(lambda pages, visit: pages.new_password(visit))


@app.route(f"{WEB}/signout", methods=["POST"], content_types=FORM)
def web_sign_out() -> Response:
    return _web(lambda pages, visit: pages.sign_out(visit))


@app.route(f"{WEB}/inbox")
def web_inbox() -> Response:
    return _web(lambda pages, visit: pages.inbox(visit))


@app.route(f"{WEB}/cases/{{case_id}}")
def web_case(case_id: str) -> Response:
    return _web(lambda pages, visit: pages.case_page(visit, case_id))


@app.route(f"{WEB}/cases/{{case_id}}/sign")
def web_confirm_signing(case_id: str) -> Response:
    return _web(lambda pages, visit: pages.confirm_signing(visit, case_id))


@app.route(f"{WEB}/cases/{{case_id}}/sign", methods=["POST"], content_types=FORM)
def web_sign(case_id: str) -> Response:
    return _web(lambda pages, visit: pages.sign(visit, case_id))


@app.route(f"{WEB}/cases/{{case_id}}/reject", methods=["POST"], content_types=FORM)
def web_reject(case_id: str) -> Response:
    return _web(lambda pages, visit: pages.reject(visit, case_id))


@app.route(f"{WEB}/records")
def web_records() -> Response:
    return _web(lambda pages, visit: pages.records(visit))


@app.route(f"{WEB}/records/{{record_id}}")
def web_record(record_id: str) -> Response:
    return _web(lambda pages, visit: pages.record_page(visit, record_id))


@app.route(f"{WEB}/verify")
def web_verify_form() -> Response:
    return _web(lambda pages, visit: pages.verify_form(visit))


@app.route(f"{WEB}/verify", methods=["POST"], content_types=["multipart/form-data"])
def web_verify_file() -> Response:
    return _web(lambda pages, visit: pages.verify_file(visit))


@app.route(f"{WEB}/directory")
def web_directory() -> Response:
    return _web(lambda pages, visit: pages.directory_page(visit))


@app.route(f"{WEB}/people/{{username}}/status", methods=["POST"], content_types=FORM)
def web_person_status(username: str) -> Response:
    return _web(lambda pages, visit: pages.set_person_status(visit, username))


@app.route(f"{WEB}/static/{{name}}")
def web_static(name: str) -> Response:
    return _web(lambda pages, visit: pages.static_file(name))
