"""The web app's screenshots for the README (`make screenshots`, never `make test`): the
officer's inbox, a case page, a record page and the verify page, taken by Playwright in
Debian's chromium on a fresh `make run` stack, into docs/screenshots/.

    python -m infra.screenshots
"""

from __future__ import annotations

import copy
import tempfile
import uuid
from pathlib import Path
from typing import Any

from infra.demo import DEMO_PASSWORD
from infra.local import ROOT, signed_in_api, start_local_stack

CHROMIUM = "/usr/bin/chromium"  # Debian's (make system-deps); Playwright's own is not fetched
SCREEN: Any = {"width": 1100, "height": 860}  # Playwright's ViewportSize
FOLDER = ROOT / "docs" / "screenshots"


def _cases(outputs: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A transfer awaiting the ward's signature (its member's name typed with Ð, which
    gives a text warning), and a fee receipt sealed and archived at once."""
    upstream = signed_in_api(outputs, "cong-dich-vu")
    examples = {p["code"]: p["example"] for p in upstream.get("/v1/procedures")["procedures"]}
    made = []
    for code, name in (("chuyen-sinh-hoat-chinh-thuc", "Ðào Thị Hoa"), ("dang-phi", None)):
        data = copy.deepcopy(examples[code])
        if name:
            data["member"]["full_name"] = name
        body = {"procedure": code, "organization": "phuong-ba-dinh", "data": data}
        made.append(upstream.post("/v1/cases", body, {"Idempotency-Key": str(uuid.uuid4())}))
    return made[0], made[1]


def _sign_in(page: Any, web_url: str, username: str) -> None:
    page.goto(f"{web_url}signin")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Đăng nhập").click()


def take(outputs: dict[str, Any], folder: Path) -> list[Path]:
    """The four screenshots of the stack whose ``outputs`` are given, written to ``folder``."""
    from playwright.sync_api import sync_playwright

    transfer, receipt = _cases(outputs)
    web = outputs["web_url"]
    folder.mkdir(parents=True, exist_ok=True)
    shots = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        officer = browser.new_context(viewport=SCREEN, locale="vi-VN").new_page()
        _sign_in(officer, web, "canbo-badinh")
        shots.append(folder / "inbox.png")
        officer.screenshot(path=shots[-1])
        officer.goto(f"{web}cases/{transfer['id']}")
        shots.append(folder / "case.png")
        officer.screenshot(path=shots[-1])
        archivist = browser.new_context(viewport=SCREEN, locale="vi-VN").new_page()
        _sign_in(archivist, web, "luu-tru")
        archivist.goto(f"{web}records/{receipt['record_id']}")
        shots.append(folder / "record.png")
        archivist.screenshot(path=shots[-1], full_page=True)
        with archivist.expect_download() as downloading:
            archivist.get_by_role("link", name="Tải tệp PDF").click()
        with tempfile.TemporaryDirectory() as work:
            pdf = Path(work) / "ban-luu.pdf"
            downloading.value.save_as(pdf)
            archivist.goto(f"{web}verify")
            archivist.get_by_label("Tệp PDF").set_input_files(str(pdf))
            archivist.get_by_role("button", name="Kiểm tra").click()
            archivist.get_by_role("status").wait_for()
        shots.append(folder / "verify.png")
        archivist.screenshot(path=shots[-1], full_page=True)
        browser.close()
    return shots


def main() -> None:
    with tempfile.TemporaryDirectory() as state:
        process, outputs = start_local_stack(Path(state))
        try:
            for shot in take(outputs, FOLDER):
                print(shot.relative_to(ROOT))
        finally:
            process.terminate()
            process.wait(timeout=30)


if __name__ == "__main__":
    main()
