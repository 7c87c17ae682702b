"""`make previews`: each procedure's example, submitted and signed on a local stack, as a PNG.

Every procedure of the catalogue goes through the real flow (intake, the demo officers'
signatures, the organisation seal) on a throw-away stack, and page 1 of its final document
is written to docs/previews/<code>.png, which the README shows.

    python -m infra.previews [--out docs/previews]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import uuid
from pathlib import Path

from cloud.bootstrap import build_services
from functions.access import Principal
from functions.errors import Invalid
from functions.intake import submit_case
from functions.model import ARCHIVED
from functions.services import Services
from functions.signatures import sign_as_officer
from infra.demo import ORGANIZATIONS, USERS
from infra.servers import free_port, running_stack
from templates.catalogue import Procedure
from templates.preview import page_png

ROOT = Path(__file__).resolve().parent.parent
UPSTREAM = Principal("previews", "cong-dich-vu", frozenset({"upstream"}), None)


def _officer(organization: str, signed: set[str]) -> Principal:
    user = next(
        u
        for u in USERS
        if "officer" in u["groups"] and u["org"] == organization and u["username"] not in signed
    )
    return Principal(user["username"], user["username"], frozenset({"officer"}), organization)


def _archived_document(services: Services, procedure: Procedure) -> bytes:
    """Submit the example for the first demo organisation that can issue it, then sign."""
    for organization in ORGANIZATIONS:
        body = {
            "procedure": procedure.code,
            "organization": organization["code"],
            "data": procedure.example,
        }
        try:
            case = submit_case(services, UPSTREAM, body, str(uuid.uuid4())).case
        except Invalid:
            continue  # this organisation cannot issue it (no seal, no parent)
        signed: set[str] = set()
        while (step := case.current_step()) is not None and step.role == "officer":
            officer = _officer(step.organization, signed)
            case = sign_as_officer(services, officer, case.id)
            signed.add(officer.username)
        if case.status != ARCHIVED:
            raise RuntimeError(f"{procedure.code}: the case stopped at {case.status}")
        return page_png(services.documents.get(case.document.key), 1)
    raise RuntimeError(f"no demo organisation can issue {procedure.code}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "previews")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    with (
        tempfile.TemporaryDirectory() as folder,
        running_stack(
            Path(folder), "ap-southeast-1", "previews", free_port(), free_port()
        ) as stack,
    ):
        os.environ.update(stack.environment)
        services, _ = build_services()
        for procedure in services.catalogue.all():
            target = args.out / f"{procedure.code}.png"
            target.write_bytes(_archived_document(services, procedure))
            print(f"{target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}")


if __name__ == "__main__":
    main()
