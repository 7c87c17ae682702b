"""schemathesis over GET /openapi.json: no server error, no undescribed answer, no hang.

On the API served over HTTP (chalice local behind infra/gateway.py), with a real token for
each role and none; bounded, and reproducible from its seed."""

from __future__ import annotations

import json
import os
import urllib.request
from collections import Counter
from collections.abc import Iterator
from typing import Any

import hypothesis
import hypothesis.strategies as st
import pytest
import schemathesis
from schemathesis.checks import ignored_auth, positive_data_acceptance

from functions.openapi import openapi_document
from templates.catalogue import Catalogue
from tests.conftest import FUZZ_REPORT, Stack

SEED = int(os.environ.get("HOSO_FUZZ_SEED", "20261130"))  # another seed: HOSO_FUZZ_SEED=…
EXAMPLES = int(os.environ.get("HOSO_FUZZ_EXAMPLES", "25"))  # per operation and role
REQUEST_TIMEOUT_SECONDS = 20  # a request that takes longer is a hang
USERS = {
    "no-token": None,
    "upstream": "cong-dich-vu",
    "officer": "canbo-badinh",
    "archivist": "luu-tru",
    "admin": "quan-tri",
}
REQUESTS: Counter[str] = Counter()  # per role, reported after the run (tests/conftest.py)


@pytest.fixture(scope="module", autouse=True)
def report(request: pytest.FixtureRequest) -> None:
    request.config.stash[FUZZ_REPORT] = (SEED, REQUESTS)


@pytest.fixture(scope="module", autouse=True)
def no_batch_work(stack: Stack) -> Iterator[None]:
    """The batches the fuzzer submits are never worked: their messages go with the module."""
    yield
    stack.client("sqs").purge_queue(QueueUrl=stack.outputs["work_queue_url"])


def _document() -> dict[str, Any]:
    """The document GET /openapi.json serves (test_the_served_document_is_the_one_fuzzed)."""
    import app as hoso_app

    return openapi_document(hoso_app.api_routes(), Catalogue())


# PDF bodies (POST /v1/verifications): random bytes, and small PDFs with and without a
# signature field whose /Contents is not CMS
_MINIMAL_PDF = (
    b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n"
    b"<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
)
schemathesis.openapi.media_type(
    "application/pdf",
    st.one_of(
        st.binary(max_size=4096),
        st.sampled_from([_MINIMAL_PDF, _MINIMAL_PDF.replace(b"/Count 0", b"/Count 99999")]),
        st.binary(max_size=512).map(lambda tail: _MINIMAL_PDF + tail),
    ),
)
schema = schemathesis.openapi.from_dict(_document())
schema.config.seed = SEED
schema.config.generation.update(max_examples=EXAMPLES)
# 413 and 400 are how this API refuses too (a body over the limit, unreadable JSON)
schema.config.checks.negative_data_rejection.expected_statuses = [
    "400", "401", "403", "404", "405", "409", "413", "415", "422",
]  # fmt: skip


def test_the_served_document_is_the_one_fuzzed(api_url: str) -> None:
    with urllib.request.urlopen(f"{api_url}/openapi.json", timeout=30) as answer:
        assert json.load(answer) == _document()


@schema.parametrize()
@hypothesis.settings(
    deadline=None, database=None, suppress_health_check=list(hypothesis.HealthCheck)
)
def test_the_api_holds_to_its_document(case: Any, api_url: str, stack: Stack) -> None:
    for role, username in USERS.items():  # the same request from each role, and with none
        headers = {"Authorization": f"Bearer {stack.token(username)}"} if username else {}
        REQUESTS[role] += 1
        case.call_and_validate(
            base_url=api_url,
            headers=headers,
            timeout=REQUEST_TIMEOUT_SECONDS,
            # ignored_auth probes with made-up tokens (the token tests cover those);
            # positive_data_acceptance cannot know that a schema-valid case may still break
            # the procedure's rules, name an organisation that does not exist or hold
            # damaged Vietnamese (each a 422 by design, naming the field)
            excluded_checks=[ignored_auth, positive_data_acceptance],
        )
