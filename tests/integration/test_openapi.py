"""GET /openapi.json: a valid document of every route, whose schemas real answers satisfy."""

from __future__ import annotations

from typing import Any

import pytest
from chalice.test import Client
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from functions.openapi import OPERATIONS
from templates.catalogue import Catalogue
from tests.conftest import Stack, procedure_example, submit


@pytest.fixture(scope="module")
def document(client: Client) -> dict[str, Any]:
    answer = client.http.get("/openapi.json")  # no token needed
    assert answer.status_code == 200
    return dict(answer.json_body)


def _conforms(document: dict[str, Any], name: str, value: Any) -> list[str]:
    # the schema carries the components, so that its "#/components/…" references resolve
    schema = {**document["components"]["schemas"][name], "components": document["components"]}
    return [error.message for error in Draft202012Validator(schema).iter_errors(value)]


def test_the_document_is_valid_openapi(document: dict[str, Any]) -> None:
    validate(document)
    assert document["openapi"] == "3.1.0"


def test_every_route_is_described_and_nothing_else(
    client: Client, document: dict[str, Any]
) -> None:
    import app as hoso_app

    routes = set(hoso_app.api_routes())
    every = {(m, p) for p, methods in hoso_app.app.routes.items() for m in methods}
    assert all(path.startswith("/app") for _, path in every - routes)  # the web app's pages
    assert routes == set(OPERATIONS)
    described = {(m.upper(), p) for p, ops in document["paths"].items() for m in ops}
    assert described == routes


def test_each_procedure_schema_is_the_catalogues(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    for procedure in Catalogue().all():
        published = schemas[f"Data-{procedure.code}"]
        assert published == {k: v for k, v in procedure.schema.items() if k != "$schema"}


def test_real_answers_conform(client: Client, stack: Stack, document: dict[str, Any]) -> None:
    body = {
        "procedure": "dang-phi",
        "organization": "phuong-ba-dinh",
        "data": procedure_example(client, stack, "dang-phi"),
    }
    case = submit(client, stack, body).json_body
    assert _conforms(document, "Case", case) == []
    assert _conforms(document, "CaseSubmission", body) == []
    record = client.http.get(f"/v1/records/{case['record_id']}", headers=stack.auth("luu-tru"))
    assert _conforms(document, "Record", record.json_body) == []
    refused = submit(client, stack, {**body, "data": {}})
    assert refused.status_code == 422
    assert _conforms(document, "Error", refused.json_body) == []
    listed = client.http.get("/v1/procedures", headers=stack.auth("cong-dich-vu")).json_body
    for entry in listed["procedures"]:
        submission = {"procedure": entry["code"], "organization": "x", "data": entry["example"]}
        assert _conforms(document, "CaseSubmission", submission) == []
