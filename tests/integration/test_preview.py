"""GET /v1/cases/{id}/preview: a PNG of one page, signature appearances included."""

from __future__ import annotations

import io
from typing import Any

from chalice.test import Client
from PIL import Image, ImageChops

from tests.conftest import Stack, procedure_example, sign, submit

PROCEDURE = "chuyen-sinh-hoat-chinh-thuc"


def _preview(client: Client, stack: Stack, case_id: str, query: str = "?page=1") -> Any:
    return client.http.get(
        f"/v1/cases/{case_id}/preview{query}",
        headers={**stack.auth("canbo-badinh"), "Accept": "image/png"},
    )


def _submitted(client: Client, stack: Stack) -> dict[str, Any]:
    body = {
        "procedure": PROCEDURE,
        "organization": "phuong-ba-dinh",
        "data": procedure_example(client, stack, PROCEDURE),
    }
    return dict(submit(client, stack, body).json_body)


def test_preview_of_the_draft_and_of_the_signed_document(client: Client, stack: Stack) -> None:
    case = _submitted(client, stack)
    draft = _preview(client, stack, case["id"])
    assert draft.status_code == 200
    assert draft.headers["Content-Type"] == "image/png"
    assert _preview(client, stack, case["id"], "").body == draft.body

    assert sign(client, stack, case["id"], "canbo-badinh").json_body["status"] == "archived"
    signed = _preview(client, stack, case["id"])
    before = Image.open(io.BytesIO(draft.body)).convert("L")
    after = Image.open(io.BytesIO(signed.body)).convert("L")
    assert after.size == before.size
    # the officer's and the seal's appearances are drawn into the signature block
    changed = ImageChops.difference(before, after).getbbox()
    assert changed is not None
    left, top, right, bottom = changed
    assert top > before.height // 2 and (right - left) * (bottom - top) > 10_000


def test_bad_page_numbers(client: Client, stack: Stack) -> None:
    case = _submitted(client, stack)
    for query, status in (("?page=2", 404), ("?page=0", 400), ("?page=abc", 400)):
        answer = _preview(client, stack, case["id"], query)
        assert answer.status_code == status, query
        details = answer.json_body["error"]["details"]
        assert [d["field"] for d in details] == ["query.page"], query
    other = client.http.get(
        f"/v1/cases/{case['id']}/preview",
        headers={**stack.auth("canbo-hoankiem"), "Accept": "image/png"},
    )
    assert other.status_code == 404  # another organisation's case is not visible
